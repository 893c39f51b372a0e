package dialogflowcx

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

//go:embed testdata/response.schema.json
var responseSchema []byte

func init() {
	platform.Register(platform.Entry{
		Spec: names.Spec{Name: string(conversation.DialogflowCX)},
		New: func(n platform.Names, plain bool) platform.Adapter {
			a := New(n)
			a.PlainText = plain
			return a
		},
		IntentName: func(body []byte) string {
			type info struct {
				Tag string `json:"tag"`
			}
			var e struct {
				Camel *info `json:"fulfillmentInfo"`
				Snake *info `json:"fulfillment_info"`
			}
			_ = json.Unmarshal(body, &e)
			if e.Camel != nil && e.Camel.Tag != "" {
				return e.Camel.Tag
			}
			if e.Snake != nil {
				return e.Snake.Tag
			}
			return ""
		},
		ReadOutcome:    platform.ReadPayloadOutcome,
		OutcomeWhere:   "payload." + platform.OutcomeKey,
		ResponseSchema: responseSchema,
		Setup: func(w io.Writer, in platform.SetupInfo) {
			url := in.BaseURL + "/webhooks/dialogflow-cx"
			fmt.Fprintf(w, "Manage > Webhooks > Webhook URL: %s\n", url)
			fmt.Fprintln(w, in.Auth)
			fmt.Fprintln(w, "Fulfillment tags (each tag's own URL goes straight to its function):")
			for _, n := range in.Intents {
				tag, _, _ := strings.Cut(n, " -> ")
				fmt.Fprintf(w, "  %s   (%s/%s)\n", n, url, tag)
			}
		},
		Console: simulator,
		Smoke: platform.Smoke{
			FreshIDs: func(doc map[string]any, id, _ string) { doc["detectIntentResponseId"] = id },
			IdentityToken: func(doc map[string]any, tok string) {
				platform.Obj(doc, "payload")[conversation.IdentityField] = tok
			},
			Messages: func(body []byte) ([]string, string, error) {
				var w struct {
					FulfillmentResponse struct {
						Messages []struct {
							Text struct{ Text []string } `json:"text"`
						} `json:"messages"`
					} `json:"fulfillmentResponse"`
				}
				if err := json.Unmarshal(body, &w); err != nil {
					return nil, "", err
				}
				var out []string
				for _, m := range w.FulfillmentResponse.Messages {
					out = append(out, m.Text.Text...)
				}
				return out, "", nil
			},
		},
	})
}
