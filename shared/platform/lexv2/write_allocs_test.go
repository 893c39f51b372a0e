//go:build go1.27 && !race

package lexv2

import (
	"os"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// Go 1.27 (before, the reply goes through EncodeJSON), and not under the race
// detector: its sync.Pool drops items at random (the body's buffer is pooled).

// TestWriteReplyAllocs bounds what Encode allocates for a lookup's answer: the
// messages' list and the body. Building the Response first (a cloned attributes map,
// the outcome attributes' map, the slots' map and each slot's copy, the messages), and
// a list from split for each message, took 12.
func TestWriteReplyAllocs(t *testing.T) {
	body, err := os.ReadFile("../../../events/lex/lookup_customer_signed.json")
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
	if n := testing.AllocsPerRun(100, func() { _, _, _ = req.Encode(reply) }); n > 2 {
		t.Errorf("Encode of a lookup's answer: %v allocations, want at most 2", n)
	}
}
