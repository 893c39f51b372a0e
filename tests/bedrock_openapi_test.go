package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// TestBedrockOpenAPISchema holds the API schema users upload to their agent
// (docs/platforms/bedrock-agent/openapi.json) to what Switchboard does, with Prism as
// a validating proxy: each operation's request, as the agent would build it from the
// schema, becomes the action group event the agent sends (apiPath, httpMethod, the
// JSON body's properties), goes through the whole stack, and the operation's answer
// (httpStatusCode, the application/json body) must be one the schema describes.
func TestBedrockOpenAPISchema(t *testing.T) {
	e := newEngine(t, false)
	ada := mint(t, jwt.SigningMethodHS256, []byte(identity.DemoKey), nil)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var props map[string]string
		if err := json.NewDecoder(r.Body).Decode(&props); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var list []bedrockagent.Parameter
		for k, v := range props {
			list = append(list, bedrockagent.Parameter{Name: k, Type: "string", Value: v})
		}
		ev := bedrockagent.Event{MessageVersion: "1.0", Agent: bedrockagent.Agent{Name: "a", ID: "AGT7K2Q9XZ", Alias: "TSTALIASID", Version: "1"},
			SessionID: nextID("oas"), ActionGroup: "switchboard-api", APIPath: r.URL.Path, HTTPMethod: r.Method, InputText: nextID("text"),
			RequestBody:       &bedrockagent.RequestBody{Content: map[string]bedrockagent.Content{bedrockagent.ContentJSON: {Properties: list}}},
			SessionAttributes: map[string]string{conversation.IdentityField: r.Header.Get("X-Test-Token")}}
		body, _ := json.Marshal(ev)
		resp := e.Serve(context.Background(), bedrockagent.Platform, body)
		var out bedrockagent.Response
		if resp.Status != 200 || json.Unmarshal(resp.Body, &out) != nil || out.Response.HTTPStatusCode == 0 {
			http.Error(w, string(resp.Body), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", bedrockagent.ContentJSON)
		w.WriteHeader(out.Response.HTTPStatusCode)
		io.WriteString(w, out.Response.ResponseBody[bedrockagent.ContentJSON].Body)
	}))
	t.Cleanup(upstream.Close)
	prism := testenv.StartPrism(t, upstream.URL, testenv.PrismSpec{Prefix: "/",
		File: filepath.Join(testenv.RepoRoot(), "docs", "platforms", "bedrock-agent", bedrockagent.OpenAPIFile)})

	call := func(t *testing.T, path string, props map[string]string) (int, bedrockagent.Body) {
		t.Helper()
		b, _ := json.Marshal(props)
		req, _ := http.NewRequest(http.MethodPost, prism.URL+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Test-Token", ada)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc bedrockagent.Body
		raw, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, raw)
		}
		return resp.StatusCode, doc
	}
	for _, in := range spec.All() {
		t.Run(in.Name, func(t *testing.T) {
			before := prism.Exchanges()
			// Its sample turn's values (the contract's examples; update_customer's is a
			// no to its question, so the call is answered and changes nothing).
			props := map[string]string{}
			for _, s := range in.Slots {
				if s.Example != "" {
					props[s.Name] = s.Example
				}
			}
			status, doc := call(t, "/"+in.Name, props)
			if status != 200 || doc.Outcome != conversation.OutcomeFulfilled || doc.Answer == "" {
				t.Errorf("%d %+v", status, doc)
			}
			// Ada's records, held to the schema by Prism like the rest of the body.
			if in.Name == "lookup_customer" && (doc.Customer == nil || doc.Payment == nil) ||
				in.Name == "verify_payment" && (doc.Payment == nil || doc.Payment.Reference == "") {
				t.Errorf("%s without its records: %+v", in.Name, doc)
			}
			// An invalid value: the answer asks for it again (400, missing names it).
			for _, s := range in.Slots {
				if s.Required {
					props[s.Name] = "?"
					status, doc = call(t, "/"+in.Name, props)
					if status != 400 || len(doc.Missing) == 0 || doc.Missing[0].Input != s.Name || doc.Answer == "" {
						t.Errorf("invalid %s: %d %+v", s.Name, status, doc)
					}
					break
				}
			}
			prism.Check(t)
			if prism.Exchanges() == before {
				t.Error("no call went through Prism")
			}
		})
	}
}
