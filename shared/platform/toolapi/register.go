package toolapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

//go:embed testdata/response.schema.json
var responseSchema []byte

func init() {
	platform.Register(platform.Entry{
		Spec: names.Spec{Name: string(Platform)},
		New:  func(platform.Names, bool) platform.Adapter { return New() },
		// The intent is the route's (/api/v1/<intent>), never the body's.
		IntentName: func([]byte) string { return "" },
		ReadOutcome: func(body []byte) (platform.WireOutcome, bool) {
			var out platform.WireOutcome
			if json.Unmarshal(body, &out) != nil {
				return platform.WireOutcome{}, false
			}
			return out, out.Outcome != ""
		},
		OutcomeWhere:   "outcome, fallback",
		Console:        simulator,
		ResponseSchema: responseSchema,
		Handlers: func(_ platform.Names, g platform.Gate) map[string]http.Handler {
			return Handlers(g)
		},
		// On AWS the router admits a call and forwards it with its route: the intent
		// function completes the turn as POST /api/v1/<intent> does.
		Complete: prepare,
		Headers:  []string{IdentityHeader, "Accept-Language", IdempotencyHeader, SessionHeader},
		Setup: func(w io.Writer, in platform.SetupInfo) {
			fmt.Fprintln(w, "OpenAPI description (import it as a tool, e.g. a Dialogflow CX playbook tool):")
			fmt.Fprintln(w, "  "+in.BaseURL+OpenAPIPath)
			fmt.Fprintln(w, "Operations:")
			for _, i := range spec.All() {
				fmt.Fprintln(w, "  POST "+in.BaseURL+PathPrefix+i.Name)
			}
			fmt.Fprintln(w, "MCP server (streamable HTTP; stateless on AWS):")
			fmt.Fprintln(w, "  "+in.BaseURL+"/mcp")
			fmt.Fprintln(w, "# "+in.Auth)
			fmt.Fprintln(w, "# The end user's identity token: header "+IdentityHeader)
		},
		Smoke: platform.Smoke{
			// The turn id comes from the Idempotency-Key header; a call without one
			// is fresh.
			FreshIDs: func(map[string]any, string, string) {},
			// The identity token travels only in the X-Switchboard-Identity header:
			// a body field is ignored, so a sample event cannot carry it.
			IdentityToken: func(map[string]any, string) {},
			Unsupported: "the tool API takes its intent from the path /api/v1/<intent> and the identity token from a header: " +
				"on AWS the router's own routes serve it, while the smoke and synthetic conversations invoke the intent functions " +
				"with webhook events (tests/toolapi_rie_test.go exercises it through the router)",
			Messages: func(body []byte) ([]string, string, error) {
				var r Result
				if err := json.Unmarshal(body, &r); err != nil {
					return nil, "", err
				}
				// The answer as a person reads it: its references filled from the
				// fields (what the smoke test checks is that the record is right).
				return []string{Fill(r)}, "", nil
			},
		},
	})
}
