package demo

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// searchQuery ranks with FTS5's BM25, a title match weighing five times a body match.
// highlight() marks the matched body tokens with \x02…\x03 so the snippet can be the
// sentence that actually matched.
const searchQuery = `
	SELECT a.id, a.title, a.url, highlight(articles_fts, 1, char(2), char(3)),
		bm25(articles_fts, 5.0, 1.0) AS rank
	FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
	WHERE articles_fts MATCH ?
	ORDER BY rank, a.id
	LIMIT ?`

const (
	markOpen  = '\x02'
	markClose = '\x03'
	// MaxSnippet is the longest snippet, in runes, the demo returns.
	MaxSnippet = 160
	// maxTerms bounds the work a long pasted paragraph can cause.
	maxTerms = 16
)

// SearchArticles ranks the help articles against query with BM25 and returns at most
// limit of them (DefaultLimit when limit <= 0), best first, each with a one-line
// snippet: the first body sentence containing a query term. Any text is a safe query
// — quotes, operators and punctuation are never interpreted — and a query without a
// searchable word, or without a match, yields an empty slice and a nil error.
func (b *Backend) SearchArticles(ctx context.Context, query string, limit int) ([]connector.Article, error) {
	const op = "search_articles"
	match := matchExpr(query)
	if match == "" {
		if err := ctx.Err(); err != nil {
			return nil, fail(op, err)
		}
		return []connector.Article{}, nil
	}
	rows, err := b.st.search.QueryContext(ctx, match, clampLimit(limit))
	if err != nil {
		return nil, fail(op, err)
	}
	defer rows.Close()
	out := []connector.Article{}
	for rows.Next() {
		var (
			a    connector.Article
			id   int64
			body string
			rank float64
		)
		if err := rows.Scan(&id, &a.Title, &a.URL, &body, &rank); err != nil {
			return nil, fail(op, err)
		}
		a.ID = strconv.FormatInt(id, 10)
		if !plaintext.AllowedHost(a.URL, LinkHosts) {
			// Only https links on the demo help center's own host are shown.
			a.URL = ""
		}
		a.Snippet = snippet(body, MaxSnippet)
		// bm25() is lower-is-better; Article.Score is higher-is-better.
		a.Score = -rank
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}

// matchExpr turns user text into an FTS5 query that cannot be a syntax error: the
// words (runs of letters and digits) minus stop words, each double-quoted so that OR,
// NEAR, *, ^, - and column filters are plain text, joined with OR so that BM25 ranks
// articles by how many and how rare the matched words are.
func matchExpr(query string) string {
	var (
		b    strings.Builder
		seen = map[string]bool{}
		n    int
	)
	words := strings.FieldsFunc(strings.ToLower(query), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		if stopWords[w] || seen[w] || n == maxTerms {
			continue
		}
		seen[w] = true
		if n > 0 {
			b.WriteString(" OR ")
		}
		// Only letters and digits reach here, so there is no quote to escape.
		b.WriteByte('"')
		b.WriteString(w)
		b.WriteByte('"')
		n++
	}
	return b.String()
}

// stopWords would match nearly every article and drown the words that matter; a
// question made only of them ("how do I?") finds nothing rather than everything.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be been but by can could did do does doing for from
		had has have how i if in into is it its me my no not of on or our please so that the their them then
		there these they this to was we were what when where which who why will with would you your`) {
		m[w] = true
	}
	return m
}()

// snippet picks, from a body highlighted with markOpen/markClose, the sentence that
// holds the most distinct matched words (the earliest on a tie; the first sentence
// when only the title matched), strips the marks and shortens it to at most max runes
// on a word boundary.
func snippet(highlighted string, max int) string {
	sentences := splitSentences(highlighted)
	pick, best := "", 0
	for _, s := range sentences {
		if n := distinctMarks(s); n > best {
			pick, best = s, n
		}
	}
	if pick == "" && len(sentences) > 0 {
		pick = sentences[0]
	}
	pick = strings.Map(func(r rune) rune {
		if r == markOpen || r == markClose {
			return -1
		}
		return r
	}, pick)
	return shorten(strings.Join(strings.Fields(pick), " "), max)
}

// distinctMarks counts the different words marked in s, case-insensitively.
func distinctMarks(s string) int {
	var seen []string
	for {
		i := strings.IndexByte(s, markOpen)
		if i < 0 {
			return len(seen)
		}
		s = s[i+1:]
		j := strings.IndexByte(s, markClose)
		if j < 0 {
			j = len(s)
		}
		w := strings.ToLower(s[:j])
		if !slices.Contains(seen, w) {
			seen = append(seen, w)
		}
		s = s[j:]
	}
}

// splitSentences splits after '.', '!' or '?' followed by white space.
func splitSentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.', '!', '?':
			j := i + 1
			// A mark may close right after the punctuation's word.
			for j < len(s) && s[j] == markClose {
				j++
			}
			if j < len(s) && (s[j] == ' ' || s[j] == '\n' || s[j] == '\t') {
				out = append(out, strings.TrimSpace(s[start:j]))
				start = j
			}
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// shorten cuts s to at most max runes, at a word boundary when one is near, ending
// with an ellipsis when it cut.
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
