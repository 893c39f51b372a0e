package lexv2_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/lexv2"
)

// An identity token is never echoed from any field of the event: not from a slot (nor
// a composite slot's sub-slot), the session attributes, the request attributes or an
// active context's attributes, whatever the reply's outcome. The token is read from the
// request attributes, else the session attributes; a slot of that name is no source and
// is dropped from the turn.
func TestEncodeNeverEchoesIdentityToken(t *testing.T) {
	tok := func(field string) string { return "eyJhbGciOiJIUzI1NiJ9.tok-" + field + ".sig" }
	body, err := os.ReadFile("../../../events/lex/lookup_customer.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	ss := ev["sessionState"].(map[string]any)
	ss["sessionAttributes"].(map[string]any)[conversation.IdentityField] = tok("sessionAttributes")
	ev["requestAttributes"] = map[string]any{conversation.IdentityField: tok("requestAttributes")}
	ss["activeContexts"] = []any{map[string]any{"name": "ctx", "timeToLive": map[string]any{"timeToLiveInSeconds": 60, "turnsToLive": 5},
		"contextAttributes": map[string]any{"keep": "me", conversation.IdentityField: tok("contextAttributes")}}}
	slots := ss["intent"].(map[string]any)["slots"].(map[string]any)
	slots[conversation.IdentityField] = map[string]any{"shape": "Scalar", "value": map[string]any{
		"originalValue": tok("slot"), "interpretedValue": tok("slot"), "resolvedValues": []any{}}}
	slots["address"] = map[string]any{"shape": "Composite", "subSlots": map[string]any{
		"street": map[string]any{"shape": "Scalar", "value": map[string]any{"originalValue": "1 Main St", "interpretedValue": "1 Main St", "resolvedValues": []any{}}},
		conversation.IdentityField: map[string]any{"shape": "Scalar", "value": map[string]any{
			"originalValue": tok("subSlot"), "interpretedValue": tok("subSlot"), "resolvedValues": []any{}}},
	}}
	body, _ = json.Marshal(ev)

	req, err := lexv2.New(platform.Names{"LookupCustomer": conversation.LookupCustomer}).Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	turn := req.Turn()
	if turn.IdentityToken != tok("requestAttributes") {
		t.Errorf("token read %q, want the request attributes' one", turn.IdentityToken)
	}
	if _, ok := turn.Slots[conversation.IdentityField]; ok {
		t.Errorf("the identity_token slot is among the turn's slots: %v", turn.Slots)
	}
	code := "123456"
	for name, r := range map[string]conversation.Reply{
		"fulfilled": {Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok"}},
		"failed":    {Outcome: conversation.OutcomeFailed, Messages: []string{"sorry"}},
		"elicit":    {Outcome: conversation.OutcomeElicitSlot, Messages: []string{"code?"}, SlotToElicit: "verification_code"},
		// A slot the bot's intent does not define: ElicitIntent, or Close when silent.
		"elicit undefined":        {Outcome: conversation.OutcomeElicitSlot, Messages: []string{"which?"}, SlotToElicit: "not_in_bot"},
		"elicit undefined silent": {Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "not_in_bot"},
		"delegate":                {Outcome: conversation.OutcomeDelegate},
		"set slots": {Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok"},
			SetSlots: map[string]*string{"verification_code": nil, "note": &code}},
	} {
		status, out, err := req.Encode(r)
		if err != nil || status != 200 {
			t.Fatalf("%s: %d %v", name, status, err)
		}
		for _, field := range []string{"sessionAttributes", "requestAttributes", "contextAttributes", "slot", "subSlot"} {
			if strings.Contains(string(out), "tok-"+field) {
				t.Errorf("%s: the token from the %s is echoed: %s", name, field, out)
			}
		}
		var resp lexv2.Response
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.SessionState.SessionAttributes["channel"] != "web" {
			t.Errorf("%s: the other session attributes are not echoed: %v", name, resp.SessionState.SessionAttributes)
		}
		if ac := resp.SessionState.ActiveContexts; len(ac) != 1 || ac[0].ContextAttributes["keep"] != "me" {
			t.Errorf("%s: the active context's other attributes are lost: %+v", name, ac)
		}
		if resp.SessionState.Intent == nil {
			// ElicitIntent (a slot the bot's intent lacks) returns no intent at all.
			if resp.SessionState.DialogAction.Type != lexv2.ActionElicitIntent {
				t.Errorf("%s: no intent in a %s reply", name, resp.SessionState.DialogAction.Type)
			}
		} else if s, ok := resp.SessionState.Intent.Slots[conversation.IdentityField]; !ok || s != nil {
			t.Errorf("%s: the identity_token slot is not cleared (null): %+v", name, s)
		}
	}
	// The event itself is left as it was (the adapter's copy is what changed).
	if !strings.Contains(string(mustJSON(t, req.(*lexv2.Call).Wire)), tok("sessionAttributes")) {
		t.Error("Encode changed the decoded event")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
