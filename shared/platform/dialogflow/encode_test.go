package dialogflow

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
		FulfillmentText: text,
		FulfillmentMessages: []Message{
			{Text: &Text{Text: []string{text, value}}},
			{Text: &Text{}},
			{Image: raw(value), QuickReplies: json.RawMessage(`{"title": "a",  "quickReplies":["x"]}`), Card: raw(text),
				Payload: json.RawMessage(` {"richContent":[[{"type":"info","title":"` + "<&>\u2028" + `"}]]} `), SimpleResponses: raw("s"),
				BasicCard: raw("b"), Suggestions: raw("su"), LinkOutSuggestion: raw("l"), ListSelect: raw("ls"),
				CarouselSelect: raw("c"), BrowseCarouselCard: raw("bc"), TableCard: raw("t"), MediaContent: raw("m"), Platform: value},
			{},
		},
		Source:  value,
		Payload: platform.OutcomePayload(conversation.Reply{Outcome: conversation.OutcomeFulfilled}),
		OutputContexts: []Context{
			{Name: text + "/contexts/" + ContextID, LifespanCount: ContextLifespan, Parameters: map[string]json.RawMessage{key: raw(value), "email": raw("ada@example.com"), "": raw(""), "Z": json.RawMessage("12")}},
			{Name: value},
			{Name: key, LifespanCount: -3, Parameters: map[string]json.RawMessage{}},
		},
		FollowupEventInput: &EventInput{Name: ElicitEventPrefix + key, LanguageCode: value, Parameters: map[string]json.RawMessage{"slot": raw(key), "intent": raw(text)}},
		SessionEntityTypes: json.RawMessage(`[ 1, 2 ]`),
	}
	return []*WebhookResponse{
		{},
		full,
		{FollowupEventInput: &EventInput{}},
		{FulfillmentText: text, FulfillmentMessages: []Message{{Text: &Text{Text: []string{text}}}}, OutputContexts: full.OutputContexts[:1]},
	}
}

// TestEncodeAsEncodeJSON: the hand-written encoder writes what platform.EncodeJSON
// (encoding/json) writes for the same response.
func TestEncodeAsEncodeJSON(t *testing.T) {
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
	if _, err := appendResponse(nil, &WebhookResponse{Payload: json.RawMessage("{")}, nil); err == nil {
		t.Fatal("an invalid payload encoded")
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("I found Ada", "email", "ada@example.com")
	f.Add("<b>\u2028\xff", "\x00", "\"\\")
	f.Add("cut \xe2\x80", "\x80 b", "")
	f.Fuzz(func(t *testing.T, text, key, value string) {
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
		checkMarshalReply(t, text, key, value)
	})
}

// TestMarshalReplyAsSetMessages: marshalReply writes what encoding/json writes for
// the response setMessages fills in — the texts joined (pieces whose UTF-8 is cut
// at a join too), a text message each, the rich messages after them — with the
// outcome's payload and the switchboard context ownCtx.build makes.
func TestMarshalReplyAsSetMessages(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" \\ <b>&amp;</b>", "ctl \x00\x1f\t\n", "line\u2028sep", "bad \xff", "cut \xe2\x80", "\x80\xa8 rest", "é 中 🙂"} {
		checkMarshalReply(t, s, "k"+s, "v"+s)
	}
}

func checkMarshalReply(t *testing.T, text, key, value string) {
	t.Helper()
	rich := []Message{{Card: json.RawMessage(`{"title":"t"}`)}, {QuickReplies: json.RawMessage(`{"quickReplies":["a"]}`), Platform: "FACEBOOK"}}
	slots := map[string]string{key: value, "email": "ada@example.com", text: text, "other": value, "gone": "x"}
	ctxs := []*ownCtx{nil, {session: text}, {session: value, slots: slots},
		{session: text, slots: slots, others: map[string]bool{"other": true}, set: map[string]*string{"gone": nil, key: &text, "new": &value}},
		{session: key, set: map[string]*string{"gone": nil}}}
	for _, msgs := range [][]string{nil, {}, {text}, {text, value}, {"", ""}, {text, "", key}, {value, text, value}} {
		for _, rich := range [][]Message{nil, rich[:1], rich} {
			for ci, ctx := range ctxs {
				for i, r := range responses(text, key, value) {
					reply := conversation.Reply{Outcome: conversation.Outcome(key), Fallback: i%2 == 1}
					want := *r
					setMessages(&want, msgs, rich)
					want.Payload = platform.OutcomePayload(reply)
					if ctx != nil {
						want.OutputContexts = ctx.build()
					}
					w, err := platform.EncodeJSON(&want)
					if err != nil {
						t.Fatal(err)
					}
					resp := *r
					got, err := marshalReply(&resp, &replyParts{msgs, rich, platform.OutcomeOf(reply), ctx})
					if err != nil || !bytes.Equal(got, w) {
						t.Fatalf("response %d, messages %q, %d rich, context %d:\n got %s %v\nwant %s", i, msgs, len(rich), ci, got, err, w)
					}
				}
			}
		}
	}
}
