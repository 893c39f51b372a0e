// Package searchkb is the search_kb intent's contract (shared/intents/spec), registered
// from its init. Its handler is the package searchkb/handler, which only a binary that
// answers the intent links; its Lambda function is functions/searchkb.
package searchkb

import (
	"embed"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Name is the intent's canonical name.
const Name = "search_kb"

// locales is the intent's own reply catalogue, one file per language.
//
//go:embed locales/*.json
var locales embed.FS

func init() {
	spec.Register(spec.Intent{
		Name:       Name,
		Order:      4,
		Function:   "searchkb",
		Write:      false,
		Stage:      spec.StageReads,
		Uses:       []string{spec.KB},
		Identity:   false,
		Unverified: spec.UnverifiedPublic,
		Slots: []spec.Slot{
			{Name: "query", Required: true, Prompt: "prompt.query", Retry: "retry.query",
				Example: "reset my password", Unknown: "zzqx flurble wibble"},
		},
		Withheld: "what.look_up_your_account",
		Locales:  locales,
		Replies:  []string{"kb."},
		Display:  "SearchKnowledgeBase",
		Samples:  "search_kb.json",
		Console: spec.Console{Rank: 4, Fallback: true, Whole: "query", Keywords: []string{"how", "what", "why", "where",
			"search", "article", "help", "wie", "comment", "cómo", "como", "?"}},
	})
}
