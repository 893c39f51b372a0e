package handler

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents"
)

// externalIDBefore is ticketExternalID as it was written through fmt: the ids already
// filed in helpdesks are these, so the new one must be the same.
func externalIDBefore(t conversation.Turn, slots map[string]string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", t.Platform, t.SessionID, t.TurnID)
	if t.TurnID == "" {
		fmt.Fprintf(h, "\x00%s\x00%s\x00%s", slots[intents.SlotEmail], slots[intents.SlotSubject], slots[intents.SlotDescription])
	}
	return "sb-" + hex.EncodeToString(h.Sum(nil))[:32]
}

// TestExternalIDAsBefore: the same external id as before for every kind of turn (with
// and without a turn id, empty, long and non-ASCII parts), in one allocation.
func TestExternalIDAsBefore(t *testing.T) {
	long := strings.Repeat("ü", 300)
	slots := map[string]string{intents.SlotEmail: "ada@example.com", intents.SlotSubject: "Printer on fire", intents.SlotDescription: long}
	for _, tc := range []conversation.Turn{
		{Platform: conversation.DialogflowES, SessionID: "projects/p/agent/sessions/s1", TurnID: "resp-1"},
		{Platform: conversation.LexV2, SessionID: "s\x00x", TurnID: ""},
		{Platform: conversation.Rasa, SessionID: "", TurnID: ""},
		{Platform: conversation.DialogflowCX, SessionID: long, TurnID: long},
		{Platform: "bedrock-agent", SessionID: "%s%d", TurnID: "%!"},
	} {
		for _, sl := range []map[string]string{slots, nil} {
			if got, want := ticketExternalID(tc, sl), externalIDBefore(tc, sl); got != want {
				t.Errorf("%+v: %q, want %q", tc, got, want)
			}
		}
	}
	turn := conversation.Turn{Platform: conversation.DialogflowES, SessionID: "s", TurnID: "t"}
	if n := testing.AllocsPerRun(50, func() { _ = ticketExternalID(turn, slots) }); n > 1 {
		t.Errorf("%v allocations per id, want 1", n)
	}
}
