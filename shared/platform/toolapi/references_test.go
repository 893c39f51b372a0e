package toolapi_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
)

// References are the paths of the records' fields in an answer, and nothing that
// only looks like one ([click], a caller's [x]); Field resolves them, Unresolved lists
// those that name no field, and Fill puts the values in for a person.
func TestReferences(t *testing.T) {
	t.Parallel()
	r := toolapi.Result{Outcome: "fulfilled", Language: "en",
		Answer: "I found [customer.name] ([customer.company]) at [customer.address]. #[tickets[0].number] \"[tickets[0].subject]\" [click] [x.y] [articles[1].title] [payment.status]",
		Customer: &conversation.CustomerData{Name: "Ada", Email: "ada@example.com", Company: "AE [Ltd]",
			Address: &conversation.AddressData{Street: "221B Baker Street", City: "London", PostalCode: "NW1 6XE"}},
		Tickets: []toolapi.Ticket{{Number: "1010", Subject: "Export"}}}
	doc, _ := json.Marshal(r)
	want := []string{"customer.name", "customer.company", "customer.address", "tickets[0].number", "tickets[0].subject",
		"articles[1].title", "payment.status"}
	if got := toolapi.References(r.Answer); !slices.Equal(got, want) {
		t.Errorf("References = %q, want %q", got, want)
	}
	if got := toolapi.Unresolved(doc); !slices.Equal(got, []string{"articles[1].title", "payment.status"}) {
		t.Errorf("Unresolved = %q", got)
	}
	if v, ok := toolapi.Field(doc, "tickets[1].subject"); ok {
		t.Errorf("tickets[1] resolved to %v", v)
	}
	if got, want := toolapi.Fill(r), "I found Ada (AE [Ltd]) at 221B Baker Street, NW1 6XE London. #1010 \"Export\" [click] [x.y] [articles[1].title] [payment.status]"; got != want {
		t.Errorf("Fill = %q\nwant %q", got, want)
	}
}
