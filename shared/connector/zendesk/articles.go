package zendesk

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// MaxSnippet is the longest snippet, in runes, SearchArticles returns.
const MaxSnippet = 160

// maxQueryRunes bounds the text sent to the search: a pasted paragraph finds nothing
// better than its first sentence does.
const maxQueryRunes = 200

// SearchArticles searches the Help Center with the article search endpoint (offset
// pagination, relevance order) and returns at most limit articles (default 3, at most
// 100, Zendesk's page cap), each with a one-line plain-text snippet. The query is sent
// as a URL parameter, never spliced into a query language; text with no letters or
// digits matches nothing and is not sent.
func (c *Client) SearchArticles(ctx context.Context, query string, limit int) ([]connector.Article, error) {
	const op = "search_articles"
	if limit <= 0 {
		limit = 3
	}
	if limit > 100 {
		limit = 100
	}
	q := searchText(query)
	if q == "" {
		if err := ctx.Err(); err != nil {
			return nil, connector.Transport(ctx, tool, op, err)
		}
		return []connector.Article{}, nil
	}
	v := url.Values{"query": {q}, "per_page": {strconv.Itoa(limit)}}
	if c.opts.Locale != "" {
		v.Set("locale", c.opts.Locale)
	}
	next := "/api/v2/help_center/articles/search.json?" + v.Encode()
	out := []connector.Article{}
	seen := map[string]bool{}
	for page := 0; next != "" && len(out) < limit && page < c.opts.MaxPages; page++ {
		var p ArticlePage
		if err := c.do(ctx, op, "GET", next, nil, &p); err != nil {
			return nil, err
		}
		if p.Results == nil {
			return nil, connector.InvalidResponse(tool, op, "results", errors.New("missing"))
		}
		for _, w := range *p.Results {
			a, ok, err := normalizeArticle(op, w, c.base.String(), MaxSnippet)
			if err != nil {
				// One unusable result (no id, no title, a link that is not an
				// http(s) URL) is left out; the others still answer.
				c.log.WarnContext(ctx, "zendesk article skipped", slog.String("tool", tool), slog.String("op", op), slog.Any("error", err))
				continue
			}
			if !ok || w.Draft || seen[a.ID] {
				continue
			}
			a.URL = c.link(a.URL)
			seen[a.ID] = true
			out = append(out, a)
			if len(out) == limit {
				break
			}
		}
		next = p.NextPage
	}
	return out, nil
}

// searchText makes the user's words a search text: control characters become spaces,
// whitespace is collapsed, the length is bounded. Text without a letter or digit is
// dropped ("((()))", "*"), since it can only match noise.
func searchText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	s = oneLine(s)
	if r := []rune(s); len(r) > maxQueryRunes {
		s = string(r[:maxQueryRunes])
	}
	for _, r := range s {
		if isWordRune(r) {
			return s
		}
	}
	return ""
}

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && r != utf8.RuneError
}

// Ping proves the credentials and the reach for `switchboard check`: it reads the
// authenticated user (an anonymous answer means the credentials were not accepted) and
// fetches one ticket.
func (c *Client) Ping(ctx context.Context) error {
	var me UserEnvelope
	if err := c.do(ctx, "ping", "GET", "/api/v2/users/me.json", nil, &me); err != nil {
		return err
	}
	if me.User == nil {
		return connector.InvalidResponse(tool, "ping", "user", errors.New("missing"))
	}
	if me.User.ID == 0 {
		return &connector.Error{Kind: connector.KindUnauthorized, Tool: tool, Op: "ping", Err: errors.New("answered as the anonymous user")}
	}
	var p TicketPage
	if err := c.do(ctx, "ping", "GET", "/api/v2/tickets.json?page%5Bsize%5D=1", nil, &p); err != nil {
		return err
	}
	if p.Tickets == nil {
		return connector.InvalidResponse(tool, "ping", "tickets", errors.New("missing"))
	}
	return nil
}
