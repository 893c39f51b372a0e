package dialogflowcx

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// responses builds WebhookResponses that use every field, from a few strings.
func responses(text, key, value string) []*WebhookResponse {
	raw := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	full := &WebhookResponse{
		FulfillmentResponse: &FulfillmentResponse{MergeBehavior: MergeReplace, Messages: []ResponseMessage{
			{Text: &Text{Text: []string{text, value}}},
			{Text: &Text{AllowPlaybackInterruption: true}},
			{Payload: json.RawMessage(` {"richContent":[[{"type":"info","title":"` + "<&>\u2028" + `"}]]} `), ConversationSuccess: raw(text),
				OutputAudioText: raw("o"), LiveAgentHandoff: raw("l"), EndInteraction: json.RawMessage("{}"), PlayAudio: raw("p"),
				MixedAudio: raw("m"), TelephonyTransferCall: raw("t"), KnowledgeInfoCard: raw("k"), Channel: value},
			{},
		}},
		PageInfo: &PageInfo{CurrentPage: text, DisplayName: value, FormInfo: &FormInfo{ParameterInfo: []ParameterInfo{
			{DisplayName: key, Required: true, State: StateInvalid, Value: raw(value), JustCollected: true},
			{DisplayName: value, State: StateEmpty},
		}}},
		SessionInfo: &SessionInfo{Session: text, Parameters: map[string]json.RawMessage{key: raw(value), "email": jsonNull, "": raw(""), "Z": json.RawMessage("12")}},
		Payload:     platform.OutcomePayload(conversation.Reply{Outcome: conversation.OutcomeFulfilled}),
		TargetPage:  value,
		TargetFlow:  text,
	}
	return []*WebhookResponse{
		{},
		full,
		{FulfillmentResponse: &FulfillmentResponse{}, PageInfo: &PageInfo{FormInfo: &FormInfo{}}, SessionInfo: &SessionInfo{}},
		{FulfillmentResponse: &FulfillmentResponse{MergeBehavior: MergeAppend}, PageInfo: &PageInfo{}, SessionInfo: &SessionInfo{Parameters: map[string]json.RawMessage{key: raw(text)}}},
		{FulfillmentResponse: &FulfillmentResponse{Messages: full.FulfillmentResponse.Messages[:1]}, SessionInfo: &SessionInfo{Session: value}},
	}
}

// TestEncodeAsEncodeJSON: the hand-written encoder writes what platform.EncodeJSON
// (encoding/json) writes for the same response.
func TestEncodeAsEncodeJSON(t *testing.T) {
	if !platform.HandEncode {
		t.Skip("Go 1.26: the replies go through EncodeJSON")
	}
	for _, s := range []string{"", "plain", "quote \" \\ <b>&amp;</b>", "ctl \x00\x1f\t\n", "line\u2028sep", "bad \xff", "é 中 🙂", strings.Repeat("long ", 200)} {
		for i, r := range responses(s, "k"+s, "v"+s) {
			want, err := platform.EncodeJSON(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := marshal(r)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%q response %d:\n got %s %v\nwant %s", s, i, got, err, want)
			}
		}
	}
	if _, err := appendResponse(nil, &WebhookResponse{Payload: json.RawMessage("{")}); err == nil {
		t.Fatal("an invalid payload encoded")
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("I found Ada", "email", "ada@example.com")
	f.Add("<b>\u2028\xff", "\x00", "\"\\")
	f.Fuzz(func(t *testing.T, text, key, value string) {
		if !platform.HandEncode {
			t.Skip("Go 1.26: the replies go through EncodeJSON")
		}
		for i, r := range responses(text, key, value) {
			want, err := platform.EncodeJSON(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := marshal(r)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("response %d:\n got %s %v\nwant %s", i, got, err, want)
			}
		}
	})
}
