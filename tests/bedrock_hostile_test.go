package tests

import (
	"encoding/json"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi/agenttest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// TestBedrockAgentHostileToolText: through `serve`, signed in as Ada, whose company,
// tickets and the help center's article titles read like instructions
// (testenv.HostileDemo), both forms of an action group answer the tool API's result:
// the API schema's application/json body and the function's TEXT body are that JSON
// document, whose answer quotes none of the text and names the fields that hold it,
// inert. The text is nowhere but in a JSON string field.
func TestBedrockAgentHostileToolText(t *testing.T) {
	base, a, _ := oracleServer(t)
	testenv.HostileDemo(t, a.Config.DataDir)
	ada := mint(t, jwt.SigningMethodHS256, []byte(identity.DemoKey), nil)
	for _, form := range []string{"function", "api"} {
		for i, c := range agenttest.Calls {
			var params []bedrockagent.Parameter
			for k, v := range c.Args {
				params = append(params, bedrockagent.Parameter{Name: k, Type: "string", Value: v})
			}
			ev := bedrockagent.Event{MessageVersion: "1.0", Agent: bedrockagent.Agent{Name: "a", ID: "AGT7K2Q9XZ", Alias: "TSTALIASID", Version: "1"},
				SessionID: nextID("hostile"), ActionGroup: "switchboard", InputText: nextID("text"),
				SessionAttributes: map[string]string{conversation.IdentityField: ada}}
			if form == "api" {
				ev.APIPath, ev.HTTPMethod = "/"+c.Intent, "POST"
				ev.RequestBody = &bedrockagent.RequestBody{Content: map[string]bedrockagent.Content{bedrockagent.ContentJSON: {Properties: params}}}
			} else {
				ev.Function, ev.Parameters = c.Intent, params
			}
			body, _ := json.Marshal(ev)
			doc, _, _ := bedrockReply(t, post(t, base, bedrock, body))
			var b bedrockagent.Body
			if err := json.Unmarshal([]byte(doc), &b); err != nil {
				t.Fatalf("%s %s: the body is not the result: %v: %s", form, c.Intent, err, doc)
			}
			agenttest.Check(t, "Bedrock "+form, i, b.Answer, []byte(doc), b)
		}
	}
}
