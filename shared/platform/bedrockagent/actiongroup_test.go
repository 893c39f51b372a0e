package bedrockagent_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/switchboard-dev/switchboard/shared/intents/all"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
)

// The committed action group definitions are the ones the registry generates: a
// changed intent fails here until `go generate ./shared/platform/bedrockagent`.
func TestDefinitionsAreCurrent(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "..", "docs", "platforms", "bedrock-agent")
	for name, render := range map[string]func([]spec.Intent) ([]byte, error){
		bedrockagent.FunctionsFile: bedrockagent.Functions,
		bedrockagent.OpenAPIFile:   bedrockagent.OpenAPI,
	} {
		want, err := render(spec.All())
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != string(want) {
			t.Errorf("docs/platforms/bedrock-agent/%s is stale (%v): run go generate ./shared/platform/bedrockagent", name, err)
		}
	}
}

// Every intent is a function and an operation; each required slot is a required
// parameter whose description tells the model to ask the user; the operations are
// the paths the adapter maps back to intents.
func TestDefinitionsCoverTheRegistry(t *testing.T) {
	t.Parallel()
	fb, _ := bedrockagent.Functions(spec.All())
	var fns struct {
		Functions []struct {
			Name, Description string
			Parameters        map[string]struct {
				Description, Type string
				Required          bool
			}
		}
	}
	if err := json.Unmarshal(fb, &fns); err != nil {
		t.Fatal(err)
	}
	ob, _ := bedrockagent.OpenAPI(spec.All())
	var api struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]struct {
			Post struct {
				OperationID string `json:"operationId"`
				RequestBody struct {
					Content map[string]struct {
						Schema struct {
							Required   []string
							Properties map[string]any
						}
					}
				} `json:"requestBody"`
			}
		}
	}
	if err := json.Unmarshal(ob, &api); err != nil || api.OpenAPI != "3.0.0" {
		t.Fatalf("OpenAPI: %v %s", err, api.OpenAPI)
	}
	if len(fns.Functions) != len(spec.All()) || len(api.Paths) != len(spec.All()) {
		t.Fatalf("%d functions, %d paths, %d intents", len(fns.Functions), len(api.Paths), len(spec.All()))
	}
	for i, in := range spec.All() {
		f := fns.Functions[i]
		op := api.Paths["/"+in.Name].Post
		body := op.RequestBody.Content["application/json"].Schema
		if f.Name != in.Name || op.OperationID != in.Name || f.Description == "" {
			t.Errorf("%s: function %q, operation %q", in.Name, f.Name, op.OperationID)
		}
		if len(f.Parameters) > 5 {
			t.Errorf("%s: %d parameters, Bedrock takes at most 5 per function", in.Name, len(f.Parameters))
		}
		for _, s := range in.Slots {
			p, ok := f.Parameters[s.Name]
			if !ok || p.Required != s.Required || p.Type != "string" {
				t.Errorf("%s: parameter %s = %+v", in.Name, s.Name, p)
			}
			if s.Required && !strings.Contains(p.Description, "ask the user") {
				t.Errorf("%s: %s does not say to ask the user: %q", in.Name, s.Name, p.Description)
			}
			if _, ok := body.Properties[s.Name]; !ok {
				t.Errorf("%s: operation lacks %s", in.Name, s.Name)
			}
		}
		for _, r := range body.Required {
			if p := f.Parameters[r]; !p.Required {
				t.Errorf("%s: %s required in one form only", in.Name, r)
			}
		}
		if _, ok := f.Parameters["identity_token"]; ok {
			t.Errorf("%s: an identity_token parameter", in.Name)
		}
	}
}
