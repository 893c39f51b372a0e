// Package handler is search_kb's handler (its contract: the folder above,
// shared/intents/searchkb), registered from its init (intents.Register). Its function,
// functions/searchkb, imports it; so does every binary that answers every intent
// (shared/intents/handlers).
package handler

import (
	"context"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/searchkb"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// Its answer holds no personal data: nothing to audit.
func init() {
	intents.Register(searchkb.Name, intents.Handler{Fulfil: func(ctx context.Context, a intents.Answer,
		_ conversation.Turn, slots map[string]string) (conversation.Reply, intents.Audit) {
		return answer{a}.searchKB(ctx, slots), intents.Audit{}
	}})
}

// answer is the turn's answer, with this intent's own parts.
type answer struct{ intents.Answer }

// kbResults is how many articles a knowledge-base answer lists.
const kbResults = 3

// articlePaths are the result fields of each article a reply lists
// ("articles[0].title"), made once.
var articlePaths = func() (out [kbResults]struct{ title, snippet, link string }) {
	for i := range out {
		at := "articles[" + strconv.Itoa(i) + "]."
		out[i].title, out[i].snippet, out[i].link = at+"title", at+"snippet", at+"link"
	}
	return out
}()

func (s answer) searchKB(ctx context.Context, slots map[string]string) conversation.Reply {
	if s.Deps().KB == nil {
		return s.Unavailable("what.search_help_center")
	}
	q := slots[intents.SlotQuery]
	arts, err := s.Deps().KB.SearchArticles(ctx, q, kbResults)
	if err != nil {
		return s.Unavailable("what.search_help_center")
	}
	if len(arts) == 0 {
		return s.Fulfilled(s.TS("kb.none", plaintext.Inert(q), s.Deps().SupportEmail))
	}
	if len(arts) > kbResults {
		arts = arts[:kbResults]
	}
	msgs := []string{s.TS("kb.heading", plaintext.Inert(q))}
	rich := &conversation.Rich{OpenLabel: s.T("kb.open")}
	for i, a := range arts {
		sn := oneLine(a.Snippet, 160)
		// The title and snippet are data; the link is the tool's own field, kept only
		// when it is https (the connector already kept only its allowed hosts).
		link := plaintext.Link(a.URL)
		path := articlePaths[i]
		line := strconv.Itoa(i+1) + ". " + s.Tool(path.title, a.Title)
		if sn != "" {
			line += " — " + s.Tool(path.snippet, sn)
		}
		switch {
		case link != "" && s.Agent():
			// A link is text the tool gave too: its path can say anything.
			line += " " + intents.Ref(path.link)
		case link != "":
			line += " " + link
		}
		msgs = append(msgs, line)
		rich.Articles = append(rich.Articles, conversation.Article{Title: a.Title, Snippet: sn, Link: link})
	}
	r := s.Fulfilled(msgs...)
	r.Rich = rich
	return r
}

// oneLine collapses whitespace and cuts s to at most max runes on a word boundary.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := string(r[:max])
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
