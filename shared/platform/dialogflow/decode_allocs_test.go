//go:build go1.27 && !race

package dialogflow

import (
	"os"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// The signed lookup `make bench` posts decodes in at most 11 allocations (29 when
// the whole request was built): the Call (the request, its query result and intent
// in it), the strings too long to be remembered (session, context name, identity
// token), the context list, the parameters' map and value, the slots' map and value.
// The fields nothing reads (fulfillment messages, the system context's parameters, the
// payload) are checked without being built. Not under the race detector: the pooled
// decoder may be dropped there. Not parallel: AllocsPerRun.
func TestDecodeAllocs(t *testing.T) {
	body, err := os.ReadFile("../../../events/dialogflow/lookup_customer_signed.json")
	if err != nil {
		t.Fatal(err)
	}
	a := New(nil)
	if _, err := a.Decode(body); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = a.Decode(body) }); n > 11 {
		t.Errorf("Decode of the signed lookup: %v allocations, want at most 11", n)
	}
}

// The answer to it encodes in one allocation, the body handed back (17 when the
// messages, the payload and the switchboard context were built as values first and
// the parameter values went through json.Marshal).
func TestEncodeAllocs(t *testing.T) {
	body, err := os.ReadFile("../../../events/dialogflow/lookup_customer_signed.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := New(nil).Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	reply := conversation.Reply{Outcome: conversation.OutcomeFulfilled,
		Messages: []string{"I found Ada Lovelace's account.", "Her plan is Pro."},
		SetSlots: map[string]*string{"customer_id": conversation.Value("cus_1")}}
	if n := testing.AllocsPerRun(100, func() { _, _, _ = req.Encode(reply) }); n > 1 {
		t.Errorf("Encode of a lookup's answer: %v allocations, want 1", n)
	}
}
