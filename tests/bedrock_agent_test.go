package tests

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

const bedrock = bedrockagent.Platform

// bedrockReply is what a Bedrock response says: the function's TEXT body or the
// operation's JSON body, and the operation's status code.
func bedrockReply(t *testing.T, body string) (text string, state string, code int) {
	t.Helper()
	schematest.Validate(t, bedrock, []byte(body))
	var r bedrockagent.Response
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if fr := r.Response.FunctionResponse; fr != nil {
		return fr.ResponseBody["TEXT"].Body, fr.ResponseState, 0
	}
	return r.Response.ResponseBody["application/json"].Body, "", r.Response.HTTPStatusCode
}

// TestBedrockAgentThroughServe: every sample event, both forms, signed and unsigned,
// through `serve`'s HTTP handler at /webhooks/bedrock-agent: a valid response of the
// same form; the signed lookup and payment check answer Ada, the unsigned ones do not.
func TestBedrockAgentThroughServe(t *testing.T) {
	base, _, _ := oracleServer(t)
	files, _ := filepath.Glob(filepath.Join("..", "events", string(bedrock), "*.json"))
	if len(files) < 9 {
		t.Fatalf("%d sample events", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		raw, _ := os.ReadFile(f)
		if name == "malformed.json" {
			resp, err := http.Post(base+"/webhooks/bedrock-agent", "application/json", strings.NewReader(string(raw)))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("malformed: HTTP %d", resp.StatusCode)
			}
			continue
		}
		body := post(t, base, bedrock, withTurn(t, bedrock, raw, nextID("s"), nextID("t")))
		text, _, code := bedrockReply(t, body)
		api := strings.Contains(string(raw), `"apiPath"`)
		if api != (code != 0) {
			t.Errorf("%s: answered in the other form: %s", name, body)
		}
		signed := strings.HasSuffix(name, "_signed.json")
		personal := strings.HasPrefix(name, "lookup_customer") || strings.HasPrefix(name, "verify_payment")
		if personal && signed && revealsAda(text) == "" {
			t.Errorf("%s: the signed turn did not answer: %s", name, text)
		}
		if personal && !signed && revealsAda(text) != "" {
			t.Errorf("%s: an unsigned turn reveals %q: %s", name, revealsAda(text), text)
		}
		if strings.Contains(body, "identity_token") || strings.Contains(body, "eyJ") {
			t.Errorf("%s: a token is echoed: %s", name, body)
		}
	}
}

// TestBedrockAgentHostileArguments: the model cannot talk its way into data. With the
// application's token for Ada, a parameter naming another customer gets the same
// neutral answer as an address with no account; a token the model passes as a
// parameter (or request body property) is ignored and never echoed.
func TestBedrockAgentHostileArguments(t *testing.T) {
	base, _, _ := oracleServer(t)
	ada := mint(t, jwt.SigningMethodHS256, []byte(identity.DemoKey), nil)
	for _, in := range []conversation.Intent{conversation.LookupCustomer, conversation.VerifyPayment, conversation.CreateTicket} {
		signed := readEvent(t, bedrock, strings.TrimSuffix(eventFile[in], ".json")+"_signed.json")
		ask := func(email string) string {
			body := withSlots(t, bedrock, withToken(t, bedrock, signed, ada), map[string]*string{"email": str(email)})
			text, _, _ := bedrockReply(t, post(t, base, bedrock, withTurn(t, bedrock, body, nextID("s"), nextID("t"))))
			return text
		}
		nobodyEmail := nextID("nobody") + "@example.com"
		other, nobody := ask("grace.hopper@example.com"), ask(nobodyEmail)
		// The same words but the address asked about, echoed back to its asker.
		other, nobody = strings.ReplaceAll(other, "grace.hopper@example.com", "<email>"), strings.ReplaceAll(nobody, nobodyEmail, "<email>")
		if strings.Contains(other, "Hopper") || strings.Contains(other, "pi_demo_grace") {
			t.Errorf("%s: another customer's data for Ada's token: %s", in, other)
		}
		if in != conversation.CreateTicket && other != nobody {
			t.Errorf("%s: another customer's address reads differently from an unknown one:\n%s\n%s", in, other, nobody)
		}

		// The token as a parameter and a body property of an unsigned event.
		unsigned := readEvent(t, bedrock, eventFile[in])
		body := editEvent(t, unsigned, func(ev map[string]any) {
			tok := ada
			bedrockSetParam(ev, "identity_token", &tok)
			ps, _ := ev["parameters"].([]any)
			ev["parameters"] = append(ps, map[string]any{"name": "identity_token", "type": "string", "value": ada})
		})
		out := post(t, base, bedrock, withTurn(t, bedrock, body, nextID("s"), nextID("t")))
		text, _, _ := bedrockReply(t, out)
		if in != conversation.CreateTicket && revealsAda(text) != "" {
			t.Errorf("%s: a token passed as a parameter was read: %s", in, text)
		}
		if strings.Contains(out, ada) || strings.Contains(out, strings.Split(ada, ".")[2]) {
			t.Errorf("%s: the parameter's token is echoed: %s", in, out)
		}
	}
}

// A missing parameter makes the agent ask the user: REPROMPT whose result names it
// for a function, 400 with missing naming it for an operation.
func TestBedrockAgentMissingParameter(t *testing.T) {
	base, _, _ := oracleServer(t)
	fn := withSlots(t, bedrock, readEvent(t, bedrock, "lookup_customer.json"), map[string]*string{"email": nil})
	text, state, _ := bedrockReply(t, post(t, base, bedrock, withTurn(t, bedrock, fn, nextID("s"), nextID("t"))))
	var fb bedrockagent.Body
	if err := json.Unmarshal([]byte(text), &fb); err != nil || state != bedrockagent.StateReprompt ||
		fb.Outcome != conversation.OutcomeElicitSlot || len(fb.Missing) == 0 || fb.Missing[0].Input != "email" {
		t.Errorf("function: %s %q", state, text)
	}
	api := withSlots(t, bedrock, readEvent(t, bedrock, "search_kb.json"), map[string]*string{"query": nil})
	doc, _, code := bedrockReply(t, post(t, base, bedrock, withTurn(t, bedrock, api, nextID("s"), nextID("t"))))
	var b bedrockagent.Body
	if err := json.Unmarshal([]byte(doc), &b); err != nil || code != 400 || (len(b.Missing) == 0 || b.Missing[0].Input != "query") || b.Outcome != conversation.OutcomeElicitSlot {
		t.Errorf("operation: %d %s", code, doc)
	}
}
