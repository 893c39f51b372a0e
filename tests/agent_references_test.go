package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
)

// TestAgentGoldenReferences: in every Bedrock agent golden reply (every intent and
// situation, both forms, the hostile steps), the body is the tool API's result and
// each reference of its answer names a field the result holds; the signed lookups,
// payments, tickets, searches and updates refer to their records at all.
func TestAgentGoldenReferences(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", string(bedrock), "*", "*.json"))
	if err != nil || len(files) < 30 {
		t.Fatalf("%d golden files: %v", len(files), err)
	}
	referring := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var g struct {
			Body bedrockagent.Response `json:"body"`
		}
		if err := json.Unmarshal(raw, &g); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		r := g.Body.Response
		doc := r.ResponseBody[bedrockagent.ContentJSON].Body
		if fr := r.FunctionResponse; fr != nil {
			doc = fr.ResponseBody["TEXT"].Body
		}
		var res toolapi.Result
		if err := json.Unmarshal([]byte(doc), &res); err != nil {
			t.Errorf("%s: the body is not the tool API's result: %v", f, err)
			continue
		}
		if u := toolapi.Unresolved([]byte(doc)); len(u) > 0 {
			t.Errorf("%s: the answer refers to %v, which the result does not hold: %s", f, u, doc)
		}
		if len(toolapi.References(res.Answer)) > 0 {
			referring++
		}
		if strings.Contains(f, "success") && res.Outcome == "fulfilled" && (res.Customer != nil || len(res.Tickets) > 0 || len(res.Articles) > 0) &&
			len(toolapi.References(res.Answer)) == 0 {
			t.Errorf("%s: an answer with records names none of them: %s", f, res.Answer)
		}
	}
	if referring < 5 {
		t.Errorf("only %d golden answers refer to fields", referring)
	}
}
