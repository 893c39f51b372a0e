package lexv2

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// sampleEvents reads the sample events of events/lex that decode.
func sampleEvents(t testing.TB) [][]byte {
	t.Helper()
	files, _ := filepath.Glob("../../../events/lex/*.json")
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New(nil).Decode(b); err == nil {
			out = append(out, b)
		}
	}
	if len(out) < 5 {
		t.Fatalf("only %d sample events decode", len(out))
	}
	return out
}

// wireVariants change a decoded event's session state in the ways the response
// depends on, from a few strings: session attributes (none, nil, with an identity
// token and the outcome attributes), slots (an identity token slot, list and composite
// slots, values only in the original value, blank ones), active contexts, runtime
// hints, the confirmation state, speech.
var wireVariants = []func(c *Call, text, key, value string){
	func(*Call, string, string, string) {},
	func(c *Call, text, key, value string) {
		c.Wire.SessionState.SessionAttributes = nil
		c.Wire.SessionState.Intent.ConfirmationState = ConfirmationConfirmed
	},
	func(c *Call, text, key, value string) {
		c.Wire.SessionState.SessionAttributes = map[string]string{conversation.IdentityField: "tok", key: value,
			platform.LexOutcomeAttribute: "old", platform.LexFallbackAttribute: text, "note": text, value: key}
		c.Wire.SessionState.Intent.ConfirmationState = ConfirmationDenied
	},
	func(c *Call, text, key, value string) {
		in := c.Wire.SessionState.Intent
		if in.Slots == nil {
			in.Slots = map[string]*Slot{}
		}
		in.Slots[conversation.IdentityField] = &Slot{Value: &SlotValue{OriginalValue: "tok", InterpretedValue: "tok"}}
		in.Slots[key] = &Slot{Value: &SlotValue{OriginalValue: " " + text + " ", InterpretedValue: "  "}}
		in.Slots["list"] = &Slot{Shape: ShapeList, Values: []Slot{{}, {Value: &SlotValue{OriginalValue: " "}},
			{Value: &SlotValue{OriginalValue: value, InterpretedValue: text, ResolvedValues: []string{text, value}}}, {Values: []Slot{{Value: &SlotValue{OriginalValue: key}}}}}}
		in.Slots["emptylist"] = &Slot{Shape: ShapeList, Values: []Slot{{}, {Value: &SlotValue{}}}}
		in.Slots["composite"] = &Slot{Shape: ShapeComposite, SubSlots: map[string]*Slot{conversation.IdentityField: {Value: &SlotValue{OriginalValue: "tok"}},
			key: {Value: &SlotValue{InterpretedValue: value, ResolvedValues: []string{}}}, "nil": nil, "blank": {}}}
		in.Slots["nilsubs"] = &Slot{SubSlots: map[string]*Slot{"a": nil}}
		in.Slots["emptysubs"] = &Slot{SubSlots: map[string]*Slot{}}
		in.Slots["null"] = nil
	},
	func(c *Call, text, key, value string) {
		c.Wire.SessionState.ActiveContexts = []ActiveContext{
			{Name: text, ContextAttributes: map[string]string{conversation.IdentityField: "tok", key: value}, TimeToLive: TimeToLive{TimeToLiveInSeconds: 60, TurnsToLive: 2}},
			{Name: value},
			{Name: key, ContextAttributes: map[string]string{}},
		}
		c.Wire.SessionState.RuntimeHints = &RuntimeHints{SlotHints: map[string]map[string]RuntimeHintDetails{
			key: {value: {RuntimeHintValues: []RuntimeHintValue{{Phrase: text}}}}}}
		c.Wire.SessionState.Intent.Slots = nil
		c.Wire.SessionState.Intent.State = StateReadyForFulfillment
	},
	func(c *Call, text, key, value string) {
		c.Wire.InputMode = "Speech"
		c.Wire.SessionState.Intent.Slots = map[string]*Slot{}
	},
	func(c *Call, text, key, value string) { c.plain = true },
}

// replyKinds are the replies a turn gives, from a few strings, with slot names taken
// from the event's intent.
func replyKinds(c *Call, text, key, value string) []conversation.Reply {
	var slot string
	for k := range c.Wire.SessionState.Intent.Slots {
		if k != conversation.IdentityField && (slot == "" || k < slot) {
			slot = k
		}
	}
	rich := &conversation.Rich{
		Articles: []conversation.Article{{Title: text, Snippet: value, Link: "https://example.com/" + key}, {Title: ""}},
		Ticket:   &conversation.TicketCard{Number: "1", Title: "Ticket #1 " + text, Subject: value},
		Choices:  []conversation.Choice{{Label: key, Value: value}, {Label: "yes", Value: "y"}, {Label: "", Value: "n"}},
	}
	many := make([]string, 12)
	for i := range many {
		many[i] = text + " " + value
	}
	set := map[string]*string{slot: conversation.Value(value), key: conversation.Value(text), "gone": nil, "note": nil,
		conversation.IdentityField: conversation.Value("tok"), platform.LexOutcomeAttribute: conversation.Value("x"), platform.LexFallbackAttribute: conversation.Value("y"), "attr": conversation.Value(value)}
	return []conversation.Reply{
		{Outcome: conversation.OutcomeFulfilled, Messages: []string{text, "ok <b>&</b>"}, SetSlots: set, Rich: rich},
		{Outcome: conversation.OutcomeFulfilled, Messages: many, Rich: rich},
		{Outcome: conversation.OutcomeFulfilled, Messages: []string{strings.Repeat(text+" ", 300)}},
		{Outcome: conversation.OutcomeFulfilled},
		{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: slot, Messages: []string{"Which " + key + "?"}, SetSlots: set},
		{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: slot, SetSlots: map[string]*string{slot: nil}, Rich: rich},
		{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: conversation.IdentityField},
		{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "not_a_slot" + key, Messages: []string{text}, SetSlots: set},
		{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "not_a_slot", SetSlots: set},
		{Outcome: conversation.OutcomeElicitSlot},
		{Outcome: conversation.OutcomeDelegate, SetSlots: set},
		{Outcome: conversation.OutcomeFailed, Fallback: true},
		{Outcome: conversation.OutcomeFailed, Messages: []string{value}, SetSlots: set, Rich: rich},
		{Outcome: conversation.OutcomeUnknownIntent},
		{Outcome: conversation.OutcomeRejected, Messages: []string{text}},
		{Outcome: "nonsense"},
	}
}

// checkWriteReply runs the old path (encodeStruct: build the Response, then encode it)
// and writeReply on every sample event × wire variant × reply kind and wants the same
// status, bytes, error and ConfigProblems.
// With viaJSON, the old path's bytes are also checked against encoding/json's.
func checkWriteReply(t *testing.T, events [][]byte, viaJSON bool, text, key, value string) {
	t.Helper()
	for ei, b := range events {
		for vi, vary := range wireVariants {
			probe, err := New(nil).Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			vary(probe.(*Call), text, key, value)
			for ri, reply := range replyKinds(probe.(*Call), text, key, value) {
				// Fresh calls: each path gets the event as decoded.
				old, _ := New(nil).Decode(b)
				cur, _ := New(nil).Decode(b)
				oc, cc := old.(*Call), cur.(*Call)
				vary(oc, text, key, value)
				vary(cc, text, key, value)
				_, undefined := oc.Wire.SessionState.Intent.Slots[reply.SlotToElicit]
				undefined = !undefined && reply.Outcome == conversation.OutcomeElicitSlot && reply.SlotToElicit != ""
				ws, wb, werr := oc.encodeStruct(reply, undefined)
				gs, gb, gerr := cc.Encode(reply)
				if ws != gs || !bytes.Equal(wb, gb) || (werr == nil) != (gerr == nil) ||
					werr != nil && werr.Error() != gerr.Error() || !reflect.DeepEqual(oc.problems, cc.problems) {
					t.Fatalf("event %d, variant %d, reply %d (%+v):\n got %d %s %v %v\nwant %d %s %v %v",
						ei, vi, ri, reply, gs, gb, gerr, cc.problems, ws, wb, werr, oc.problems)
				}
				if werr == nil && viaJSON {
					// The old path's bytes are encoding/json's for the response.
					resp := mustResponse(t, oc, reply, undefined)
					if want, _ := platform.EncodeJSON(resp); !bytes.Equal(wb, want) {
						t.Fatalf("old path wrote\n %s\nEncodeJSON: %s", wb, want)
					}
				}
			}
		}
	}
}

// mustResponse is the Response encodeStruct encodes, read back from its bytes.
func mustResponse(t *testing.T, c *Call, reply conversation.Reply, undefined bool) *Response {
	t.Helper()
	_, b, err := c.encodeStruct(reply, undefined)
	if err != nil {
		t.Fatal(err)
	}
	var r Response
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestWriteReplyAsStruct: Encode, writing the response straight from the reply and the
// event, writes the bytes the old path (build the Response, then encode it) writes, for
// every sample event and every kind of reply.
func TestWriteReplyAsStruct(t *testing.T) {
	if !platform.HandEncode {
		t.Skip("Go 1.26: the replies go through encodeStruct")
	}
	events := sampleEvents(t)
	for _, s := range []string{"plain", "quote \" \\ <b>&amp;</b>", "ctl \x00\x1f\t\n", "line\u2028sep\u2029", "bad \xff", "é 中 🙂"} {
		checkWriteReply(t, events, true, s, "k"+s, "v"+s)
	}
	checkWriteReply(t, events, true, "", "", "")
}

func FuzzWriteReply(f *testing.F) {
	f.Add("I found Ada", "email", "ada@example.com")
	f.Add("<b>\u2028\xff", "\x00", "\"\\")
	// Two events (their slots differ; wireVariants add the rest): each input is
	// checked on 2 × 7 variants × 16 replies.
	events := sampleEvents(f)[:2]
	f.Fuzz(func(t *testing.T, text, key, value string) {
		if !platform.HandEncode {
			t.Skip("Go 1.26: the replies go through encodeStruct")
		}
		checkWriteReply(t, events, false, text, key, value)
	})
}
