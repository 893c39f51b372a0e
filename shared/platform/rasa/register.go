package rasa

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
		Spec: names.Spec{Name: string(conversation.Rasa)},
		New: func(n platform.Names, plain bool) platform.Adapter {
			a := New(n)
			a.PlainText = plain
			return a
		},
		IntentName: func(body []byte) string {
			var e struct {
				NextAction string `json:"next_action"`
			}
			_ = json.Unmarshal(body, &e)
			return e.NextAction
		},
		ReadOutcome: func(body []byte) (platform.WireOutcome, bool) {
			var w map[string]json.RawMessage
			var out platform.WireOutcome
			if json.Unmarshal(body, &w) != nil || w[platform.OutcomeKey] == nil || json.Unmarshal(w[platform.OutcomeKey], &out) != nil {
				return platform.WireOutcome{}, false
			}
			return out, out.Outcome != ""
		},
		OutcomeWhere:   platform.OutcomeKey,
		ResponseSchema: responseSchema,
		// rasa-sdk's own health and action-list endpoints, next to the webhook.
		Routes: func(n platform.Names) []platform.Route {
			return []platform.Route{
				{Platform: conversation.Rasa, Path: "/webhooks/rasa/health", Body: []byte(`{"status":"ok"}`)},
				{Platform: conversation.Rasa, Path: "/webhooks/rasa/actions", Body: Actions(n)},
			}
		},
		Setup: func(w io.Writer, in platform.SetupInfo) {
			fmt.Fprintln(w, "endpoints.yml:")
			fmt.Fprintf(w, "action_endpoint:\n  url: %q\n", in.BaseURL+"/webhooks/rasa")
			fmt.Fprintln(w, "# "+in.Auth)
			fmt.Fprintln(w, "Custom actions (domain.yml actions:):")
			for _, n := range in.Intents {
				fmt.Fprintln(w, "  "+n)
			}
		},
		Console: simulator,
		Smoke: platform.Smoke{
			FreshIDs: func(doc map[string]any, id, run string) {
				doc["sender_id"] = id
				tr := platform.Obj(doc, "tracker")
				tr["sender_id"] = id
				platform.Obj(tr, "latest_message")["message_id"] = run
			},
			IdentityToken: func(doc map[string]any, tok string) {
				platform.Obj(platform.Obj(platform.Obj(doc, "tracker"), "latest_message"), "metadata")[conversation.IdentityField] = tok
			},
			Messages: func(body []byte) ([]string, string, error) {
				var w struct {
					Responses []struct{ Text string } `json:"responses"`
				}
				if err := json.Unmarshal(body, &w); err != nil {
					return nil, "", err
				}
				var out []string
				for _, m := range w.Responses {
					out = append(out, m.Text)
				}
				return out, "", nil
			},
		},
	})
}
