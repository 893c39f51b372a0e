package intents

import (
	"context"
	"strconv"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// search_kb's handler (its contract: shared/intents/searchkb). Its answer holds no
// personal data: nothing to audit.
func init() {
	register(conversation.SearchKB, handler{fulfil: func(a answer, ctx context.Context, _ conversation.Turn, slots map[string]string) (conversation.Reply, audit) {
		return a.searchKB(ctx, slots), audit{}
	}})
}

// KBResults is how many articles a knowledge-base answer lists.
const KBResults = 3

func (s answer) searchKB(ctx context.Context, slots map[string]string) conversation.Reply {
	if s.d.KB == nil {
		return s.unavailable("what.search_help_center")
	}
	q := slots[SlotQuery]
	arts, err := s.d.KB.SearchArticles(ctx, q, KBResults)
	if err != nil {
		return s.unavailable("what.search_help_center")
	}
	if len(arts) == 0 {
		return s.fulfilled(s.p.T("kb.none", data(q), s.d.SupportEmail))
	}
	if len(arts) > KBResults {
		arts = arts[:KBResults]
	}
	msgs := []string{s.p.T("kb.heading", data(q))}
	rich := &conversation.Rich{OpenLabel: s.p.T("kb.open")}
	for i, a := range arts {
		sn := oneLine(a.Snippet, 160)
		// The title and snippet are data; the link is the tool's own field, kept only
		// when it is https (the connector already kept only its allowed hosts).
		link := plaintext.Link(a.URL)
		at := "articles[" + strconv.Itoa(i) + "]."
		line := strconv.Itoa(i+1) + ". " + s.tool(at+"title", a.Title)
		if sn != "" {
			line += " — " + s.tool(at+"snippet", sn)
		}
		switch {
		case link != "" && s.agent:
			// A link is text the tool gave too: its path can say anything.
			line += " " + Ref(at+"link")
		case link != "":
			line += " " + link
		}
		msgs = append(msgs, line)
		rich.Articles = append(rich.Articles, conversation.Article{Title: a.Title, Snippet: sn, Link: link})
	}
	r := s.fulfilled(msgs...)
	r.Rich = rich
	return r
}
