package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/infra/stacks"
)

// toolRoutes are the tool API's routes: its operations, its OpenAPI description and
// its MCP server (stateless: GET and DELETE answer 405, as MCP clients expect).
var toolRoutes = []string{"POST /api/v1/{intent}", "GET /openapi.json", "POST /mcp", "GET /mcp", "DELETE /mcp"}

// TestToolAPIInfra: the HTTP API sends the tool API's routes to the router's live
// alias; the stack generates the tool API's Bearer secret, and the router and every
// intent function check it (method bearer, the secret named, read access to exactly
// it among the webhook secrets); the router may invoke the intent aliases it forwards
// tool calls to, and nothing at /webhooks/tool-api.
func TestToolAPIInfra(t *testing.T) {
	sy := synthesize(t, stacks.RolloutReads)
	api := sy.json[stacks.APIStackID]
	integ := map[string]string{}
	for id, r := range api.ofType("AWS::ApiGatewayV2::Integration") {
		integ["integrations/{Ref:"+id+"}"] = strings.ToLower(flat(r.Properties["IntegrationUri"]))
	}
	routes := map[string]string{}
	for _, r := range api.ofType("AWS::ApiGatewayV2::Route") {
		routes[flat(r.Properties["RouteKey"])] = integ[flat(r.Properties["Target"])]
	}
	for _, k := range toolRoutes {
		if uri, ok := routes[k]; !ok || !strings.Contains(uri, stacks.RouterName+"live") {
			t.Errorf("route %s: %q, want the router's live alias", k, uri)
		}
	}
	if _, ok := routes["POST /webhooks/tool-api"]; ok {
		t.Error("a webhook route for the tool API: its routes are /api/v1, /openapi.json and /mcp")
	}

	fns := sy.json[stacks.FunctionsStackID]
	secret := sy.s.WebhookSecretName("tool_api")
	if secret != sy.s.SecretPrefix+"webhook/tool-api" {
		t.Fatalf("secret name %q", secret)
	}
	secretID := ""
	for id, r := range fns.ofType("AWS::SecretsManager::Secret") {
		if flat(r.Properties["Name"]) != secret {
			continue
		}
		secretID = id
		gen, _ := r.Properties["GenerateSecretString"].(map[string]any)
		if gen == nil || gen["GenerateStringKey"] != "token" || gen["PasswordLength"] != float64(48) {
			t.Errorf("tool API secret not generated with a 48-character token: %s", flat(r.Properties))
		}
	}
	if secretID == "" {
		t.Fatalf("no generated secret %s", secret)
	}
	pols := policies(t, sy)
	checked := 0
	for _, r := range fns.ofType("AWS::Lambda::Function") {
		name := strings.TrimPrefix(flat(r.Properties["FunctionName"]), sy.s.Prefix+"-")
		if isSmoke(sy, flat(r.Properties["FunctionName"])) {
			continue
		}
		env, _ := r.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		if env["SWITCHBOARD_SECURITY_TOOL_API_METHOD"] != "bearer" || env["SWITCHBOARD_SECURITY_TOOL_API_SECRET"] != secret {
			t.Errorf("%s: tool API auth %v %v", name, env["SWITCHBOARD_SECURITY_TOOL_API_METHOD"], env["SWITCHBOARD_SECURITY_TOOL_API_SECRET"])
		}
		reads := false
		for _, st := range pols[name] {
			reads = reads || (slices.Contains(actions(st), "secretsmanager:GetSecretValue") && slices.Contains(resources(st), "{Ref:"+secretID+"}"))
		}
		if !reads {
			t.Errorf("%s checks the tool API's Bearer token but may not read %s", name, secret)
		}
		checked++
	}
	if want := len(sy.s.Functions()) + 1; checked != want {
		t.Errorf("checked %d functions, want the router and %d intent functions", checked, want-1)
	}
	// What `switchboard platform-config --platform tool-api` reads.
	if o, _ := fns.Outputs["WebhookAuthToolApi"].(map[string]any); o == nil || o["Value"] != "bearer "+secret {
		t.Errorf("output WebhookAuthToolApi: %v", fns.Outputs["WebhookAuthToolApi"])
	}
}
