package toolapi_test

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
)

// update_customer through serve's handler over the embedded demo (app.Build wires the
// CRM's updater): the call with the new value answers with the question (elicit_slot
// for confirm, yes and no offered) and changes nothing; confirm no changes nothing;
// confirm yes changes the signed-in caller's own record and answers what it now holds.
// Without the identity header the answer is the neutral one.
func TestUpdateCustomerConfirmation(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	ada := map[string]string{toolapi.IdentityHeader: token(t, "ada@example.com")}
	change := map[string]string{"field": "phone", "new_value": "+44 20 7946 0958"}
	with := func(k, v string) map[string]string {
		out := map[string]string{k: v}
		for kk, vv := range change {
			out[kk] = vv
		}
		return out
	}
	_, q, raw := call(t, srv.URL, "update_customer", change, ada)
	if q.Outcome != conversation.OutcomeElicitSlot || len(q.Missing) == 0 || q.Missing[0].Input != "confirm" ||
		!strings.Contains(q.Answer, "442079460958") || len(q.Choices) != 2 {
		t.Fatalf("question: %s", raw)
	}
	_, no, raw := call(t, srv.URL, "update_customer", with("confirm", "no"), ada)
	if no.Outcome != conversation.OutcomeFulfilled || !strings.Contains(no.Answer, "haven't changed anything") {
		t.Fatalf("no: %s", raw)
	}
	_, anon, raw := call(t, srv.URL, "update_customer", with("confirm", "yes"), map[string]string{})
	if anon.Outcome != conversation.OutcomeElicitSlot && !strings.Contains(anon.Answer, "account holder") || strings.Contains(anon.Answer, "Ada") {
		t.Fatalf("anonymous: %s", raw)
	}
	// Signed in as ada, naming grace's email: ada's own record changes.
	body := with("confirm", "yes")
	body["email"] = "grace.hopper@example.com"
	_, yes, raw := call(t, srv.URL, "update_customer", body, ada)
	// The number as the CRM reads it back is the record's field, which the answer
	// names.
	if yes.Outcome != conversation.OutcomeFulfilled || !strings.Contains(yes.Answer, "Your phone number is now [customer.phone].") ||
		strings.Contains(yes.Answer, "442079460958") || yes.Customer == nil || !strings.Contains(yes.Customer.Phone, "442079460958") {
		t.Fatalf("yes: %s", raw)
	}
}
