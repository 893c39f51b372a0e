package lexv2

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

//go:embed testdata/response.schema.json
var responseSchema []byte

func init() {
	platform.Register(platform.Entry{
		Spec: names.Spec{Name: string(conversation.LexV2)},
		New: func(n platform.Names, plain bool) platform.Adapter {
			a := New(n)
			a.PlainText = plain
			return a
		},
		IntentName: func(body []byte) string {
			var e struct {
				SessionState struct {
					Intent struct {
						Name string `json:"name"`
					} `json:"intent"`
				} `json:"sessionState"`
			}
			_ = json.Unmarshal(body, &e)
			return e.SessionState.Intent.Name
		},
		ReadOutcome: func(body []byte) (platform.WireOutcome, bool) {
			var w struct {
				SessionState struct {
					SessionAttributes map[string]string `json:"sessionAttributes"`
				} `json:"sessionState"`
			}
			if json.Unmarshal(body, &w) != nil {
				return platform.WireOutcome{}, false
			}
			attrs := w.SessionState.SessionAttributes
			fb, err := strconv.ParseBool(attrs[platform.LexFallbackAttribute])
			if err != nil {
				return platform.WireOutcome{}, false
			}
			out := platform.WireOutcome{Outcome: conversation.Outcome(attrs[platform.LexOutcomeAttribute]), Fallback: fb}
			return out, out.Outcome != ""
		},
		OutcomeWhere:   "sessionAttributes." + platform.LexOutcomeAttribute,
		ResponseSchema: responseSchema,
		Setup: func(w io.Writer, in platform.SetupInfo) {
			fmt.Fprintf(w, "Bot alias > Languages > code hook Lambda: %s (interface version 1.0)\n", in.RouterARN)
			fmt.Fprintln(w, "Lex may invoke it only from the bot aliases in lexBotAliasArn (infra/env/<name>.yaml).")
			fmt.Fprintln(w, "Intents (turn on fulfillment and dialog code hooks):")
			for _, n := range in.Intents {
				fmt.Fprintln(w, "  "+n)
			}
		},
		Console: simulator,
		Smoke: platform.Smoke{
			FreshIDs: func(doc map[string]any, id, _ string) {
				doc["sessionId"] = id
				platform.Obj(doc, "sessionState")["originatingRequestId"] = id
			},
			IdentityToken: func(doc map[string]any, tok string) {
				platform.Obj(doc, "requestAttributes")[conversation.IdentityField] = tok
			},
			Messages: func(body []byte) ([]string, string, error) {
				var w struct {
					SessionState struct {
						Intent struct{ State string } `json:"intent"`
					} `json:"sessionState"`
					Messages []struct{ Content string } `json:"messages"`
				}
				if err := json.Unmarshal(body, &w); err != nil {
					return nil, "", err
				}
				var out []string
				for _, m := range w.Messages {
					out = append(out, m.Content)
				}
				return out, w.SessionState.Intent.State, nil
			},
		},
	})
}
