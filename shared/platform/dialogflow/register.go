package dialogflow

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

//go:embed testdata/response.schema.json
var responseSchema []byte

func init() {
	platform.Register(platform.Entry{
		Spec: names.Spec{Name: string(conversation.DialogflowES)},
		New: func(n platform.Names, plain bool) platform.Adapter {
			a := New(n)
			a.PlainText = plain
			return a
		},
		IntentName: func(body []byte) string {
			var e struct {
				QueryResult struct {
					Intent struct {
						DisplayName string `json:"displayName"`
					} `json:"intent"`
				} `json:"queryResult"`
			}
			_ = json.Unmarshal(body, &e)
			return e.QueryResult.Intent.DisplayName
		},
		ReadOutcome:    platform.ReadPayloadOutcome,
		OutcomeWhere:   "payload." + platform.OutcomeKey,
		ResponseSchema: responseSchema,
		Setup: func(w io.Writer, in platform.SetupInfo) {
			fmt.Fprintf(w, "Fulfillment > Webhook URL: %s/webhooks/dialogflow\n", in.BaseURL)
			fmt.Fprintln(w, in.Auth)
			fmt.Fprintln(w, "Intents (turn on \"Enable webhook call for this intent\"):")
			for _, n := range in.Intents {
				fmt.Fprintln(w, "  "+n)
			}
		},
		Console: simulator,
		Smoke: platform.Smoke{
			FreshIDs: func(doc map[string]any, id, _ string) { doc["responseId"] = id },
			IdentityToken: func(doc map[string]any, tok string) {
				platform.Obj(platform.Obj(doc, "originalDetectIntentRequest"), "payload")[conversation.IdentityField] = tok
			},
			Messages: func(body []byte) ([]string, string, error) {
				var w struct {
					FulfillmentMessages []struct {
						Text struct{ Text []string } `json:"text"`
					} `json:"fulfillmentMessages"`
				}
				if err := json.Unmarshal(body, &w); err != nil {
					return nil, "", err
				}
				var out []string
				for _, m := range w.FulfillmentMessages {
					out = append(out, m.Text.Text...)
				}
				return out, "", nil
			},
		},
	})
}
