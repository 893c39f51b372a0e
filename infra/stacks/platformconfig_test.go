package stacks_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/switchboard-dev/switchboard/infra/stacks"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// TestPlatformConfigFromSynthesizedOutputs synthesizes a fixture environment, writes
// the outputs file `cdk deploy --outputs-file` would (each output of the synthesized
// templates, its deploy-time value stood in by what CloudFormation resolves it to), and
// runs `switchboard platform-config` on it for every platform: the values the guides in
// docs/platforms tell users to paste.
func TestPlatformConfigFromSynthesizedOutputs(t *testing.T) {
	s, err := stacks.SettingsFromSources(fixtures, repoContext(t), map[string]any{"env": "deployed", "stage": "payments", "assetDir": assetDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(nil)
	built, err := stacks.Build(app, s)
	if err != nil {
		t.Fatal(err)
	}
	resolved := map[string]string{
		"WebhookBaseUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com",
		"RouterAliasArn": "arn:aws:lambda:eu-west-1:123456789012:function:switchboard-router:live",
	}
	outputs := map[string]map[string]string{}
	for _, st := range []awscdk.Stack{built.Functions.Stack, built.API.Stack, built.Monitoring.Stack} {
		tpl := assertions.Template_FromStack(st, nil).ToJSON()
		outs, _ := (*tpl)["Outputs"].(map[string]any)
		name := *st.StackName()
		outputs[name] = map[string]string{}
		for k := range outs {
			v, ok := resolved[k]
			if lit, isLit := outs[k].(map[string]any)["Value"].(string); !ok && isLit {
				v, ok = lit, true // a literal output (the webhook auth) reads as synthesized
			}
			if !ok {
				v = "resolved-" + k
			}
			outputs[name][k] = v
		}
	}
	for k := range resolved {
		found := false
		for _, o := range outputs {
			_, ok := o[k]
			found = found || ok
		}
		if !found {
			t.Fatalf("the synthesized templates have no output %s: %v", k, outputs)
		}
	}
	raw, _ := json.Marshal(outputs)
	file := filepath.Join(t.TempDir(), "outputs.json")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "switchboard")
	build := exec.Command("go", "build", "-o", bin, "./cmd/switchboard")
	build.Dir = testenv.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	base := resolved["WebhookBaseUrl"]
	for platform, want := range map[string][]string{
		"dialogflow-es": {base + "/webhooks/dialogflow", "LookupCustomer -> lookup_customer", "SearchKnowledgeBase -> search_kb",
			`Authentication: basic auth, username and password from the secret "switchboard/webhook/dialogflow"`},
		"dialogflow-cx": {base + "/webhooks/dialogflow-cx", base + "/webhooks/dialogflow-cx/verify-payment", "create-ticket -> create_ticket",
			`<token of the secret "switchboard/webhook/dialogflow-cx">`},
		"lex": {resolved["RouterAliasArn"], "VerifyPayment -> verify_payment"},
		"rasa": {"action_endpoint:", `url: "` + base + `/webhooks/rasa"`, "action_lookup_customer -> lookup_customer",
			`<token of the secret "switchboard/webhook/rasa">`},
		"tool-api": {base + "/openapi.json", "POST " + base + "/api/v1/lookup_customer", base + "/mcp",
			`Authorization: Bearer <token of the secret "switchboard/webhook/tool-api">`},
	} {
		cmd := exec.Command(bin, "platform-config", "--platform", platform, "--stack-outputs", file)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", platform, err, out)
			continue
		}
		for _, w := range want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s: output lacks %q:\n%s", platform, w, out)
			}
		}
	}
}
