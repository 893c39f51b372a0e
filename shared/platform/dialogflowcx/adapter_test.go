package dialogflowcx_test

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/dialogflowcx"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const eventsDir = "../../../events/dialogflow-cx"

// names are the configuration defaults: the platform's naming convention applied to
// every registered intent.
var names = platform.Names(config.DefaultIntentNames().Names(conversation.DialogflowCX))

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
	req, err := dialogflowcx.New(names).Decode(body)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return req
}

const session1 = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"

func TestDecodeEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want conversation.Turn
	}{
		{"lookup_customer.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "lookup-customer",
			Slots:     map[string]string{"email": "ada@example.com"},
			SessionID: session1, TurnID: "3e9b1c2d-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
			Locale: "en", Text: "Can you look up ada@example.com?",
		}},
		{"create_ticket.json", conversation.Turn{
			Intent: conversation.CreateTicket, RawIntent: "create-ticket",
			// email and description from the session, subject and priority from the
			// matched intent's resolved values.
			Slots: map[string]string{
				"email": "ada@example.com", "subject": "Cannot log in",
				"description": "I get an error page after resetting my password.", "priority": "high",
			},
			SessionID: session1, TurnID: "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
			Locale: "en", Text: "It's urgent-ish: high priority, I cannot log in",
		}},
		{"verify_payment.json", conversation.Turn{
			Intent: conversation.VerifyPayment, RawIntent: "verify-payment",
			Slots:     map[string]string{"payment_reference": "pi_demo_ada_1", "email": "ada@example.com", "amount": "42.5"},
			SessionID: "6d5c4b3a-2918-4f7e-8d6c-5b4a39281706", TurnID: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
			Locale: "en", Text: "did my payment p i demo ada one go through",
		}},
		{"search_kb.json", conversation.Turn{
			Intent: conversation.SearchKB, RawIntent: "search-kb",
			Slots:     map[string]string{"query": "reset my password"},
			SessionID: "2f3e4d5c-6b7a-4899-8a7b-6c5d4e3f2a1b", TurnID: "f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f",
			Locale: "en", Text: "How do I reset my password?",
		}},
		{"invalid/missing_email.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "lookup-customer",
			SessionID: session1, TurnID: "0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e",
			Locale: "en", Text: "Look up my account",
		}},
		{"invalid/malformed_email.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "lookup-customer",
			Slots:     map[string]string{"email": "ada-at-example"},
			SessionID: session1, TurnID: "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
			Locale: "en", Text: "my email is ada-at-example",
		}},
		{"invalid/unknown_intent.json", conversation.Turn{
			Intent: "", RawIntent: "cancel-subscription",
			SessionID: session1, TurnID: "2d3e4f5a-6b7c-4d8e-9f0a-b1c2d3e4f5a6",
			Locale: "en", Text: "Cancel my subscription",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := decode(t, readEvent(t, tt.file)).Turn()
			tt.want.Platform = conversation.DialogflowCX
			tt.want.Phase = conversation.PhaseFulfill
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Turn():\ngot  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Every sample event decodes, except malformed.json (an ES request) which must not.
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
		_, err = dialogflowcx.New(names).Decode(body)
		if malformed := filepath.Base(f) == "malformed.json"; malformed != (err != nil) {
			t.Errorf("%s: Decode error = %v", f, err)
		}
	}
}

// snake_case field names, as proto JSON parsers accept them, decode like camelCase.
func TestDecodeSnakeCase(t *testing.T) {
	t.Parallel()
	snake := `{
		"detect_intent_response_id": "resp-1",
		"language_code": "en",
		"fulfillment_info": {"tag": "verify-payment"},
		"intent_info": {"last_matched_intent": "projects/p/locations/global/agents/a/intents/i", "display_name": "payment.verify",
			"parameters": {"payment_reference": {"original_value": "order 1042", "resolved_value": 1042}}},
		"page_info": {"current_page": "projects/p/locations/global/agents/a/flows/f/pages/pg", "form_info": {"parameter_info": [{"display_name": "payment_reference", "state": "FILLED", "just_collected": true}]}},
		"session_info": {"session": "projects/p/locations/global/agents/a/sessions/s-9", "parameters": {"email": "ada@example.com"}},
		"text": "order 1042"
	}`
	req := decode(t, []byte(snake))
	want := conversation.Turn{
		Platform: conversation.DialogflowCX, Intent: conversation.VerifyPayment, RawIntent: "verify-payment",
		Phase: conversation.PhaseFulfill, Slots: map[string]string{"payment_reference": "1042", "email": "ada@example.com"},
		SessionID: "s-9", TurnID: "resp-1", Locale: "en", Text: "order 1042",
	}
	if got := req.Turn(); !reflect.DeepEqual(got, want) {
		t.Errorf("Turn():\ngot  %+v\nwant %+v", got, want)
	}
	w := req.(*dialogflowcx.Call).Wire
	pi := w.PageInfo.FormInfo.ParameterInfo
	if w.IntentInfo.DisplayName != "payment.verify" || w.PageInfo.CurrentPage == "" || len(pi) != 1 || pi[0].DisplayName != "payment_reference" || !pi[0].JustCollected {
		t.Errorf("snake_case fields not decoded: %+v %+v", w.IntentInfo, w.PageInfo)
	}
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	valid := string(readEvent(t, "lookup_customer.json"))
	tests := []struct {
		name, body, reason string
	}{
		{"empty body", "  ", "empty body"},
		{"not JSON", "<xml/>", "body is not a valid JSON webhook request"},
		{"truncated", valid[:len(valid)-3], "body is not a valid JSON webhook request"},
		{"empty object", `{}`, "missing detectIntentResponseId"},
		{"wrong type", `{"detectIntentResponseId":["x"]}`, "wrong type for detectIntentResponseId"},
		{"tag wrong type", `{"detectIntentResponseId":"r","fulfillmentInfo":{"tag":1}}`, "wrong type for fulfillmentInfo.tag"},
		{"missing tag", `{"detectIntentResponseId":"r","fulfillmentInfo":{},"sessionInfo":{"session":"projects/p/locations/l/agents/a/sessions/s"}}`, "missing fulfillmentInfo.tag"},
		{"missing sessionInfo", `{"detectIntentResponseId":"r","fulfillmentInfo":{"tag":"search-kb"}}`, "missing sessionInfo"},
		{"bad session", strings.Replace(valid, "/sessions/", "/conversations/", 1), "missing or malformed sessionInfo.session"},
		{"ES request", string(readEvent(t, "malformed.json")), "missing detectIntentResponseId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := dialogflowcx.New(names).Decode([]byte(tt.body))
			var br *platform.BadRequest
			if !errors.As(err, &br) {
				t.Fatalf("Decode error = %v, want *platform.BadRequest", err)
			}
			if br.Status != 400 || br.Platform != conversation.DialogflowCX || br.Reason != tt.reason {
				t.Errorf("BadRequest = %d %s %q, want 400 dialogflow-cx %q", br.Status, br.Platform, br.Reason, tt.reason)
			}
			var body map[string]string
			if err := json.Unmarshal(br.Body, &body); err != nil || body["error"] != tt.reason {
				t.Errorf("body = %s, want {\"error\": %q}", br.Body, tt.reason)
			}
		})
	}
}

func TestEncodeGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		event string
		reply conversation.Reply
	}{
		{"fulfilled", "create_ticket.json", conversation.Reply{Outcome: conversation.OutcomeFulfilled,
			Messages: []string{"I opened ticket #1042: Cannot log in.", "We'll email ada@example.com with updates."},
			SetSlots: map[string]*string{"ticket_id": conversation.Value("1042")}}},
		{"failed", "create_ticket.json", conversation.Reply{Outcome: conversation.OutcomeFailed,
			Messages: []string{"I couldn't reach the helpdesk just now. Please email support@example.com and we'll open the ticket for you."}}},
		{"failed_default", "create_ticket.json", conversation.Reply{Outcome: conversation.OutcomeFailed}},
		{"elicit_slot_invalid", "invalid/malformed_email.json", conversation.Reply{Outcome: conversation.OutcomeElicitSlot,
			Messages:     []string{"That doesn't look like a valid email address. Could you spell it again, like name@example.com?"},
			SlotToElicit: "email", SetSlots: map[string]*string{"email": nil}}},
		{"elicit_slot_missing", "invalid/missing_email.json", conversation.Reply{Outcome: conversation.OutcomeElicitSlot,
			Messages: []string{"What is the email address on the account?"}, SlotToElicit: "email"}},
		{"delegate", "create_ticket.json", conversation.Reply{Outcome: conversation.OutcomeDelegate}},
		{"unknown_intent", "invalid/unknown_intent.json", conversation.Reply{Outcome: conversation.OutcomeUnknownIntent}},
		{"rejected", "create_ticket.json", conversation.Reply{Outcome: conversation.OutcomeRejected,
			Messages: []string{"Creating tickets isn't switched on yet. Please email support@example.com."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, out, err := decode(t, readEvent(t, tt.event)).Encode(tt.reply)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if status != 200 {
				t.Errorf("status = %d, want 200", status)
			}
			schematest.Validate(t, conversation.DialogflowCX, out)
			schematest.Golden(t, filepath.Join("testdata", "golden", tt.name+".json"), out, *update)
		})
	}
}

// SetSlots nil becomes a JSON null session parameter (which CX deletes), a value a
// string; an elicited slot is marked INVALID when it had a value, EMPTY when missing,
// but only when the request's page has a form with that parameter: a page without a
// form, or whose form lacks it, gets the prompt and the cleared parameter alone.
func TestEncodeNullDeletes(t *testing.T) {
	t.Parallel()
	withForm := func(file string, params ...string) []byte {
		var doc map[string]any
		if err := json.Unmarshal(readEvent(t, file), &doc); err != nil {
			t.Fatal(err)
		}
		var infos []any
		for _, p := range params {
			infos = append(infos, map[string]any{"displayName": p, "required": true, "state": "EMPTY"})
		}
		pi, _ := doc["pageInfo"].(map[string]any)
		if pi == nil {
			pi = map[string]any{"displayName": "Lookup Customer"}
			doc["pageInfo"] = pi
		}
		pi["formInfo"] = map[string]any{"parameterInfo": infos}
		b, _ := json.Marshal(doc)
		return b
	}
	tests := []struct {
		name      string
		body      []byte
		reply     conversation.Reply
		wantState string
		wantParam map[string]string
	}{
		{"form, value invalid", withForm("invalid/malformed_email.json", "email"), conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email",
			Messages: []string{"Again?"}}, dialogflowcx.StateInvalid, map[string]string{"email": "null"}},
		{"form, value missing", withForm("invalid/missing_email.json", "name", "email"), conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email",
			Messages: []string{"Email?"}}, dialogflowcx.StateEmpty, map[string]string{"email": "null"}},
		{"page without a form", readEvent(t, "invalid/missing_email.json"), conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email",
			Messages: []string{"Email?"}}, "", map[string]string{"email": "null"}},
		{"form without the parameter", withForm("invalid/malformed_email.json", "phone"), conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email",
			Messages: []string{"Again?"}}, "", map[string]string{"email": "null"}},
		{"fulfilled", readEvent(t, "lookup_customer.json"), conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Done."},
			SetSlots: map[string]*string{"email": nil, "customer_id": conversation.Value("cus_1")}}, "", map[string]string{"email": "null", "customer_id": `"cus_1"`}},
	}
	for _, tt := range tests {
		_, out, err := decode(t, tt.body).Encode(tt.reply)
		if err != nil {
			t.Fatal(err)
		}
		schematest.Validate(t, conversation.DialogflowCX, out)
		var resp dialogflowcx.WebhookResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for k, v := range resp.SessionInfo.Parameters {
			got[k] = string(v)
		}
		if !reflect.DeepEqual(got, tt.wantParam) {
			t.Errorf("%s: sessionInfo.parameters = %v, want %v", tt.name, got, tt.wantParam)
		}
		var state string
		if resp.PageInfo != nil {
			state = resp.PageInfo.FormInfo.ParameterInfo[0].State
		}
		if state != tt.wantState {
			t.Errorf("%s: parameter state = %q, want %q", tt.name, state, tt.wantState)
		}
		if resp.FulfillmentResponse == nil || resp.FulfillmentResponse.MergeBehavior != dialogflowcx.MergeReplace ||
			resp.FulfillmentResponse.Messages[0].Text.Text[0] != tt.reply.Messages[0] {
			t.Errorf("%s: fulfillmentResponse = %+v", tt.name, resp.FulfillmentResponse)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "lookup_customer.json"))
	for _, r := range []conversation.Reply{{Outcome: conversation.OutcomeElicitSlot}, {Outcome: ""}} {
		if _, _, err := req.Encode(r); err == nil {
			t.Errorf("Encode(%+v) succeeded", r)
		}
	}
}

// A reply too large for the 64 KiB limit is truncated, says so, and stays valid.
func TestEncodeTruncatesToLimit(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "search_kb.json"))
	long := strings.Repeat("Open Settings → Security → “Reset password” and follow the emailed link. ", 1000)
	_, out, err := req.Encode(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Found it:", long}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > dialogflowcx.MaxResponseBytes || len(out) < dialogflowcx.MaxResponseBytes-4096 {
		t.Fatalf("%d bytes, want just under %d", len(out), dialogflowcx.MaxResponseBytes)
	}
	schematest.Validate(t, conversation.DialogflowCX, out)
	var resp dialogflowcx.WebhookResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	msgs := resp.FulfillmentResponse.Messages
	if len(msgs) != 2 || msgs[0].Text.Text[0] != "Found it:" || !strings.HasSuffix(msgs[1].Text.Text[0], "…") {
		t.Errorf("messages not truncated as expected: %d messages", len(msgs))
	}
}

func FuzzDecode(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzDecode holds the sample events compacted, so the
	// mutator works on short inputs and minimising what it finds stays cheap;
	// TestEveryEventFile runs the full events.
	f.Add([]byte(`{"detect_intent_response_id":"r","fulfillment_info":{"tag":"x"},"session_info":{"session":"projects/p/locations/l/agents/a/sessions/s","parameters":{"a":null}}}`))
	a := dialogflowcx.New(names)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := a.Decode(body)
		if err != nil {
			var br *platform.BadRequest
			if !errors.As(err, &br) || br.Status != 400 || !json.Valid(br.Body) {
				t.Fatalf("Decode error %v is not a 400 BadRequest with a JSON body", err)
			}
			return
		}
		for k, v := range req.Turn().Slots {
			if v == "" {
				t.Fatalf("empty slot %q", k)
			}
		}
		for _, r := range []conversation.Reply{
			{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok"}},
			{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email", SetSlots: map[string]*string{"email": nil}},
		} {
			_, out, err := req.Encode(r)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !json.Valid(out) {
				t.Fatalf("Encode produced invalid JSON: %s", out)
			}
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	body := readEvent(b, "create_ticket.json")
	a := dialogflowcx.New(names)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req, err := a.Decode(body)
		if err != nil {
			b.Fatal(err)
		}
		_ = req.Turn()
	}
}

func BenchmarkEncode(b *testing.B) {
	req := decode(b, readEvent(b, "create_ticket.json"))
	reply := conversation.Reply{Outcome: conversation.OutcomeFulfilled,
		Messages: []string{"I opened ticket #1042: Cannot log in.", "We'll email ada@example.com with updates."}}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := req.Encode(reply); err != nil {
			b.Fatal(err)
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
			schematest.Validate(t, conversation.DialogflowCX, out)
			schematest.Golden(t, filepath.Join("testdata", "golden", tc.Name+".json"), out, *update)
		})
	}
}
