// Package agenttest holds the agent surfaces' tests to the rule that text from the
// business tools reaches a model only as data: the calls that bring injected text
// back (over the demo backend, testenv.HostileDemo) and the check of their results,
// shared by the tool API's, MCP's and Bedrock agents' tests.
package agenttest

import (
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// Calls are the calls whose results carry testenv.Injection from the demo backend
// (testenv.HostileDemo) or a ticket subject, for the agent surfaces' tests: the call,
// its arguments, and where the result must hold the injected text, inert.
var Calls = []struct {
	Intent string
	Args   map[string]string
	Holds  func(toolapi.Result) bool
}{
	{string(conversation.LookupCustomer), map[string]string{"email": "ada@example.com"}, func(r toolapi.Result) bool {
		inert := plaintext.Inert(testenv.Injection)
		return r.Customer != nil && r.Customer.Company == inert && len(r.Tickets) == 1 && r.Tickets[0].Subject == inert
	}},
	{string(conversation.SearchKB), map[string]string{"query": "password"}, func(r toolapi.Result) bool {
		return len(r.Articles) > 0 && r.Articles[0].Title == plaintext.Inert("Password help: "+testenv.Injection)
	}},
	{string(conversation.CreateTicket), map[string]string{"subject": testenv.Injection, "description": "x"}, func(r toolapi.Result) bool {
		return len(r.Tickets) == 1 && r.Tickets[0].Subject == plaintext.Inert(testenv.Injection)
	}},
}

// Check holds one result of Calls[i] to the rule of the agent
// surfaces: text shows the answer (the tool API's answer, MCP's text content) with
// none of the injected text, its references all name fields of the result doc, and
// the text is in its fields, inert.
func Check(t *testing.T, surface string, i int, text string, doc []byte, r toolapi.Result) {
	t.Helper()
	c := Calls[i]
	if r.Outcome != "fulfilled" {
		t.Fatalf("%s %s: %s", surface, c.Intent, doc)
	}
	if m := testenv.HasInjection(text); m != "" {
		t.Errorf("%s %s: the answer quotes the tool's text (%q): %s", surface, c.Intent, m, text)
	}
	if len(toolapi.References(text)) == 0 {
		t.Errorf("%s %s: the answer refers to no field: %s", surface, c.Intent, text)
	}
	if u := toolapi.Unresolved(doc); len(u) > 0 {
		t.Errorf("%s %s: references to no field %v: %s", surface, c.Intent, u, doc)
	}
	if !c.Holds(r) {
		t.Errorf("%s %s: the injected text is not in its field, inert: %s", surface, c.Intent, doc)
	}
}
