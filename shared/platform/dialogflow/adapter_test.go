package dialogflow_test

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
	"github.com/switchboard-dev/switchboard/shared/platform/dialogflow"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const eventsDir = "../../../events/dialogflow"

// names are the configuration defaults: the platform's naming convention applied to
// every registered intent.
var names = platform.Names(config.DefaultIntentNames().Names(conversation.DialogflowES))

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
	req, err := dialogflow.New(names).Decode(body)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return req
}

const (
	session1 = "d3f1a2b4-5c6e-4f70-8a91-b2c3d4e5f607"
)

func TestDecodeEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want conversation.Turn
	}{
		{"lookup_customer.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "LookupCustomer",
			Slots:     map[string]string{"email": "ada@example.com"},
			SessionID: session1, TurnID: "7c1e4d2a-93b5-4f0e-8a61-2d9b0c5e7f13-0820055c",
			Locale: "en", Text: "Can you look up the account for ada@example.com?",
		}},
		{"create_ticket.json", conversation.Turn{
			Intent: conversation.CreateTicket, RawIntent: "CreateTicket",
			// email is empty in the parameters and comes from the switchboard context.
			Slots: map[string]string{
				"email": "ada@example.com", "subject": "Cannot log in",
				"description": "I get an error page after resetting my password.", "priority": "high",
			},
			SessionID: session1, TurnID: "a6f0c2e8-1b4d-47a9-b3c5-8e2f1d0a9c74-0820055c",
			Locale: "en", Text: "Open a high priority ticket: cannot log in",
		}},
		{"verify_payment.json", conversation.Turn{
			Intent: conversation.VerifyPayment, RawIntent: "VerifyPayment",
			Slots:     map[string]string{"payment_reference": "pi_demo_ada_1", "email": "ada@example.com", "amount": "42.5"},
			SessionID: "1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809", TurnID: "0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b-b4ef8d5f",
			Locale: "en", Text: "Did my payment pi_demo_ada_1 of 42.50 dollars go through? My email is ada@example.com",
		}},
		{"search_kb.json", conversation.Turn{
			Intent: conversation.SearchKB, RawIntent: "SearchKnowledgeBase",
			Slots:     map[string]string{"query": "reset my password"},
			SessionID: "8e7d6c5b-4a39-4281-b0c9-d8e7f6a5b4c3", TurnID: "5d4c3b2a-1f0e-4d9c-8b7a-69584f3e2d1c-0820055c",
			Locale: "en-US", Text: "How do I reset my password?",
		}},
		{"invalid/missing_email.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "LookupCustomer",
			SessionID: session1, TurnID: "c2b1a0f9-e8d7-4c6b-a594-83726150f4e3-0820055c",
			Locale: "en", Text: "Look up my account",
		}},
		{"invalid/malformed_email.json", conversation.Turn{
			Intent: conversation.LookupCustomer, RawIntent: "LookupCustomer",
			Slots:     map[string]string{"email": "ada-at-example"},
			SessionID: session1, TurnID: "e4d3c2b1-a0f9-4e8d-9c7b-6a5948372615-0820055c",
			Locale: "en", Text: "My email is ada-at-example",
		}},
		{"invalid/unknown_intent.json", conversation.Turn{
			Intent: "", RawIntent: "CancelSubscription",
			SessionID: session1, TurnID: "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9-0820055c",
			Locale: "en", Text: "Cancel my subscription",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := decode(t, readEvent(t, tt.file)).Turn()
			tt.want.Platform = conversation.DialogflowES
			tt.want.Phase = conversation.PhaseFulfill
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Turn():\ngot  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Every sample event decodes, except malformed.json (a V1 request) which must not.
func TestEveryEventFile(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
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
		_, err = dialogflow.New(names).Decode(body)
		if malformed := filepath.Base(f) == "malformed.json"; malformed != (err != nil) {
			t.Errorf("%s: Decode error = %v", f, err)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	valid := string(readEvent(t, "lookup_customer.json"))
	tests := []struct {
		name, body, reason string
	}{
		{"empty body", "", "empty body"},
		{"not JSON", "responseId=1&session=2", "body is not a valid JSON webhook request"},
		{"truncated", valid[:len(valid)/2], "body is not a valid JSON webhook request"},
		{"JSON array", `[1,2]`, "body is not a valid JSON webhook request"},
		{"empty object", `{}`, "missing responseId"},
		{"null", `null`, "missing responseId"},
		{"wrong type", `{"responseId":"r","session":7}`, "wrong type for session"},
		{"parameters not an object", strings.Replace(valid, `"parameters": {`, `"parameters": ["x"], "x": {`, 1), "wrong type for queryResult.parameters"},
		{"bad session", strings.Replace(valid, "projects/switchboard-demo/agent/sessions/", "sessions/", 1), "missing or malformed session"},
		{"missing queryResult", `{"responseId":"r","session":"projects/p/agent/sessions/s"}`, "missing queryResult"},
		{"missing intent", `{"responseId":"r","session":"projects/p/agent/sessions/s","queryResult":{"queryText":"hi"}}`, "missing queryResult.intent.displayName"},
		{"V1 request", string(readEvent(t, "malformed.json")), "missing responseId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := dialogflow.New(names).Decode([]byte(tt.body))
			var br *platform.BadRequest
			if !errors.As(err, &br) {
				t.Fatalf("Decode error = %v, want *platform.BadRequest", err)
			}
			if br.Status != 400 || br.Platform != conversation.DialogflowES || br.Reason != tt.reason {
				t.Errorf("BadRequest = %d %s %q, want 400 dialogflow %q", br.Status, br.Platform, br.Reason, tt.reason)
			}
			var body map[string]string
			if err := json.Unmarshal(br.Body, &body); err != nil || body["error"] != tt.reason {
				t.Errorf("body = %s, want {\"error\": %q}", br.Body, tt.reason)
			}
		})
	}
}

func TestSessionID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"projects/p/agent/sessions/s1", "s1", true},
		{"projects/p/agent/environments/draft/users/u/sessions/s2", "s2", true},
		{"projects/p/locations/europe-west1/agent/sessions/s3", "s3", true},
		{"projects/p/locations/l/agent/environments/e/users/u/sessions/s4", "s4", true},
		{"projects/p/agent/sessions/", "", false},
		{"projects/p/agent/sessions/s/contexts/c", "", false},
		{"projects/p/sessions/s", "", false},
		{"projects/p/agent/sessions/a/sessions/b", "b", true},
		{"projects/p/agent/sessions/sessions/", "", false},
		{"projects/p/agent/xsessions/s", "", false},
		{"projects/p/agent/sessions//s", "", false},
		{"projects/p/agent/s", "", false},
		{"s", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := dialogflow.SessionID(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SessionID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// Parameter values of every JSON shape reduce to one deterministic string.
func TestParameterShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value, want string
	}{
		{"string", `"ada@example.com"`, "ada@example.com"},
		{"string padded", `"  high "`, "high"},
		{"escaped string", `"caf\u00e9 \"latte\""`, `café "latte"`},
		{"blank string", `"   "`, ""},
		{"integer", `12345678901234567890`, "12345678901234567890"},
		{"float integral", `42.0`, "42"},
		{"float", `42.5`, "42.5"},
		{"exponent", `1e3`, "1000"},
		{"huge", `1e300`, "1e+300"},
		{"bool", `true`, "true"},
		{"null", `null`, ""},
		{"list", `["", null, "pi_demo_ada_1", "pi_2"]`, "pi_demo_ada_1"},
		{"empty list", `[]`, ""},
		{"unit-currency", `{"currency":"USD","amount":42.5}`, "42.5"},
		{"person", `{"name":"Ada"}`, "Ada"},
		{"date-time period", `{"endDateTime":"2024-06-30T23:59:59Z","startDateTime":"2024-06-01T00:00:00Z"}`, "2024-06-01T00:00:00Z"},
		{"location", `{"country":"","city":"London","admin-area":""}`, "London"},
		{"nested list of structs", `[{"amount":5,"unit":"min"}]`, "5"},
		{"too deep", `[[[[[["x"]]]]]]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"responseId":"r","session":"projects/p/agent/sessions/s","queryResult":{"intent":{"displayName":"LookupCustomer"},"parameters":{"v":` + tt.value + `}}}`
			got := decode(t, []byte(body)).Turn().Slots["v"]
			if got != tt.want {
				t.Errorf("slot = %q, want %q", got, tt.want)
			}
		})
	}
}

// Parameters win over contexts, the switchboard context wins over other contexts, and
// system contexts and .original companions are ignored.
func TestParametersFromContexts(t *testing.T) {
	t.Parallel()
	body := `{"responseId":"r","session":"projects/p/agent/sessions/s","queryResult":{
		"intent":{"displayName":"CreateTicket"},
		"parameters":{"subject":"from parameters","email":""},
		"outputContexts":[
			{"name":"projects/p/agent/sessions/s/contexts/other","lifespanCount":1,"parameters":{"email":"other@example.com","subject":"from other","priority":"low"}},
			{"name":"projects/p/agent/sessions/s/contexts/switchboard","lifespanCount":3,"parameters":{"email":"ada@example.com","email.original":"Ada at example dot com"}},
			{"name":"projects/p/agent/sessions/s/contexts/__system_counters__","parameters":{"no-input":0,"no-match":1}}
		]}}`
	got := decode(t, []byte(body)).Turn().Slots
	want := map[string]string{"subject": "from parameters", "email": "ada@example.com", "priority": "low"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Slots = %v, want %v", got, want)
	}
}

func TestEncodeGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply conversation.Reply
	}{
		{"fulfilled", conversation.Reply{Outcome: conversation.OutcomeFulfilled,
			Messages: []string{"I opened ticket #1042: Cannot log in.", "We'll email ada@example.com with updates."},
			SetSlots: map[string]*string{"ticket_id": conversation.Value("1042")}}},
		{"failed", conversation.Reply{Outcome: conversation.OutcomeFailed,
			Messages: []string{"I couldn't reach the helpdesk just now. Please email support@example.com and we'll open the ticket for you."}}},
		{"failed_default", conversation.Reply{Outcome: conversation.OutcomeFailed}},
		{"elicit_slot", conversation.Reply{Outcome: conversation.OutcomeElicitSlot,
			Messages:     []string{"That doesn't look like a valid email address. Could you spell it again, like name@example.com?"},
			SlotToElicit: "email", SetSlots: map[string]*string{"email": nil}}},
		{"delegate", conversation.Reply{Outcome: conversation.OutcomeDelegate}},
		{"unknown_intent", conversation.Reply{Outcome: conversation.OutcomeUnknownIntent}},
		{"rejected", conversation.Reply{Outcome: conversation.OutcomeRejected,
			Messages: []string{"Creating tickets isn't switched on yet. Please email support@example.com."}}},
	}
	body := readEvent(t, "create_ticket.json")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, out, err := decode(t, body).Encode(tt.reply)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if status != 200 {
				t.Errorf("status = %d, want 200", status)
			}
			schematest.Validate(t, conversation.DialogflowES, out)
			schematest.Golden(t, filepath.Join("testdata", "golden", tt.name+".json"), out, *update)
		})
	}
}

// The encoded reply carries what the outcome means, independent of the golden files.
func TestEncodeSemantics(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "create_ticket.json"))
	ctxName := "projects/switchboard-demo/agent/environments/production/users/ada-web-1/sessions/" + session1 + "/contexts/switchboard"

	_, out, err := req.Encode(conversation.Reply{Outcome: conversation.OutcomeElicitSlot,
		Messages: []string{"What is the email?"}, SlotToElicit: "email", SetSlots: map[string]*string{"email": nil}})
	if err != nil {
		t.Fatal(err)
	}
	var resp dialogflow.WebhookResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.FollowupEventInput == nil || resp.FollowupEventInput.Name != "elicit_email" || resp.FollowupEventInput.LanguageCode != "en" {
		t.Errorf("followupEventInput = %+v, want elicit_email in en", resp.FollowupEventInput)
	}
	if resp.FulfillmentText != "What is the email?" {
		t.Errorf("fulfillmentText = %q", resp.FulfillmentText)
	}
	if len(resp.OutputContexts) != 1 || resp.OutputContexts[0].Name != ctxName || resp.OutputContexts[0].LifespanCount != dialogflow.ContextLifespan {
		t.Fatalf("outputContexts = %+v", resp.OutputContexts)
	}
	params := resp.OutputContexts[0].Parameters
	if _, ok := params["email"]; ok {
		t.Errorf("email was not removed from the context: %s", params["email"])
	}
	if string(params["subject"]) != `"Cannot log in"` {
		t.Errorf("subject not carried forward: %s", params["subject"])
	}

	if _, _, err := req.Encode(conversation.Reply{Outcome: conversation.OutcomeElicitSlot}); err == nil {
		t.Error("elicit_slot without SlotToElicit encoded without error")
	}
	if _, _, err := req.Encode(conversation.Reply{Outcome: "maybe"}); err == nil {
		t.Error("unknown outcome encoded without error")
	}
}

// A reply too large for Dialogflow's 64 KiB limit is truncated, says so, and stays a
// valid response.
func TestEncodeTruncatesToLimit(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "search_kb.json"))
	long := strings.Repeat("Reset your password from the sign-in page — choose “Forgot password”. ", 900)
	reply := conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Here is what I found:", long, "Anything else?"}}
	status, out, err := req.Encode(reply)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if status != 200 || len(out) > dialogflow.MaxResponseBytes {
		t.Fatalf("status %d, %d bytes; want 200 and at most %d", status, len(out), dialogflow.MaxResponseBytes)
	}
	if len(out) < dialogflow.MaxResponseBytes-4096 {
		t.Errorf("truncated to %d bytes, far more than needed", len(out))
	}
	schematest.Validate(t, conversation.DialogflowES, out)
	var resp dialogflow.WebhookResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.FulfillmentText, "Here is what I found:") || !strings.HasSuffix(resp.FulfillmentText, "…") {
		t.Errorf("fulfillmentText does not keep the start and mark the cut: %.60q … %q", resp.FulfillmentText, resp.FulfillmentText[len(resp.FulfillmentText)-20:])
	}
	if n := len(resp.FulfillmentMessages); n != 2 {
		t.Errorf("%d fulfillmentMessages, want 2 (the third dropped)", n)
	}
}

// A context parameter too large for the limit is dropped once the texts are gone, the
// largest first; the others stay.
func TestEncodeDropsLargestParameter(t *testing.T) {
	t.Parallel()
	req := decode(t, readEvent(t, "lookup_customer_signed.json"))
	big := strings.Repeat("x", dialogflow.MaxResponseBytes)
	status, out, err := req.Encode(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Done."},
		SetSlots: map[string]*string{"big": &big, "customer_id": conversation.Value("cus_1")}})
	if err != nil || status != 200 || len(out) > dialogflow.MaxResponseBytes {
		t.Fatalf("Encode: %d, %d bytes, %v", status, len(out), err)
	}
	schematest.Validate(t, conversation.DialogflowES, out)
	var resp dialogflow.WebhookResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.OutputContexts) != 1 {
		t.Fatalf("output contexts %+v", resp.OutputContexts)
	}
	p := resp.OutputContexts[0].Parameters
	if _, ok := p["big"]; ok || string(p["customer_id"]) != `"cus_1"` || string(p["email"]) != `"ada@example.com"` {
		t.Errorf("parameters %s: want the large one dropped and the others kept", out)
	}
}

func FuzzDecode(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzDecode holds the sample events compacted, so the
	// mutator works on short inputs and minimising what it finds stays cheap;
	// TestEveryEventFile runs the full events.
	f.Add([]byte(`{"responseId":"r","session":"projects/p/agent/sessions/s","queryResult":{"intent":{"displayName":"x"},"parameters":{"a":[{"b":[1e999]}]}}}`))
	a := dialogflow.New(names)
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
		for k, v := range turn.Slots {
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
			if !json.Valid(out) || len(out) > dialogflow.MaxResponseBytes {
				t.Fatalf("Encode produced an invalid body: %s", out)
			}
		}
	})
}

// benchEvents are the samples the decode and encode benchmarks run on: the one
// `make bench` posts (a signed lookup, with Dialogflow's own fulfillment messages and
// system context) and a ticket.
var benchEvents = []string{"lookup_customer_signed.json", "create_ticket.json"}

func BenchmarkDecode(b *testing.B) {
	for _, name := range benchEvents {
		body := readEvent(b, name)
		b.Run(strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			a := dialogflow.New(names)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				req, err := a.Decode(body)
				if err != nil {
					b.Fatal(err)
				}
				_ = req.Turn()
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	reply := conversation.Reply{Outcome: conversation.OutcomeFulfilled,
		Messages: []string{"I opened ticket #1042: Cannot log in.", "We'll email ada@example.com with updates."},
		SetSlots: map[string]*string{"customer_id": conversation.Value("cus_1")}}
	for _, name := range benchEvents {
		req := decode(b, readEvent(b, name))
		b.Run(strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := req.Encode(reply); err != nil {
					b.Fatal(err)
				}
			}
		})
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
			schematest.Validate(t, conversation.DialogflowES, out)
			schematest.Golden(t, filepath.Join("testdata", "golden", tc.Name+".json"), out, *update)
		})
	}
}

// Switchboard's output context carries only Switchboard's parameters: the matched
// intent's own and those already in the switchboard context, plus SetSlots. What other
// contexts hold (Messenger's facebook_sender_id, a Slack flow's slack_channel, another
// flow's city) is read for the turn but never copied into Switchboard's context.
func TestOwnContextCarriesOnlyOwnParameters(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile(filepath.Join("testdata", "real", "messenger_contexts.json"))
	if err != nil {
		t.Fatal(err)
	}
	req := decode(t, body)
	if got := req.Turn().Slots["facebook_sender_id"]; got != "1416930015047968" {
		t.Errorf("the turn does not read other contexts: facebook_sender_id = %q", got)
	}
	_, out, err := req.Encode(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Found."},
		SetSlots: map[string]*string{"ticket_id": conversation.Value("1042")}})
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, conversation.DialogflowES, out)
	var resp dialogflow.WebhookResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.OutputContexts) != 1 {
		t.Fatalf("output contexts %+v, want Switchboard's only", resp.OutputContexts)
	}
	got := map[string]string{}
	for k, v := range resp.OutputContexts[0].Parameters {
		got[k] = string(v)
	}
	want := map[string]string{"email": `"ada@example.com"`, "customer_id": `"cus_1"`, "ticket_id": `"1042"`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("switchboard context parameters = %v, want %v", got, want)
	}
}
