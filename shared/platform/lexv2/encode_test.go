package lexv2

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// responses builds Responses that use every field (each omitempty field both empty and
// set, each nil map or slice that is not omitted), from a few strings.
func responses(text, key, value string) []*Response {
	slot := &Slot{Value: &SlotValue{OriginalValue: text, InterpretedValue: value, ResolvedValues: []string{}}}
	full := &Response{
		SessionState: SessionState{
			ActiveContexts: []ActiveContext{
				{Name: text, ContextAttributes: map[string]string{key: value, "a": text, "": ""}, TimeToLive: TimeToLive{TimeToLiveInSeconds: 600, TurnsToLive: -3}},
				{Name: value},
			},
			SessionAttributes: map[string]string{key: value, "switchboard_outcome": "fulfilled", "Z": text, "z": "", value: key},
			RuntimeHints: &RuntimeHints{SlotHints: map[string]map[string]RuntimeHintDetails{
				key: {value: {RuntimeHintValues: []RuntimeHintValue{{Phrase: text}, {}},
					SubSlotHints: map[string]RuntimeHintDetails{key: {}, text: {SubSlotHints: map[string]RuntimeHintDetails{value: {RuntimeHintValues: []RuntimeHintValue{{Phrase: value}}}}}}}},
				text: nil,
				"x":  {},
			}},
			DialogAction: &DialogAction{Type: ActionElicitSlot, SlotToElicit: key, SlotElicitationStyle: value,
				SubSlotToElicit: &ElicitSubSlot{Name: text, SubSlotToElicit: &ElicitSubSlot{Name: value}}},
			Intent: &Intent{Name: text, State: StateInProgress, ConfirmationState: ConfirmationNone,
				KendraResponse: json.RawMessage(` {"resultItems": [ {"documentTitle": "` + "<&>\u2028" + `"} ]} `),
				Slots: map[string]*Slot{
					key:  slot,
					"n":  nil,
					text: {Shape: ShapeList, Values: []Slot{*slot, {Value: &SlotValue{OriginalValue: value}}, {}}},
					value: {Shape: ShapeComposite, SubSlots: map[string]*Slot{key: slot, "n": nil, text: {Shape: ShapeScalar}},
						Value: &SlotValue{InterpretedValue: key, ResolvedValues: []string{text, value, ""}}},
				}},
			OriginatingRequestID: value,
		},
		Messages: []Message{
			{ContentType: ContentPlainText, Content: text},
			{ContentType: ContentImageResponseCard, ImageResponseCard: &ImageResponseCard{Title: text, Subtitle: value, ImageURL: key,
				Buttons: []Button{{Text: key, Value: value}, {}}}},
			{ContentType: ContentImageResponseCard, ImageResponseCard: &ImageResponseCard{}},
			{},
		},
		RequestAttributes: map[string]string{key: text, "x-amz-lex:channels:platform": value},
	}
	return []*Response{
		{},
		full,
		{SessionState: SessionState{ActiveContexts: []ActiveContext{}, SessionAttributes: map[string]string{}, RuntimeHints: &RuntimeHints{},
			DialogAction: &DialogAction{}, Intent: &Intent{Slots: map[string]*Slot{}}}, Messages: []Message{}, RequestAttributes: map[string]string{}},
		{SessionState: SessionState{RuntimeHints: &RuntimeHints{SlotHints: map[string]map[string]RuntimeHintDetails{}},
			Intent: &Intent{Name: key, Slots: map[string]*Slot{key: {Values: []Slot{}, SubSlots: map[string]*Slot{}}}}}},
		{SessionState: SessionState{SessionAttributes: map[string]string{key: value}, DialogAction: &DialogAction{Type: ActionClose},
			Intent: &Intent{Name: key, State: StateFulfilled}}, Messages: full.Messages[:1]},
	}
}

// TestEncodeAsEncodeJSON: the hand-written encoder writes what platform.EncodeJSON
// (encoding/json) writes for the same response.
func TestEncodeAsEncodeJSON(t *testing.T) {
	if !platform.HandEncode {
		t.Skip("Go 1.26: the replies go through EncodeJSON")
	}
	for _, s := range []string{"", "plain", "quote \" \\ <b>&amp;</b>", "ctl \x00\x1f\t\n", "line\u2028sep\u2029", "bad \xff", "é 中 🙂", strings.Repeat("long ", 200)} {
		checkResponses(t, s, "k"+s, "v"+s)
	}
	// More keys than sortedKeys keeps on the stack.
	many := &Response{SessionState: SessionState{SessionAttributes: map[string]string{}}}
	for i := range 40 {
		many.SessionState.SessionAttributes[strings.Repeat("k", 40-i)] = strings.Repeat("v", i)
	}
	checkEqual(t, many)
	if _, err := appendResponse(nil, &Response{SessionState: SessionState{Intent: &Intent{KendraResponse: json.RawMessage("{")}}}); err == nil {
		t.Fatal("an invalid kendraResponse encoded")
	}
}

func checkResponses(t *testing.T, text, key, value string) {
	t.Helper()
	for _, r := range responses(text, key, value) {
		checkEqual(t, r)
	}
}

func checkEqual(t *testing.T, r *Response) {
	t.Helper()
	want, err := platform.EncodeJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := marshal(r)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("\n got %s %v\nwant %s", got, err, want)
	}
}

// TestEncodeRepliesAsEncodeJSON: what Encode writes for each kind of reply, on every
// sample event, is what EncodeJSON writes for the response it decodes to.
func TestEncodeRepliesAsEncodeJSON(t *testing.T) {
	if !platform.HandEncode {
		t.Skip("Go 1.26: the replies go through EncodeJSON")
	}
	files, _ := filepath.Glob("../../../events/lex/*.json")
	var common [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		common = append(common, b)
	}
	replies := []conversation.Reply{
		{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok <b>&</b>"}, SetSlots: map[string]*string{"ticket_id": conversation.Value("1"), "note": conversation.Value("n")}},
		{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email", SetSlots: map[string]*string{"email": nil}},
		{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "not_a_slot"},
		{Outcome: conversation.OutcomeDelegate},
		{Outcome: conversation.OutcomeFailed, Fallback: true},
	}
	n := 0
	for _, b := range common {
		req, err := New(nil).Decode(b)
		if err != nil {
			continue
		}
		n++
		for _, r := range replies {
			_, out, err := req.Encode(r)
			if err != nil {
				t.Fatal(err)
			}
			var resp Response
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			if want, _ := platform.EncodeJSON(&resp); !bytes.Equal(out, want) {
				t.Fatalf("Encode wrote\n %s\nEncodeJSON: %s", out, want)
			}
		}
	}
	if n < len(common)/2 {
		t.Fatalf("only %d of %d sample events decoded", n, len(common))
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("I found Ada", "email", "ada@example.com")
	f.Add("<b>\u2028\xff", "\x00", "\"\\")
	f.Fuzz(func(t *testing.T, text, key, value string) {
		if !platform.HandEncode {
			t.Skip("Go 1.26: the replies go through EncodeJSON")
		}
		checkResponses(t, text, key, value)
	})
}
