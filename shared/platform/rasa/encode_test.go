package rasa

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// actions builds ActionResponses that use every field, from a few strings.
func actions(text, key, value string) []*ActionResponse {
	ts := 12.5
	fb := platform.WireOutcome{Outcome: conversation.Outcome(value), Fallback: true}
	ok := platform.WireOutcome{Outcome: conversation.OutcomeFulfilled}
	return []*ActionResponse{
		{},
		{Events: []Event{}, Responses: []Response{}},
		{Events: []Event{{Event: "slot", Name: key, Value: &value}, {Event: "slot", Name: text}},
			Responses: []Response{{Text: text, Buttons: []Button{{Title: key, Payload: value}, {Title: text, Payload: "/x", URL: value, Type: "web_url"}},
				Custom: json.RawMessage(` {"richContent": ["` + "<&>\u2028" + `"]} `)}, {Text: value}},
			Switchboard: &fb},
		{Events: []Event{{Event: "slot", Name: key, Timestamp: &ts}}, Switchboard: &ok},
	}
}

// TestEncodeAsEncodeJSON: the hand-written encoder writes what platform.EncodeJSON
// (encoding/json) writes for the same response, and OutcomePayload what it wrote.
func TestEncodeAsEncodeJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" \\ <b>&amp;</b>", "ctl \x00\x1f\t\n", "line\u2028sep", "bad \xff", "é 中 🙂", strings.Repeat("long ", 200)} {
		checkActions(t, s, "k"+s, "v"+s)
	}
	for _, r := range []conversation.Reply{{Outcome: conversation.OutcomeFulfilled}, {Outcome: conversation.OutcomeFailed, Fallback: true}, {Outcome: "x<\u2028\xff"}} {
		want, _ := platform.EncodeJSON(map[string]platform.WireOutcome{platform.OutcomeKey: platform.OutcomeOf(r)})
		if got := platform.OutcomePayload(r); !bytes.Equal(got, want) {
			t.Errorf("OutcomePayload = %s, want %s", got, want)
		}
	}
}

func checkActions(t *testing.T, text, key, value string) {
	t.Helper()
	for i, r := range actions(text, key, value) {
		want, err := platform.EncodeJSON(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshalAction(r)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("response %d:\n got %s %v\nwant %s", i, got, err, want)
		}
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("I found Ada", "email", "ada@example.com")
	f.Add("<b>\u2028\xff", "\x00", "\"\\")
	f.Fuzz(checkActions)
}
