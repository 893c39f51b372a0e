package rasa_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/rasa"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const eventsDir = "../../../events/rasa"

// names are the configuration defaults: the platform's naming convention applied to
// every registered intent.
var names = platform.Names(config.DefaultIntentNames().Names(conversation.Rasa))

const sender1 = "5f2a9c1e8b7d4e3a9c6b2d1e0f9a8b7c"

func readEvent(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(eventsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t testing.TB, body []byte) platform.Request {
	t.Helper()
	req, err := rasa.New(names).Decode(body)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return req
}

// edit decodes a sample event into generic JSON, lets f change it and re-encodes it.
func edit(t testing.TB, name string, f func(call, tracker map[string]any)) []byte {
	t.Helper()
	var call map[string]any
	if err := json.Unmarshal(readEvent(t, name), &call); err != nil {
		t.Fatal(err)
	}
	tr, _ := call["tracker"].(map[string]any)
	f(call, tr)
	b, err := json.Marshal(call)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want conversation.Turn
	}{
		{"lookup_customer.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "action_lookup_customer",
			Slots:     map[string]string{"email": "ada@example.com"},
			SessionID: sender1, TurnID: sender1 + ":b2831e73f4a54f4f9d5b1c53e0c2d4a1",
			Text: "Can you look up ada@example.com?",
		}},
		{"create_ticket.json", conversation.Turn{
			Intent: conversation.CreateTicket, RawIntent: "action_create_ticket",
			// email, subject and description from the form's slots, priority from the
			// latest message's entity (no slot holds it).
			Slots: map[string]string{
				"email": "ada@example.com", "subject": "Cannot log in",
				"description": "I get an error page after resetting my password.", "priority": "high",
			},
			SessionID: sender1, TurnID: sender1 + ":4a5b6c7d8e9f4a0b1c2d3e4f5a6b7c8d",
			Text: "high priority please",
		}},
		{"verify_payment.json", conversation.Turn{
			Intent: conversation.VerifyPayment, RawIntent: "action_verify_payment",
			// amount is a float slot (42.5); the duckling entity amount-of-money has no
			// slot of its own and comes through under its entity name.
			Slots: map[string]string{"payment_reference": "pi_demo_ada_1", "email": "ada@example.com",
				"amount": "42.5", "amount-of-money": "42.5"},
			SessionID: "6d5c4b3a29184f7e8d6c5b4a39281706", TurnID: "6d5c4b3a29184f7e8d6c5b4a39281706:5b6c7d8e9f0a4b1c2d3e4f5a6b7c8d9e",
			Text: "did my payment pi_demo_ada_1 go through? it was 42.50",
		}},
		{"search_kb.json", conversation.Turn{
			Intent: conversation.SearchKB, RawIntent: "action_search_kb",
			Slots:     map[string]string{"query": "reset my password"},
			SessionID: "2f3e4d5c6b7a48998a7b6c5d4e3f2a1b", TurnID: "2f3e4d5c6b7a48998a7b6c5d4e3f2a1b:6c7d8e9f0a1b4c2d3e4f5a6b7c8d9e0f",
			Text: "How do I reset my password?",
		}},
		{"invalid/missing_email.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "action_lookup_customer",
			SessionID: sender1, TurnID: sender1 + ":7d8e9f0a1b2c4d3e4f5a6b7c8d9e0f1a",
			Text: "Look up my account",
		}},
		{"invalid/malformed_email.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "action_lookup_customer",
			Slots:     map[string]string{"email": "ada-at-example"},
			SessionID: sender1, TurnID: sender1 + ":8e9f0a1b2c3d4e4f5a6b7c8d9e0f1a2b",
			Text: "my email is ada-at-example",
		}},
		{"invalid/unknown_intent.json", conversation.Turn{
			Intent: "", RawIntent: "action_cancel_subscription",
			SessionID: sender1, TurnID: sender1 + ":9f0a1b2c3d4e4f5a6b7c8d9e0f1a2b3c",
			Text: "Cancel my subscription",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := decode(t, readEvent(t, tt.file)).Turn()
			tt.want.Platform = conversation.Rasa
			tt.want.Phase = conversation.PhaseFulfill
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Turn():\ngot  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Every sample event decodes, except malformed.json (not JSON) which must not.
func TestEveryEventFile(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	more, _ := filepath.Glob(filepath.Join(eventsDir, "invalid", "*.json"))
	files = append(files, more...)
	if len(files) < 8 {
		t.Fatalf("found only %d event files", len(files))
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		req, err := rasa.New(names).Decode(body)
		if malformed := filepath.Base(f) == "malformed.json"; malformed != (err != nil) {
			t.Errorf("%s: Decode error = %v", f, err)
			continue
		}
		if err == nil {
			w := req.(*rasa.Call).Wire
			if w.Version == "" || w.Tracker.ActiveLoop == nil || len(w.Tracker.Events) == 0 || w.Tracker.LatestMessage.Intent == nil {
				t.Errorf("%s: wire fields not decoded: %+v", f, w)
			}
		}
	}
}

// tracker builds an action call for action_lookup_customer around the given tracker
// fields (JSON members, without braces).
func tracker(fields string) []byte {
	return []byte(`{"next_action":"action_lookup_customer","sender_id":"s-1","tracker":{"sender_id":"s-1",` + fields + `},"version":"3.6.20"}`)
}

func TestDecodeSlots(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fields string
		want   map[string]string
	}{
		{"slots win over entities",
			`"slots":{"email":"ada@example.com"},"latest_message":{"entities":[{"entity":"email","value":"grace@example.com","start":0,"end":17,"extractor":"RegexEntityExtractor"}]}`,
			map[string]string{"email": "ada@example.com"}},
		{"entity fills a null slot",
			`"slots":{"email":null},"latest_message":{"entities":[{"entity":"email","value":"ada@example.com"}]}`,
			map[string]string{"email": "ada@example.com"}},
		{"entity fills an empty slot",
			`"slots":{"email":"  "},"latest_message":{"entities":[{"entity":"email","value":"ada@example.com"}]}`,
			map[string]string{"email": "ada@example.com"}},
		{"last entity value wins, as in from_entity",
			`"slots":{},"latest_message":{"entities":[{"entity":"priority","value":"low"},{"entity":"priority","value":"high","role":"new","group":"1","confidence_entity":0.98}]}`,
			map[string]string{"priority": "high"}},
		{"null slots and no entities", `"slots":{"email":null,"subject":null,"requested_slot":null},"latest_message":{"entities":[]}`, nil},
		{"no slots member", `"latest_message":{"text":"hi"}`, nil},
		{"numbers without exponent",
			`"slots":{"amount":42.0,"big":1e21,"small":-3.5e-7,"order":12345678901234567890,"neg":-17,"zero":-0.0,"pi":3.14159}`,
			map[string]string{"amount": "42", "big": "1000000000000000000000", "small": "-0.00000035",
				"order": "12345678901234567890", "neg": "-17", "zero": "0", "pi": "3.14159"}},
		{"booleans", `"slots":{"confirmed":true,"vip":false}`, map[string]string{"confirmed": "true", "vip": "false"}},
		{"lists give the first usable element",
			`"slots":{"emails":["ada@example.com","grace@example.com"],"refs":["",null,1042],"none":[],"nested":[["a"]]}`,
			map[string]string{"emails": "ada@example.com", "refs": "1042"}},
		{"objects are not slot values", `"slots":{"session_started_metadata":{"a":1},"any":{"x":"y"}}`, nil},
		{"bookkeeping slots skipped", `"slots":{"requested_slot":"email","email":"ada@example.com"}`, map[string]string{"email": "ada@example.com"}},
		{"strings trimmed and unescaped", `"slots":{"subject":"  Cannot\tlog in \u2014 help  "}`, map[string]string{"subject": "Cannot\tlog in — help"}},
		{"entity object value skipped, number entity kept",
			`"slots":{},"latest_message":{"entities":[{"entity":"time","value":{"from":"2024-06-01T00:00:00.000Z","to":null}},{"entity":"number","value":3}]}`,
			map[string]string{"number": "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := decode(t, tracker(tt.fields)).Turn().Slots; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Slots = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeTurnID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, fields, wantTurn, wantText string
	}{
		{"message id", `"latest_message":{"text":"hi","message_id":"m1"},"latest_event_time":1717171719.650631`, "s-1:m1", "hi"},
		{"event time as sent", `"latest_message":{"text":"hi","message_id":null},"latest_event_time":1717171719.650631`, "s-1:1717171719.650631", "hi"},
		{"event time with exponent kept verbatim", `"latest_event_time":1.7171717196506E9`, "s-1:1.7171717196506E9", ""},
		{"no message, no events", `"latest_message":null,"latest_event_time":null`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			turn := decode(t, tracker(tt.fields)).Turn()
			if turn.TurnID != tt.wantTurn || turn.Text != tt.wantText || turn.SessionID != "s-1" {
				t.Errorf("TurnID %q Text %q SessionID %q, want %q %q s-1", turn.TurnID, turn.Text, turn.SessionID, tt.wantTurn, tt.wantText)
			}
		})
	}
	// sender_id falls back to the tracker's.
	body := []byte(`{"next_action":"action_search_kb","tracker":{"sender_id":"t-9","slots":{"query":"vpn"}}}`)
	if turn := decode(t, body).Turn(); turn.SessionID != "t-9" || turn.Intent != conversation.SearchKB || turn.Slot("query") != "vpn" {
		t.Errorf("Turn = %+v", turn)
	}
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	const invalid = `{"error":"Invalid body request"}`
	tests := []struct {
		name, body string
		wantBody   string
	}{
		{"empty", "", invalid},
		{"whitespace", " \n", invalid},
		{"not JSON", "next_action=action_lookup_customer", invalid},
		{"truncated", string(readEvent(t, "malformed.json")), invalid},
		{"null", "null", invalid},
		{"array", `[{"next_action":"action_lookup_customer"}]`, invalid},
		{"string", `"action_lookup_customer"`, invalid},
		{"trailing garbage", `{"next_action":"a","sender_id":"s","tracker":{}} x`, invalid},
		{"missing next_action", `{"sender_id":"s","tracker":{"sender_id":"s"}}`, `{"error":"missing next_action"}`},
		{"empty next_action", `{"next_action":"","sender_id":"s","tracker":{}}`, `{"error":"missing next_action"}`},
		{"wrong type next_action", `{"next_action":7,"sender_id":"s","tracker":{}}`, `{"error":"wrong type for next_action"}`},
		{"missing tracker", `{"next_action":"action_search_kb","sender_id":"s"}`,
			`{"error":"missing tracker","action_name":"action_search_kb"}`},
		{"null tracker", `{"next_action":"action_search_kb","sender_id":"s","tracker":null}`,
			`{"error":"missing tracker","action_name":"action_search_kb"}`},
		{"missing sender_id", `{"next_action":"action_search_kb","tracker":{"slots":{}}}`,
			`{"error":"missing sender_id","action_name":"action_search_kb"}`},
		{"wrong type slots", `{"next_action":"action_search_kb","sender_id":"s","tracker":{"slots":["query"]}}`,
			`{"error":"wrong type for tracker.slots","action_name":"action_search_kb"}`},
		{"wrong type entities", `{"next_action":"action_search_kb","sender_id":"s","tracker":{"latest_message":{"entities":{"entity":"x"}}}}`,
			`{"error":"wrong type for tracker.latest_message.entities","action_name":"action_search_kb"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := rasa.New(names).Decode([]byte(tt.body))
			var br *platform.BadRequest
			if !errors.As(err, &br) {
				t.Fatalf("Decode error = %v, want *platform.BadRequest", err)
			}
			if br.Status != 400 || br.Platform != conversation.Rasa || br.Reason == "" {
				t.Errorf("BadRequest = %d %s %q, want 400 rasa", br.Status, br.Platform, br.Reason)
			}
			if string(br.Body) != tt.wantBody {
				t.Errorf("body = %s, want %s", br.Body, tt.wantBody)
			}
		})
	}
}

// bigTracker returns an action call whose tracker holds cycles × 6 events of the
// shapes Rasa 3 writes (user, user_featurization, slot, action, bot, action_listen).
func bigTracker(cycles int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"next_action":"action_lookup_customer","sender_id":"load-1","tracker":{"sender_id":"load-1",` +
		`"slots":{"email":"ada@example.com","subject":null,"requested_slot":null},"latest_message":{"intent":{"name":"lookup_customer","confidence":0.98},` +
		`"entities":[{"entity":"email","start":16,"end":31,"confidence_entity":0.99,"value":"ada@example.com","extractor":"DIETClassifier"}],` +
		`"text":"Can you look up ada@example.com?","message_id":"last-message","intent_ranking":[{"name":"lookup_customer","confidence":0.98}]},` +
		`"latest_event_time":1717171719.650631,"followup_action":null,"paused":false,"events":[`)
	ts := 1717000000.0
	for i := range cycles {
		if i > 0 {
			b.WriteByte(',')
		}
		meta := `"metadata":{"model_id":"7c2e9f4b1a6d4e8fb3c5a0d9e2f1b4c7","assistant_id":"switchboard-demo"}`
		fmt.Fprintf(&b, `{"event":"user","timestamp":%.6f,%s,"text":"message number %d, ada@example.com","parse_data":{"intent":{"name":"lookup_customer","confidence":0.9873},`+
			`"entities":[{"entity":"email","start":19,"end":34,"value":"ada@example.com","extractor":"RegexEntityExtractor"}],"text":"message number %d, ada@example.com",`+
			`"message_id":"m%08d","metadata":{},"intent_ranking":[{"name":"lookup_customer","confidence":0.9873},{"name":"greet","confidence":0.0127}]},"input_channel":"rest","message_id":"m%08d"},`,
			ts, meta, i, i, i, i)
		fmt.Fprintf(&b, `{"event":"user_featurization","timestamp":%.6f,%s,"use_text_for_featurization":false},`, ts+0.01, meta)
		fmt.Fprintf(&b, `{"event":"slot","timestamp":%.6f,%s,"name":"email","value":"ada@example.com"},`, ts+0.02, meta)
		fmt.Fprintf(&b, `{"event":"action","timestamp":%.6f,%s,"name":"action_lookup_customer","policy":"RulePolicy","confidence":1.0,"action_text":null,"hide_rule_turn":false},`, ts+0.03, meta)
		fmt.Fprintf(&b, `{"event":"bot","timestamp":%.6f,"metadata":{"utter_action":"utter_found"},"text":"I found Ada Lovelace \u2014 customer since 2019.","data":{"elements":null,"buttons":null,"custom":null}},`, ts+0.04)
		fmt.Fprintf(&b, `{"event":"action","timestamp":%.6f,%s,"name":"action_listen","policy":"RulePolicy","confidence":1.0,"action_text":null,"hide_rule_turn":false}`, ts+0.05, meta)
		ts += 7.5
	}
	b.WriteString(`],"latest_input_channel":"rest","active_loop":{},"latest_action":{"action_name":"action_listen"},"latest_action_name":"action_listen"},` +
		`"domain":{"version":"3.1","slots":{"email":{"type":"text","mappings":[{"type":"from_entity","entity":"email"}]}},"actions":["action_lookup_customer"]},"version":"3.6.20"}`)
	return b.Bytes()
}

// A tracker of tens of thousands of events (about 5 MiB) decodes; the events stay raw.
func TestDecodeLargeTracker(t *testing.T) {
	t.Parallel()
	body := bigTracker(3200)
	if len(body) < 4<<20 || !json.Valid(body) {
		t.Fatalf("generated tracker is %d bytes (valid %v), want a valid body over 4 MiB", len(body), json.Valid(body))
	}
	req := decode(t, body)
	turn := req.Turn()
	want := conversation.Turn{Platform: conversation.Rasa, Intent: conversation.LookupCustomer, RawIntent: "action_lookup_customer",
		Phase: conversation.PhaseFulfill, Slots: map[string]string{"email": "ada@example.com"}, SessionID: "load-1",
		TurnID: "load-1:last-message", Text: "Can you look up ada@example.com?"}
	if !reflect.DeepEqual(turn, want) {
		t.Errorf("Turn():\ngot  %+v\nwant %+v", turn, want)
	}
	var events []json.RawMessage
	if err := json.Unmarshal(req.(*rasa.Call).Wire.Tracker.Events, &events); err != nil || len(events) != 19200 {
		t.Errorf("raw events: %d, %v; want 19200", len(events), err)
	}
}

// The event history costs no allocations per event. Not parallel: AllocsPerRun counts
// every allocation in the process.
func TestDecodeEventsNotDecoded(t *testing.T) {
	a := rasa.New(names)
	small, large := bigTracker(10), bigTracker(1000)
	allocs := func(body []byte) float64 {
		return testing.AllocsPerRun(5, func() {
			if _, err := a.Decode(body); err != nil {
				t.Fatal(err)
			}
		})
	}
	// A hundred times the events may cost a few more allocations — buffers that grow by
	// doubling, so logarithmically (13 more under encoding/json v2 with -race) — but
	// decoding the events would cost thousands.
	if s, l := allocs(small), allocs(large); l > s+40 {
		t.Errorf("allocations grow with the event history: %v for 60 events, %v for 6000", s, l)
	}
}

func TestEncodeGolden(t *testing.T) {
	t.Parallel()
	inForm := edit(t, "invalid/malformed_email.json", func(_, tr map[string]any) {
		tr["active_loop"] = map[string]any{"name": "lookup_customer_form", "validate": true, "rejected": false, "trigger_message": map[string]any{}}
		tr["slots"].(map[string]any)["requested_slot"] = nil
	})
	tests := []struct {
		name       string
		body       []byte
		reply      conversation.Reply
		wantStatus int
	}{
		{"fulfilled", readEvent(t, "create_ticket.json"), conversation.Reply{Outcome: conversation.OutcomeFulfilled,
			Messages: []string{"I opened ticket #1042: Cannot log in.", "We'll email ada@example.com with updates."},
			SetSlots: map[string]*string{"ticket_id": conversation.Value("1042"), "priority": conversation.Value("high")}}, 200},
		{"failed", readEvent(t, "create_ticket.json"), conversation.Reply{Outcome: conversation.OutcomeFailed,
			Messages: []string{"I couldn't reach the helpdesk just now. Please email support@example.com and we'll open the ticket for you."}}, 200},
		{"failed_default", readEvent(t, "create_ticket.json"), conversation.Reply{Outcome: conversation.OutcomeFailed}, 200},
		{"elicit_slot_invalid", readEvent(t, "invalid/malformed_email.json"), conversation.Reply{Outcome: conversation.OutcomeElicitSlot,
			Messages:     []string{"That doesn't look like a valid email address. Could you spell it again, like name@example.com?"},
			SlotToElicit: "email", SetSlots: map[string]*string{"email": nil}}, 200},
		{"elicit_slot_missing", readEvent(t, "invalid/missing_email.json"), conversation.Reply{Outcome: conversation.OutcomeElicitSlot,
			Messages: []string{"What is the email address on the account?"}, SlotToElicit: "email"}, 200},
		{"elicit_slot_form", inForm, conversation.Reply{Outcome: conversation.OutcomeElicitSlot,
			Messages:     []string{"That doesn't look like a valid email address. Could you spell it again, like name@example.com?"},
			SlotToElicit: "email", SetSlots: map[string]*string{"email": nil}}, 200},
		{"delegate", readEvent(t, "create_ticket.json"), conversation.Reply{Outcome: conversation.OutcomeDelegate}, 200},
		{"unknown_intent", readEvent(t, "invalid/unknown_intent.json"), conversation.Reply{Outcome: conversation.OutcomeUnknownIntent,
			Messages: []string{"Sorry, I can't help with that here."}}, 404},
		{"rejected", readEvent(t, "create_ticket.json"), conversation.Reply{Outcome: conversation.OutcomeRejected,
			Messages: []string{"Creating tickets isn't switched on yet.", "Please email support@example.com."}}, 400},
		{"rejected_default", readEvent(t, "create_ticket.json"), conversation.Reply{Outcome: conversation.OutcomeRejected}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, out, err := decode(t, tt.body).Encode(tt.reply)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d", status, tt.wantStatus)
			}
			if status == 200 {
				schematest.Validate(t, conversation.Rasa, out)
			}
			schematest.Golden(t, filepath.Join("testdata", "golden", tt.name+".json"), out, *update)
		})
	}
}

// The error bodies are rasa-sdk's, which Rasa parses (action_name is read from every
// 400), plus the outcome, which Rasa does not read.
func TestEncodeErrorBodies(t *testing.T) {
	t.Parallel()
	status, out, err := decode(t, readEvent(t, "invalid/unknown_intent.json")).Encode(conversation.Reply{Outcome: conversation.OutcomeUnknownIntent})
	want := `{"error":"No registered action found for name 'action_cancel_subscription'.","action_name":"action_cancel_subscription","switchboard":{"outcome":"unknown_intent","fallback":false}}`
	if err != nil || status != 404 || string(out) != want {
		t.Errorf("unknown intent: %d %s %v, want 404 %s", status, out, err, want)
	}
	status, out, err = decode(t, readEvent(t, "search_kb.json")).Encode(conversation.Reply{Outcome: conversation.OutcomeRejected,
		Messages: []string{"Search is off <for now> & later."}})
	want = `{"error":"Search is off <for now> & later.","action_name":"action_search_kb","switchboard":{"outcome":"rejected","fallback":false}}`
	if err != nil || status != 400 || string(out) != want {
		t.Errorf("rejected: %d %s %v, want 400 %s", status, out, err, want)
	}
}

// SetSlots become slot events in name order, nil as null; an elicited slot is reset,
// and with an active form requested_slot points at it.
func TestEncodeSlotEvents(t *testing.T) {
	t.Parallel()
	inForm := edit(t, "invalid/missing_email.json", func(_, tr map[string]any) {
		tr["active_loop"] = map[string]any{"name": "lookup_customer_form"}
	})
	tests := []struct {
		name  string
		body  []byte
		reply conversation.Reply
		want  string
	}{
		{"values and nulls", readEvent(t, "lookup_customer.json"), conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Done."},
			SetSlots: map[string]*string{"email": nil, "customer_id": conversation.Value("cus_1")}},
			`customer_id="cus_1" email=null`},
		{"no slots", readEvent(t, "lookup_customer.json"), conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Done."}}, ``},
		{"elicit overrides a value set for the slot", readEvent(t, "invalid/malformed_email.json"), conversation.Reply{Outcome: conversation.OutcomeElicitSlot,
			SlotToElicit: "email", Messages: []string{"Again?"}, SetSlots: map[string]*string{"email": conversation.Value("x"), "attempts": conversation.Value("2")}},
			`attempts="2" email=null`},
		{"elicit in a form", inForm, conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email", Messages: []string{"Email?"}},
			`email=null requested_slot="email"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, out, err := decode(t, tt.body).Encode(tt.reply)
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				Events []map[string]json.RawMessage `json:"events"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range resp.Events {
				ts, hasTS := e["timestamp"]
				if string(e["event"]) != `"slot"` || !hasTS || string(ts) != "null" {
					t.Errorf("event %v is not a slot event with a null timestamp", e)
				}
				var name string
				_ = json.Unmarshal(e["name"], &name)
				got = append(got, name+"="+string(e["value"]))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("events %q, want %q", g, tt.want)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "lookup_customer.json"))
	for _, r := range []conversation.Reply{{Outcome: conversation.OutcomeElicitSlot}, {Outcome: ""}, {Outcome: "later"}} {
		if _, _, err := req.Encode(r); err == nil {
			t.Errorf("Encode(%+v) succeeded", r)
		}
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	// Every registered intent's action (action_<name>), sorted.
	var actions []string
	for _, in := range spec.All() {
		actions = append(actions, `{"name":"action_`+in.Name+`"}`)
	}
	sort.Strings(actions)
	want := "[" + strings.Join(actions, ",") + "]"
	for _, deployed := range []string{"lookup_customer", "create_ticket", "verify_payment", "search_kb"} {
		if !strings.Contains(want, `{"name":"action_`+deployed+`"}`) {
			t.Fatalf("the registry lacks %s: %s", deployed, want)
		}
	}
	if got := string(rasa.Actions(names)); got != want {
		t.Errorf("Actions = %s, want %s", got, want)
	}
	if got := string(rasa.Actions(nil)); got != "[]" {
		t.Errorf("Actions(nil) = %s, want []", got)
	}
}

func FuzzDecode(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzDecode holds the sample events compacted, the tracker
	// cut to two events, so the mutator works on short inputs and minimising what it
	// finds stays cheap (a real tracker is 10-20 KB, and minimisation is quadratic in
	// the input); TestEveryEventFile runs the full events.
	f.Add(tracker(`"slots":{"a":null,"b":[1e400],"c":-0,"d":[[]]},"latest_message":{"entities":[{"entity":"a","value":{"x":1}}]}`))
	a := rasa.New(names)
	// The first Check compiles and caches the response schema: do it here, once,
	// not inside the first exec.
	_ = schematest.Check(conversation.Rasa, []byte(`{"events":[],"responses":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := a.Decode(body)
		if err != nil {
			var br *platform.BadRequest
			if !errors.As(err, &br) || br.Status != 400 || !json.Valid(br.Body) {
				t.Fatalf("Decode error %v is not a 400 BadRequest with a JSON body", err)
			}
			return
		}
		turn := req.Turn()
		if turn.RawIntent == "" || turn.SessionID == "" {
			t.Fatalf("decoded a turn without action or session: %+v", turn)
		}
		for k, v := range turn.Slots {
			if v == "" {
				t.Fatalf("empty slot %q", k)
			}
			// Numbers come out in plain decimal; a slot that reads as one with an
			// exponent must be a string the caller sent (an entity value "e" or "1e5").
			if _, err := strconv.ParseFloat(v, 64); err == nil && strings.ContainsAny(v, "eE") && !sentString(body, v) {
				t.Fatalf("slot %q = %q: a number with an exponent", k, v)
			}
		}
		for _, r := range []conversation.Reply{
			{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok"}},
			{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email", SetSlots: map[string]*string{"email": nil}},
			{Outcome: conversation.OutcomeUnknownIntent},
		} {
			status, out, err := req.Encode(r)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !json.Valid(out) {
				t.Fatalf("Encode produced invalid JSON: %s", out)
			}
			if status == 200 {
				if err := schematest.Check(conversation.Rasa, out); err != nil {
					t.Fatalf("response does not match the schema: %v", err)
				}
			}
		}
	})
}

// sentString reports whether body holds s as a JSON string value (trimmed, as slots are).
func sentString(body []byte, s string) bool {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(x any) bool {
		switch x := x.(type) {
		case string:
			return strings.TrimSpace(x) == s
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(doc)
}

func BenchmarkDecodeEncode(b *testing.B) {
	body := readEvent(b, "create_ticket.json")
	a := rasa.New(names)
	reply := conversation.Reply{Outcome: conversation.OutcomeFulfilled,
		Messages: []string{"I opened ticket #1042: Cannot log in.", "We'll email ada@example.com with updates."},
		SetSlots: map[string]*string{"ticket_id": conversation.Value("1042")}}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req, err := a.Decode(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := req.Encode(reply); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeLargeTracker(b *testing.B) {
	body := bigTracker(3200) // 19,200 events, about 5 MiB
	a := rasa.New(names)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req, err := a.Decode(body)
		if err != nil {
			b.Fatal(err)
		}
		if req.Turn().TurnID == "" {
			b.Fatal("no turn id")
		}
	}
}

// Every kind of rich reply renders valid in the schema, and as its golden file.
func TestEncodeRichGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range schematest.RichReplies() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			status, out, err := decode(t, readEvent(t, "create_ticket.json")).Encode(tc.Reply)
			if err != nil || status != 200 {
				t.Fatalf("Encode: %d %v", status, err)
			}
			schematest.Validate(t, conversation.Rasa, out)
			schematest.Golden(t, filepath.Join("testdata", "golden", tc.Name+".json"), out, *update)
		})
	}
}

// The caller's language comes from the latest message's metadata, else the language
// slot.
func TestDecodeLocale(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ tracker, want string }{
		{`{"slots": {"language": "de"}, "latest_message": {"text": "hi", "metadata": {"language": "fr-FR"}}}`, "fr-FR"},
		{`{"slots": {"language": "de"}, "latest_message": {"text": "hi", "metadata": {"locale": "es"}}}`, "es"},
		{`{"slots": {"language": "de"}, "latest_message": {"text": "hi", "metadata": {"language": 7}}}`, "de"},
		{`{"slots": {"language": "pt-BR"}, "latest_message": {"text": "hi"}}`, "pt-BR"},
		{`{"slots": {}, "latest_message": {"text": "hi"}}`, ""},
	} {
		body := `{"next_action": "action_search_kb", "sender_id": "u1", "tracker": ` + tt.tracker + `}`
		if got := decode(t, []byte(body)).Turn().Locale; got != tt.want {
			t.Errorf("%s: locale = %q, want %q", tt.tracker, got, tt.want)
		}
	}
}
