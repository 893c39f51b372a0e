package lexv2_test

import (
	"encoding/json"
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/lexv2"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const eventsDir = "../../../events/lex"

// names are the configuration defaults: the platform's naming convention applied to
// every registered intent.
var names = platform.Names(config.DefaultIntentNames().Names(conversation.LexV2))

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
	req, err := lexv2.New(names).Decode(body)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return req
}

func encode(t testing.TB, req platform.Request, r conversation.Reply) lexv2.Response {
	t.Helper()
	status, out, err := req.Encode(r)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if status != 200 {
		t.Errorf("status = %d, want 200", status)
	}
	schematest.Validate(t, conversation.LexV2, out)
	var resp lexv2.Response
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

const session1 = "web-7f3c2a91d4e8"

func TestDecodeEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want conversation.Turn
	}{
		{"lookup_customer.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "LookupCustomer", Phase: conversation.PhaseFulfill,
			Slots:     map[string]string{"email": "ada@example.com"},
			SessionID: session1, TurnID: session1 + ":0b7e4c1a-9d2f-4e6b-8a3c-5f1d2e7b9c04:fulfill:LookupCustomer",
			Locale: "en_US", Text: "Can you look up ada@example.com?",
		}},
		{"create_ticket.json", conversation.Turn{
			Intent: conversation.CreateTicket, RawIntent: "CreateTicket", Phase: conversation.PhaseFulfill,
			// priority: the interpreted value "high", not what was said ("urgent").
			Slots: map[string]string{
				"email": "ada@example.com", "subject": "Cannot log in",
				"description": "I get an error page after resetting my password.", "priority": "high",
			},
			SessionID: session1, TurnID: session1 + ":6a2d9e4f-1c3b-4d7a-9e8f-2b5c7d1a3e60:fulfill:CreateTicket",
			Locale: "en_US", Text: "urgent",
		}},
		{"verify_payment.json", conversation.Turn{
			Intent: conversation.VerifyPayment, RawIntent: "VerifyPayment", Phase: conversation.PhaseFulfill,
			Slots:     map[string]string{"payment_reference": "pi_demo_ada_1", "email": "ada@example.com"},
			SessionID: "connect-3c9a71e2-5b48-4f0d-a6e3-8d2b1f9c7e45",
			TurnID:    "connect-3c9a71e2-5b48-4f0d-a6e3-8d2b1f9c7e45:9e1f3a5c-7b2d-4c8e-a0f6-4d3b2c1a9e87:fulfill:VerifyPayment",
			Locale:    "en_US", Text: "p i demo ada one",
		}},
		{"search_kb.json", conversation.Turn{
			Intent: conversation.SearchKB, RawIntent: "SearchKnowledgeBase", Phase: conversation.PhaseFulfill,
			Slots:     map[string]string{"query": "reset my password"},
			SessionID: "web-2e8d4b6f0a13", TurnID: "web-2e8d4b6f0a13:3d5f7b9a-2c4e-4a6b-8d0f-1e3a5c7b9d21:fulfill:SearchKnowledgeBase",
			Locale: "en_US", Text: "How do I reset my password?",
		}},
		{"dialog_code_hook.json", conversation.Turn{
			Intent: conversation.CreateTicket, RawIntent: "CreateTicket", Phase: conversation.PhaseValidate,
			Slots:     map[string]string{"email": "ada@example.com", "subject": "Cannot log in"},
			SessionID: session1, TurnID: session1 + ":5c8e1a3f-7d9b-4f2e-b6a4-0c2e4a6b8d13:validate:CreateTicket",
			Locale: "en_US", Text: "Cannot log in",
		}},
		{"invalid/missing_email.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "LookupCustomer", Phase: conversation.PhaseValidate,
			SessionID: session1, TurnID: session1 + ":1a3c5e7f-9b2d-4f6a-8c0e-2d4f6a8c0e13:validate:LookupCustomer",
			Locale: "en_US", Text: "Look up my account",
		}},
		{"invalid/malformed_email.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "LookupCustomer", Phase: conversation.PhaseValidate,
			// No interpretedValue: the original value stands in.
			Slots:     map[string]string{"email": "ada-at-example"},
			SessionID: session1, TurnID: session1 + ":2b4d6f8a-0c1e-4a3b-9d5f-7e9a1c3e5b24:validate:LookupCustomer",
			Locale: "en_US", Text: "my email is ada-at-example",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := decode(t, readEvent(t, tt.file)).Turn()
			tt.want.Platform = conversation.LexV2
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Turn():\ngot  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// An event without originatingRequestId gets a turn id hashed from what was asked:
// stable for the same turn, different for a different one.
func TestDecodeUnknownIntentHashedTurnID(t *testing.T) {
	t.Parallel()
	body := readEvent(t, "invalid/unknown_intent.json")
	got := decode(t, body).Turn()
	if got.Intent != "" || got.RawIntent != "CancelSubscription" || got.Phase != conversation.PhaseFulfill {
		t.Errorf("Turn() = %+v, want an unmapped CancelSubscription fulfilment turn", got)
	}
	if !regexp.MustCompile(`^web-7f3c2a91d4e8:h[0-9a-f]{32}$`).MatchString(got.TurnID) {
		t.Fatalf("TurnID = %q, want sessionId:h<32 hex>", got.TurnID)
	}
	if again := decode(t, body).Turn().TurnID; again != got.TurnID {
		t.Errorf("TurnID not stable: %q then %q", got.TurnID, again)
	}
	for name, changed := range map[string]string{
		"transcript": strings.Replace(string(body), `"inputTranscript": "Cancel my subscription"`, `"inputTranscript": "Cancel it"`, 1),
		"intent":     strings.ReplaceAll(string(body), "CancelSubscription", "PauseSubscription"),
		"phase":      strings.Replace(string(body), `"FulfillmentCodeHook"`, `"DialogCodeHook"`, 1),
		"slots":      strings.Replace(string(body), `"intent": { "name": "CancelSubscription", "slots": {}`, `"intent": { "name": "CancelSubscription", "slots": {"plan": {"value": {"originalValue": "pro", "interpretedValue": "pro"}}}`, -1),
		"session":    strings.Replace(string(body), session1, "web-other", 1),
	} {
		if changed == string(body) {
			t.Fatalf("%s: replacement did not apply", name)
		}
		if id := decode(t, []byte(changed)).Turn().TurnID; id == got.TurnID {
			t.Errorf("%s changed but TurnID stayed %q", name, id)
		}
	}
}

// The same runtime request invoking the dialog hook and then the fulfillment hook must
// not share an idempotency key.
func TestTurnIDDiffersByPhase(t *testing.T) {
	t.Parallel()
	body := string(readEvent(t, "lookup_customer.json"))
	fulfil := decode(t, []byte(body)).Turn()
	validate := decode(t, []byte(strings.Replace(body, `"FulfillmentCodeHook"`, `"DialogCodeHook"`, 1))).Turn()
	if validate.Phase != conversation.PhaseValidate || fulfil.Phase != conversation.PhaseFulfill {
		t.Fatalf("phases = %s, %s", validate.Phase, fulfil.Phase)
	}
	if validate.TurnID == fulfil.TurnID {
		t.Errorf("both phases share TurnID %q", fulfil.TurnID)
	}
}

// Every sample event decodes, except malformed.json (not JSON) which must not; and a
// fulfilled reply to each validates against the response schema.
func TestEveryEventFile(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	more, _ := filepath.Glob(filepath.Join(eventsDir, "invalid", "*.json"))
	files = append(files, more...)
	if len(files) < 9 {
		t.Fatalf("found only %d event files", len(files))
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		req, err := lexv2.New(names).Decode(body)
		if malformed := filepath.Base(f) == "malformed.json"; malformed != (err != nil) {
			t.Errorf("%s: Decode error = %v", f, err)
		}
		if err == nil {
			encode(t, req, conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Done."}})
		}
	}
}

func TestDecodeSlots(t *testing.T) {
	t.Parallel()
	const head = `{"messageVersion":"1.0","invocationSource":"FulfillmentCodeHook","sessionId":"s","bot":{"localeId":"en_GB"},"sessionState":{"intent":{"name":"CreateTicket","slots":`
	tests := []struct {
		name  string
		slots string
		want  map[string]string
	}{
		{"all null", `{"email":null,"subject":null}`, nil},
		{"slots null", `null`, nil},
		{"slots absent", `{}`, nil},
		{"interpreted wins", `{"priority":{"shape":"Scalar","value":{"originalValue":"urgent","interpretedValue":"high","resolvedValues":["high"]}}}`,
			map[string]string{"priority": "high"}},
		{"original fallback", `{"subject":{"value":{"originalValue":" Cannot log in ","resolvedValues":[]}}}`,
			map[string]string{"subject": "Cannot log in"}},
		{"blank values dropped", `{"subject":{"value":{"originalValue":"  ","interpretedValue":""}},"email":{"value":null}}`, nil},
		{"list first element", `{"email":{"shape":"List","values":[{"shape":"Scalar","value":{"originalValue":"a@example.com","interpretedValue":"a@example.com"}},{"value":{"originalValue":"b@example.com","interpretedValue":"b@example.com"}}]}}`,
			map[string]string{"email": "a@example.com"}},
		{"list overall value", `{"email":{"shape":"List","value":{"originalValue":"a and b","interpretedValue":"a@example.com b@example.com"},"values":[]}}`,
			map[string]string{"email": "a@example.com b@example.com"}},
		{"composite ignored", `{"address":{"shape":"Composite","subSlots":{"city":{"value":{"originalValue":"Paris","interpretedValue":"Paris"}}}}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			turn := decode(t, []byte(head+tt.slots+`}}}`)).Turn()
			if !reflect.DeepEqual(turn.Slots, tt.want) {
				t.Errorf("Slots = %v, want %v", turn.Slots, tt.want)
			}
			if turn.Locale != "en_GB" {
				t.Errorf("Locale = %q", turn.Locale)
			}
		})
	}
}

// nluConfidence (and transcriptionConfidence) arrive as a bare number in real events
// and as {"score": n} in some fixtures: both decode to the same value.
func TestConfidenceShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want float64
		ok   bool
	}{
		{`0.87`, 0.87, true},
		{`1`, 1, true},
		{`{"score": 0.87}`, 0.87, true},
		{`{ "score" : 0.5, "extra": true }`, 0.5, true},
		{`"0.42"`, 0.42, true},
		{`{"score": "0.42"}`, 0.42, true},
		{`{"score": null}`, 0, false},
		{`{}`, 0, false},
		{`{"score": {"score": 1}}`, 0, false},
		{`true`, 0, false},
		{`"high"`, 0, false},
	}
	for _, tt := range tests {
		var c lexv2.Confidence
		err := json.Unmarshal([]byte(tt.raw), &c)
		if (err == nil) != tt.ok || float64(c) != tt.want {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v, ok=%v", tt.raw, float64(c), err, tt.want, tt.ok)
		}
	}
	// Both shapes in whole events; FallbackIntent carries none.
	for _, file := range []string{"lookup_customer.json", "search_kb.json"} {
		w := decode(t, readEvent(t, file)).(*lexv2.Call).Wire
		top := w.Interpretations[0].NluConfidence
		if top == nil || *top < 0.9 || *top > 0.95 {
			t.Errorf("%s: top nluConfidence = %v", file, top)
		}
		for _, in := range w.Interpretations {
			if in.Intent.Name == "FallbackIntent" && in.NluConfidence != nil {
				t.Errorf("%s: FallbackIntent has nluConfidence %v", file, *in.NluConfidence)
			}
		}
	}
	w := decode(t, readEvent(t, "verify_payment.json")).(*lexv2.Call).Wire
	if len(w.Transcriptions) != 2 || w.Transcriptions[0].TranscriptionConfidence == nil || *w.Transcriptions[0].TranscriptionConfidence != 0.91 {
		t.Errorf("transcriptions = %+v", w.Transcriptions)
	}
	// A bare number encodes back as a bare number.
	b, _ := json.Marshal(lexv2.Interpretation{Intent: lexv2.Intent{Name: "X"}, NluConfidence: ptr(lexv2.Confidence(0.5))})
	if !strings.Contains(string(b), `"nluConfidence":0.5`) {
		t.Errorf("encoded %s", b)
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	valid := string(readEvent(t, "lookup_customer.json"))
	tests := []struct {
		name, body, reason string
	}{
		{"empty body", "  ", "empty body"},
		{"not JSON", "<xml/>", "body is not a valid JSON Lex V2 event"},
		{"malformed.json", string(readEvent(t, "malformed.json")), "body is not a valid JSON Lex V2 event"},
		{"truncated", valid[:len(valid)-3], "body is not a valid JSON Lex V2 event"},
		{"array", `[]`, "body is not a valid JSON Lex V2 event"},
		{"empty object", `{}`, "missing invocationSource"},
		{"bad invocationSource", `{"invocationSource":"Fulfil","sessionId":"s","sessionState":{"intent":{"name":"X"}}}`,
			"invocationSource must be DialogCodeHook or FulfillmentCodeHook"},
		{"missing sessionId", `{"invocationSource":"DialogCodeHook","sessionState":{"intent":{"name":"X"}}}`, "missing sessionId"},
		{"missing sessionState", `{"invocationSource":"DialogCodeHook","sessionId":"s"}`, "missing sessionState.intent"},
		{"missing intent", `{"invocationSource":"DialogCodeHook","sessionId":"s","sessionState":{"sessionAttributes":{}}}`, "missing sessionState.intent"},
		{"intent null", `{"invocationSource":"DialogCodeHook","sessionId":"s","sessionState":{"intent":null}}`, "missing sessionState.intent"},
		{"missing intent name", `{"invocationSource":"DialogCodeHook","sessionId":"s","sessionState":{"intent":{"slots":{}}}}`, "missing sessionState.intent.name"},
		{"intent as string", `{"invocationSource":"DialogCodeHook","sessionId":"s","sessionState":{"intent":"LookupCustomer"}}`,
			"wrong type for sessionState.intent"},
		{"slot wrong type", `{"invocationSource":"DialogCodeHook","sessionId":"s","sessionState":{"intent":{"name":"X","slots":{"email":"ada@example.com"}}}}`,
			"wrong type for sessionState.intent.slots"},
		{"attribute not a string", `{"invocationSource":"DialogCodeHook","sessionId":"s","sessionState":{"sessionAttributes":{"n":1},"intent":{"name":"X"}}}`,
			"wrong type for sessionState.sessionAttributes"},
		{"confidence not a number", strings.Replace(valid, `"nluConfidence": 0.94`, `"nluConfidence": {"value": 0.94}`, 1),
			"body is not a valid JSON Lex V2 event"},
		{"Dialogflow CX request", string(mustRead(t, "../../../events/dialogflow-cx/lookup_customer.json")), "missing invocationSource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := lexv2.New(names).Decode([]byte(tt.body))
			var br *platform.BadRequest
			if !errors.As(err, &br) {
				t.Fatalf("Decode error = %v, want *platform.BadRequest", err)
			}
			// The reason names the field; newer encoding/json implementations name
			// it down to the map key (sessionState.sessionAttributes.n).
			if br.Status != 400 || br.Platform != conversation.LexV2 || !strings.HasPrefix(br.Reason, tt.reason) {
				t.Errorf("BadRequest = %d %s %q, want 400 lex %q", br.Status, br.Platform, br.Reason, tt.reason)
			}
			var body map[string]string
			if err := json.Unmarshal(br.Body, &body); err != nil || body["error"] != br.Reason {
				t.Errorf("body = %s, want {\"error\": %q}", br.Body, tt.reason)
			}
		})
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
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
		{"delegate", "dialog_code_hook.json", conversation.Reply{Outcome: conversation.OutcomeDelegate}},
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
			schematest.Validate(t, conversation.LexV2, out)
			schematest.Golden(t, filepath.Join("testdata", "golden", tt.name+".json"), out, *update)
		})
	}
}

// Each outcome maps to its dialog action and intent state; the intent, its slots, the
// session attributes and the active contexts are echoed.
func TestEncodeOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		event      string
		reply      conversation.Reply
		wantAction string
		wantState  string
		wantSlot   string
	}{
		{"create_ticket.json", conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Done."}}, lexv2.ActionClose, lexv2.StateFulfilled, ""},
		{"create_ticket.json", conversation.Reply{Outcome: conversation.OutcomeFailed}, lexv2.ActionClose, lexv2.StateFailed, ""},
		{"create_ticket.json", conversation.Reply{Outcome: conversation.OutcomeRejected}, lexv2.ActionClose, lexv2.StateFailed, ""},
		{"invalid/unknown_intent.json", conversation.Reply{Outcome: conversation.OutcomeUnknownIntent}, lexv2.ActionClose, lexv2.StateFailed, ""},
		{"dialog_code_hook.json", conversation.Reply{Outcome: conversation.OutcomeDelegate}, lexv2.ActionDelegate, lexv2.StateInProgress, ""},
		{"create_ticket.json", conversation.Reply{Outcome: conversation.OutcomeDelegate}, lexv2.ActionDelegate, lexv2.StateReadyForFulfillment, ""},
		{"dialog_code_hook.json", conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "description",
			Messages: []string{"Please describe the problem."}}, lexv2.ActionElicitSlot, lexv2.StateInProgress, "description"},
	}
	for _, tt := range tests {
		req := decode(t, readEvent(t, tt.event))
		in := req.(*lexv2.Call).Wire.SessionState
		resp := encode(t, req, tt.reply)
		ss := resp.SessionState
		if ss.DialogAction == nil || ss.DialogAction.Type != tt.wantAction || ss.DialogAction.SlotToElicit != tt.wantSlot {
			t.Errorf("%s %s: dialogAction = %+v, want %s %q", tt.event, tt.reply.Outcome, ss.DialogAction, tt.wantAction, tt.wantSlot)
			continue
		}
		if ss.Intent == nil || ss.Intent.Name != in.Intent.Name || ss.Intent.State != tt.wantState || ss.Intent.ConfirmationState != in.Intent.ConfirmationState {
			t.Errorf("%s %s: intent = %+v, want %s in state %s", tt.event, tt.reply.Outcome, ss.Intent, in.Intent.Name, tt.wantState)
		}
		if len(ss.Intent.Slots) != len(in.Intent.Slots) {
			t.Errorf("%s: %d slots echoed, event had %d", tt.event, len(ss.Intent.Slots), len(in.Intent.Slots))
		}
		wantAttrs := emptyIfNil(maps.Clone(in.SessionAttributes))
		wantAttrs[platform.LexOutcomeAttribute], wantAttrs[platform.LexFallbackAttribute] = string(tt.reply.Outcome), "false"
		if !reflect.DeepEqual(ss.SessionAttributes, wantAttrs) || !reflect.DeepEqual(ss.ActiveContexts, nilIfEmptySlice(in.ActiveContexts)) {
			t.Errorf("%s: session attributes/contexts not echoed: %v %v", tt.event, ss.SessionAttributes, ss.ActiveContexts)
		}
		if ss.OriginatingRequestID != "" {
			t.Errorf("%s: originatingRequestId echoed", tt.event)
		}
		for _, m := range resp.Messages {
			if m.ContentType != lexv2.ContentPlainText || m.Content == "" {
				t.Errorf("%s: message %+v", tt.event, m)
			}
		}
		if tt.reply.Outcome != conversation.OutcomeDelegate && tt.reply.Outcome != conversation.OutcomeFulfilled && len(resp.Messages) == 0 {
			t.Errorf("%s %s: no message for the user", tt.event, tt.reply.Outcome)
		}
	}
}

func emptyIfNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nilIfEmptySlice(s []lexv2.ActiveContext) []lexv2.ActiveContext {
	if len(s) == 0 {
		return nil
	}
	return s
}

// SetSlots: a value on a slot of the intent sets it as a Lex value, nil clears it to
// null; a name that is not a slot of the intent goes to the session attributes (nil
// removes it). The elicited slot is always cleared.
func TestEncodeSetSlots(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "create_ticket.json"))
	resp := encode(t, req, conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "subject",
		Messages: []string{"What should the ticket be called?"},
		SetSlots: map[string]*string{
			"priority":       conversation.Value("low"),
			"description":    nil,
			"subject":        conversation.Value("ignored: it is being elicited"),
			"ticket_draft":   conversation.Value("d-17"),
			"customer_email": nil,
		}})
	slots := resp.SessionState.Intent.Slots
	want := &lexv2.Slot{Value: &lexv2.SlotValue{OriginalValue: "low", InterpretedValue: "low", ResolvedValues: []string{}}}
	if !reflect.DeepEqual(slots["priority"], want) {
		t.Errorf("priority = %+v, want %+v", slots["priority"], want)
	}
	for _, k := range []string{"description", "subject"} {
		if v, ok := slots[k]; !ok || v != nil {
			t.Errorf("%s = %+v (present %v), want null", k, v, ok)
		}
	}
	if slots["email"] == nil || slots["email"].Value.InterpretedValue != "ada@example.com" {
		t.Errorf("email not echoed: %+v", slots["email"])
	}
	if _, ok := slots["ticket_draft"]; ok {
		t.Error("ticket_draft became a slot")
	}
	wantAttrs := map[string]string{"channel": "web", "ticket_draft": "d-17",
		platform.LexOutcomeAttribute: "elicit_slot", platform.LexFallbackAttribute: "false"}
	if !reflect.DeepEqual(resp.SessionState.SessionAttributes, wantAttrs) {
		t.Errorf("sessionAttributes = %v, want %v", resp.SessionState.SessionAttributes, wantAttrs)
	}
	// Raw JSON: nulls are explicit, resolvedValues is a list.
	_, out, _ := req.Encode(conversation.Reply{Outcome: conversation.OutcomeFulfilled, SetSlots: map[string]*string{"priority": conversation.Value("low"), "description": nil}})
	for _, frag := range []string{`"description":null`, `"priority":{"value":{"originalValue":"low","interpretedValue":"low","resolvedValues":[]}}`} {
		if !strings.Contains(string(out), frag) {
			t.Errorf("response lacks %s:\n%s", frag, out)
		}
	}
}

// Removing the last session attribute of the bot's returns the set without it: an
// absent sessionAttributes would tell Lex to keep the stored ones. Only the outcome
// attributes remain.
func TestEncodeRemovesLastAttribute(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "lookup_customer.json"))
	_, out, err := req.Encode(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok"},
		SetSlots: map[string]*string{"channel": nil}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"sessionAttributes":{"switchboard_fallback":"false","switchboard_outcome":"fulfilled"}`) {
		t.Errorf("response does not clear the attributes explicitly:\n%s", out)
	}
}

// Encoding leaves the decoded event untouched, so a second Encode (the engine's
// fallback after a failed one) starts from the same state.
func TestEncodeDoesNotMutate(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "create_ticket.json"))
	before, _ := json.Marshal(req.(*lexv2.Call).Wire)
	_, first, _ := req.Encode(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok"}})
	if _, _, err := req.Encode(conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email",
		SetSlots: map[string]*string{"priority": nil, "customer_email": nil, "x": conversation.Value("y")}}); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(req.(*lexv2.Call).Wire)
	if string(before) != string(after) {
		t.Error("Encode changed the decoded event")
	}
	_, again, _ := req.Encode(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok"}})
	if string(first) != string(again) {
		t.Errorf("same reply encoded differently:\n%s\n%s", first, again)
	}
}

// Lex takes at most 1024 characters per message: longer texts are split at a space,
// and more than MaxMessages parts are cut with a mark.
func TestEncodeLongMessages(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "search_kb.json"))
	para := strings.Repeat("Open Settings → Security → “Reset password” and follow the emailed link. ", 40) // ~3000 chars
	resp := encode(t, req, conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Found it:", para, "  "}})
	if len(resp.Messages) < 4 {
		t.Fatalf("%d messages, want the long one split", len(resp.Messages))
	}
	var joined []string
	for _, m := range resp.Messages {
		if n := utf8.RuneCountInString(m.Content); n > lexv2.MaxMessageChars || n == 0 {
			t.Errorf("message of %d characters", n)
		}
		joined = append(joined, m.Content)
	}
	if got := strings.Join(joined[1:], " "); got != strings.TrimSpace(para) {
		t.Errorf("split lost text: %d vs %d characters", len(got), len(para))
	}

	many := make([]string, 30)
	for i := range many {
		many[i] = strings.Repeat("x", 1000)
	}
	resp = encode(t, req, conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: many})
	if len(resp.Messages) != lexv2.MaxMessages || !strings.HasSuffix(resp.Messages[lexv2.MaxMessages-1].Content, "…") {
		t.Errorf("%d messages, last %q…", len(resp.Messages), resp.Messages[len(resp.Messages)-1].Content[:10])
	}

	// One unbroken word longer than the limit is cut at the limit.
	resp = encode(t, req, conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{strings.Repeat("é", 2500)}})
	if len(resp.Messages) != 3 || utf8.RuneCountInString(resp.Messages[0].Content) != lexv2.MaxMessageChars {
		t.Errorf("unbroken text split into %d messages", len(resp.Messages))
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "lookup_customer.json"))
	for _, r := range []conversation.Reply{{Outcome: conversation.OutcomeElicitSlot}, {Outcome: ""}, {Outcome: "confirm"}} {
		if _, _, err := req.Encode(r); err == nil {
			t.Errorf("Encode(%+v) succeeded", r)
		}
	}
}

func FuzzDecode(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzDecode holds the sample events compacted and without
	// the interpretations Switchboard does not read, so the mutator works on short
	// inputs and minimising what it finds stays cheap; TestEveryEventFile runs the
	// full events.
	f.Add([]byte(`{"invocationSource":"DialogCodeHook","sessionId":"s","sessionState":{"intent":{"name":"LookupCustomer","slots":{"email":null,"x":{"shape":"List","values":[{"value":null}]}}}}}`))
	a := lexv2.New(names)
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
		if turn.SessionID == "" || turn.TurnID == "" || turn.RawIntent == "" {
			t.Fatalf("incomplete turn %+v", turn)
		}
		for k, v := range turn.Slots {
			if v == "" || strings.TrimSpace(v) != v {
				t.Fatalf("slot %q = %q", k, v)
			}
		}
		for _, r := range []conversation.Reply{
			{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok"}, SetSlots: map[string]*string{"ticket_id": conversation.Value("1")}},
			{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email", SetSlots: map[string]*string{"email": nil}},
			{Outcome: conversation.OutcomeDelegate},
		} {
			_, out, err := req.Encode(r)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			var resp lexv2.Response
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("Encode produced invalid JSON: %v\n%s", err, out)
			}
			if resp.SessionState.DialogAction == nil || resp.SessionState.Intent == nil || resp.SessionState.Intent.Name != turn.RawIntent {
				t.Fatalf("response without dialogAction or intent: %s", out)
			}
			// Echoed slots always have a usable value or are null.
			for k, s := range resp.SessionState.Intent.Slots {
				if s != nil && s.Value != nil && (s.Value.InterpretedValue == "" || s.Value.ResolvedValues == nil) {
					t.Fatalf("slot %q echoed as %+v", k, s.Value)
				}
			}
		}
	})
}

// BenchmarkDecodeEncode measures one whole turn through the adapter: decode a
// FulfillmentCodeHook event and encode a fulfilled reply.
func BenchmarkDecodeEncode(b *testing.B) {
	body := readEvent(b, "create_ticket.json")
	a := lexv2.New(names)
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

// The schema rejects responses Lex rejects, so the golden checks above can fail.
func TestSchemaRejects(t *testing.T) {
	t.Parallel()
	const intent = `"intent":{"name":"LookupCustomer","state":"Fulfilled"}`
	long := strings.Repeat("a", lexv2.MaxMessageChars+1)
	tests := map[string]string{
		"no sessionState":            `{"messages":[{"contentType":"PlainText","content":"hi"}]}`,
		"no dialogAction":            `{"sessionState":{` + intent + `}}`,
		"intent as string":           `{"sessionState":{"dialogAction":{"type":"Close"},"intent":"LookupCustomer"}}`,
		"unknown action":             `{"sessionState":{"dialogAction":{"type":"Fulfill"},` + intent + `}}`,
		"slotToElicit with Close":    `{"sessionState":{"dialogAction":{"type":"Close","slotToElicit":"email"},` + intent + `}}`,
		"ElicitSlot without slot":    `{"sessionState":{"dialogAction":{"type":"ElicitSlot"},` + intent + `}}`,
		"ElicitSlot without intent":  `{"sessionState":{"dialogAction":{"type":"ElicitSlot","slotToElicit":"email"}}}`,
		"ElicitIntent without msgs":  `{"sessionState":{"dialogAction":{"type":"ElicitIntent"}}}`,
		"bad intent state":           `{"sessionState":{"dialogAction":{"type":"Close"},"intent":{"name":"X","state":"Done"}}}`,
		"null resolvedValues":        `{"sessionState":{"dialogAction":{"type":"Close"},"intent":{"name":"X","slots":{"a":{"value":{"originalValue":"v","interpretedValue":"v","resolvedValues":null}}}}}}`,
		"value without interpreted":  `{"sessionState":{"dialogAction":{"type":"Close"},"intent":{"name":"X","slots":{"a":{"value":{"originalValue":"v"}}}}}}`,
		"slot as string":             `{"sessionState":{"dialogAction":{"type":"Close"},"intent":{"name":"X","slots":{"a":"v"}}}}`,
		"message too long":           `{"sessionState":{"dialogAction":{"type":"Close"},` + intent + `},"messages":[{"contentType":"PlainText","content":"` + long + `"}]}`,
		"empty message":              `{"sessionState":{"dialogAction":{"type":"Close"},` + intent + `},"messages":[{"contentType":"PlainText","content":""}]}`,
		"unknown content type":       `{"sessionState":{"dialogAction":{"type":"Close"},` + intent + `},"messages":[{"contentType":"Text","content":"hi"}]}`,
		"non-string attribute":       `{"sessionState":{"dialogAction":{"type":"Close"},"sessionAttributes":{"n":1},` + intent + `}}`,
		"Dialogflow-style response":  `{"fulfillmentText":"hi"}`,
		"unknown top-level property": `{"sessionState":{"dialogAction":{"type":"Close"},` + intent + `},"speech":"hi"}`,
	}
	for name, body := range tests {
		if err := schematest.Check(conversation.LexV2, []byte(body)); err == nil {
			t.Errorf("%s: schema accepted %s", name, body)
		}
	}
	ok := `{"sessionState":{"dialogAction":{"type":"ElicitSlot","slotToElicit":"email"},"intent":{"name":"X","slots":{"email":null},"state":"InProgress"}}}`
	if err := schematest.Check(conversation.LexV2, []byte(ok)); err != nil {
		t.Errorf("schema rejected a valid ElicitSlot: %v", err)
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
			schematest.Validate(t, conversation.LexV2, out)
			schematest.Golden(t, filepath.Join("testdata", "golden", tc.Name+".json"), out, *update)
		})
	}
}

// Real events from other projects, whose bots name their slots their own way: an
// elicit_slot reply for a slot the request's intent does not define (Lex lists every
// slot of the intent) is answered with ElicitIntent and the prompt, never with an
// ElicitSlot that Lex would reject, and the missing slot is reported. A slot the
// intent does define is elicited as before.
func TestElicitOnlyDefinedSlots(t *testing.T) {
	t.Parallel()
	real := platform.Names{"BookHotel": conversation.LookupCustomer, "IntentName": conversation.VerifyPayment, "mockIntent": conversation.SearchKB}
	tests := []struct {
		file    string
		defined string // a slot the intent defines ("" when it has none)
	}{
		{"aws-lambda-java-libs_lex_v2_event.json", "Nights"},
		{"definitelytyped_lex_v2_event.json", "Slot1"},
		{"qnabot_lex_v2_event.json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", "real", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			req, err := lexv2.New(real).Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			in := req.(*lexv2.Call).Wire.SessionState.Intent
			resp := encode(t, req, conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email",
				Messages: []string{"What's the email on the account?"}, SetSlots: map[string]*string{"email": nil}})
			ss := resp.SessionState
			if ss.DialogAction.Type != lexv2.ActionElicitIntent || ss.DialogAction.SlotToElicit != "" {
				t.Errorf("dialogAction = %+v, want ElicitIntent", ss.DialogAction)
			}
			if ss.Intent != nil {
				if _, named := ss.Intent.Slots["email"]; named {
					t.Errorf("the reply names slot email, which %s does not define", in.Name)
				}
			}
			if len(resp.Messages) != 1 || resp.Messages[0].Content != "What's the email on the account?" {
				t.Errorf("messages = %+v, want the prompt", resp.Messages)
			}
			if ss.SessionAttributes[platform.LexOutcomeAttribute] != "elicit_slot" {
				t.Errorf("outcome attribute = %q", ss.SessionAttributes[platform.LexOutcomeAttribute])
			}
			probs := req.(platform.ProblemReporter).ConfigProblems()
			if len(probs) != 1 || probs[0].Kind != "slot" || probs[0].Name != "email" || probs[0].Intent != in.Name {
				t.Errorf("ConfigProblems = %+v, want the missing slot email of %s", probs, in.Name)
			}

			// Without a prompt to send: Close, Failed, with the default apology.
			resp = encode(t, req, conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email"})
			if resp.SessionState.DialogAction.Type != lexv2.ActionClose || resp.SessionState.Intent.State != lexv2.StateFailed || len(resp.Messages) != 1 {
				t.Errorf("no prompt: %+v %+v", resp.SessionState.DialogAction, resp.Messages)
			}

			if tt.defined == "" {
				return
			}
			resp = encode(t, req, conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: tt.defined, Messages: []string{"How many?"}})
			if resp.SessionState.DialogAction.Type != lexv2.ActionElicitSlot || resp.SessionState.DialogAction.SlotToElicit != tt.defined {
				t.Errorf("defined slot: dialogAction = %+v", resp.SessionState.DialogAction)
			}
			if p := req.(platform.ProblemReporter).ConfigProblems(); len(p) != 0 {
				t.Errorf("defined slot reported as missing: %+v", p)
			}
		})
	}
}
