package smoke

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/santhosh-tekuri/jsonschema/v6"

	sample "github.com/switchboard-dev/switchboard/events"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// Profile is the smoke customer: the slot values sent in place of the sample events'
// own, and the known truth the answers must carry. An empty truth field is not checked.
type Profile struct {
	Email      string // the smoke customer's email (lookup, create ticket, verify payment)
	PaymentRef string // one of the smoke customer's payment references (verify payment)
	Query      string // a help-center search (search kb)

	Name         string // the smoke customer's name as the CRM has it
	Plan         string // the smoke customer's plan
	ArticleTitle string // a title the knowledge base returns for Query

	// TicketSandbox names where a smoke ticket may be filed (a sandbox helpdesk, or a
	// queue a helpdesk rule sends "[switchboard smoke]" tickets to). Empty: create-ticket
	// smoke is skipped, because the function would file the ticket in its own, real,
	// helpdesk.
	TicketSandbox string

	// IdentityToken, when set, rides with every event where its platform carries it
	// (identity_token): the smoke customer signed in, so lookups and payment checks get
	// the full answer. Runner.Mint makes one per run.
	IdentityToken string
}

// The sample events' values, replaced by the profile's.
const (
	sampleEmail      = "ada@example.com"
	samplePaymentRef = "pi_demo_ada_1"
	sampleQuery      = "reset my password"
	sampleSubject    = "Cannot log in"
	// TicketSubject is the subject of a smoke ticket, so a helpdesk rule can route and
	// close it.
	TicketSubject = "[switchboard smoke] test ticket, please close"
)

// webhookPaths are the HTTP API routes of the HTTP platforms (Lex invokes directly).
var webhookPaths = map[conversation.Platform]string{
	conversation.DialogflowES: "/webhooks/dialogflow",
	conversation.DialogflowCX: "/webhooks/dialogflow-cx",
	conversation.Rasa:         "/webhooks/rasa",
}

// Event builds the Lambda payload of intent in for platform p: the sample event with
// the profile's values and fresh ids (so no idempotency record of an earlier run
// answers in the new version's place), wrapped as API Gateway delivers HTTP webhooks.
func Event(p conversation.Platform, in conversation.Intent, prof Profile, run string) ([]byte, error) {
	raw, err := sample.Sample(p, in)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("smoke: sample %s/%s: %w", p, in, err)
	}
	repl := strings.NewReplacer(sampleEmail, or(prof.Email, sampleEmail), samplePaymentRef, or(prof.PaymentRef, samplePaymentRef),
		sampleQuery, or(prof.Query, sampleQuery), sampleSubject, TicketSubject)
	doc = replaceStrings(doc, repl).(map[string]any)
	freshIDs(p, doc, run)
	if prof.IdentityToken != "" {
		withIdentityToken(p, doc, prof.IdentityToken)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	if p == conversation.LexV2 {
		return body, nil
	}
	path := webhookPaths[p]
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST " + path, RawPath: path,
		Headers: map[string]string{"content-type": "application/json", "user-agent": "switchboard-smoke"},
		Body:    string(body)}
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = path
	ev.RequestContext.HTTP.SourceIP = "127.0.0.1"
	ev.RequestContext.Stage = "$default"
	ev.RequestContext.RequestID = "smoke-" + run
	return json.Marshal(ev)
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func replaceStrings(v any, r *strings.Replacer) any {
	switch x := v.(type) {
	case string:
		return r.Replace(x)
	case map[string]any:
		for k, e := range x {
			x[k] = replaceStrings(e, r)
		}
	case []any:
		for i, e := range x {
			x[i] = replaceStrings(e, r)
		}
	}
	return v
}

// withIdentityToken puts the token where each platform carries it (docs/identity.md).
func withIdentityToken(p conversation.Platform, doc map[string]any, tok string) {
	obj := func(m map[string]any, k string) map[string]any {
		o, _ := m[k].(map[string]any)
		if o == nil {
			o = map[string]any{}
			m[k] = o
		}
		return o
	}
	switch p {
	case conversation.DialogflowES:
		obj(obj(doc, "originalDetectIntentRequest"), "payload")[conversation.IdentityField] = tok
	case conversation.DialogflowCX:
		obj(doc, "payload")[conversation.IdentityField] = tok
	case conversation.LexV2:
		obj(doc, "requestAttributes")[conversation.IdentityField] = tok
	case conversation.Rasa:
		obj(obj(obj(doc, "tracker"), "latest_message"), "metadata")[conversation.IdentityField] = tok
	}
}

// freshIDs sets the fields each adapter derives the turn id (the idempotency key) and
// the session from.
func freshIDs(p conversation.Platform, doc map[string]any, run string) {
	id := "switchboard-smoke-" + run
	obj := func(m map[string]any, k string) map[string]any {
		o, _ := m[k].(map[string]any)
		if o == nil {
			o = map[string]any{}
			m[k] = o
		}
		return o
	}
	switch p {
	case conversation.DialogflowES:
		doc["responseId"] = id
	case conversation.DialogflowCX:
		doc["detectIntentResponseId"] = id
	case conversation.LexV2:
		doc["sessionId"] = id
		obj(doc, "sessionState")["originatingRequestId"] = id
	case conversation.Rasa:
		doc["sender_id"] = id
		tr := obj(doc, "tracker")
		tr["sender_id"] = id
		obj(tr, "latest_message")["message_id"] = run
	}
}

// Reply is a function's answer, read back as the platform would.
type Reply struct {
	Status   int      // HTTP status (200 for Lex, which has no other)
	Body     []byte   // the platform response
	Messages []string // the texts the user sees
	// LexState is the Lex intent state (Fulfilled, Failed, …); empty on other platforms.
	LexState string
	// Outcome is the outcome the reply carries (platform.ReadOutcome); HasOutcome is
	// false when it carries none.
	Outcome    platform.WireOutcome
	HasOutcome bool
}

// outcomeWhere says where each platform's reply carries its outcome.
var outcomeWhere = map[conversation.Platform]string{
	conversation.DialogflowES: "payload." + platform.OutcomeKey,
	conversation.DialogflowCX: "payload." + platform.OutcomeKey,
	conversation.LexV2:        "sessionAttributes." + platform.LexOutcomeAttribute,
	conversation.Rasa:         platform.OutcomeKey,
}

// ReadReply unwraps a function's payload for platform p: the API Gateway response for
// HTTP platforms, the Lex response itself for Lex.
func ReadReply(p conversation.Platform, payload []byte) (Reply, error) {
	r := Reply{Status: 200, Body: payload}
	if p != conversation.LexV2 {
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(payload, &resp); err != nil || resp.StatusCode == 0 {
			return r, fmt.Errorf("not an API Gateway response: %.200s", payload)
		}
		r.Status, r.Body = resp.StatusCode, []byte(resp.Body)
		if resp.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(resp.Body)
			if err != nil {
				return r, fmt.Errorf("response body: %w", err)
			}
			r.Body = b
		}
	}
	if r.Status != 200 {
		return r, nil
	}
	r.Outcome, r.HasOutcome = platform.ReadOutcome(p, r.Body)
	switch p {
	case conversation.DialogflowES:
		var w struct {
			FulfillmentMessages []struct {
				Text struct{ Text []string } `json:"text"`
			} `json:"fulfillmentMessages"`
		}
		if err := json.Unmarshal(r.Body, &w); err != nil {
			return r, err
		}
		for _, m := range w.FulfillmentMessages {
			r.Messages = append(r.Messages, m.Text.Text...)
		}
	case conversation.DialogflowCX:
		var w struct {
			FulfillmentResponse struct {
				Messages []struct {
					Text struct{ Text []string } `json:"text"`
				} `json:"messages"`
			} `json:"fulfillmentResponse"`
		}
		if err := json.Unmarshal(r.Body, &w); err != nil {
			return r, err
		}
		for _, m := range w.FulfillmentResponse.Messages {
			r.Messages = append(r.Messages, m.Text.Text...)
		}
	case conversation.LexV2:
		var w struct {
			SessionState struct {
				Intent struct{ State string } `json:"intent"`
			} `json:"sessionState"`
			Messages []struct{ Content string } `json:"messages"`
		}
		if err := json.Unmarshal(r.Body, &w); err != nil {
			return r, err
		}
		r.LexState = w.SessionState.Intent.State
		for _, m := range w.Messages {
			r.Messages = append(r.Messages, m.Content)
		}
	case conversation.Rasa:
		var w struct {
			Responses []struct{ Text string } `json:"responses"`
		}
		if err := json.Unmarshal(r.Body, &w); err != nil {
			return r, err
		}
		for _, m := range w.Responses {
			r.Messages = append(r.Messages, m.Text)
		}
	}
	return r, nil
}

var (
	schemaMu sync.Mutex
	compiled = map[conversation.Platform]*jsonschema.Schema{}
)

// Valid returns why body is not a valid webhook response of platform p, or nil; the
// schemas are the ones the adapters' tests hold their responses to.
func Valid(p conversation.Platform, body []byte) error {
	schemaMu.Lock()
	sch, ok := compiled[p]
	if !ok {
		raw, err := platform.ResponseSchema(p)
		if err != nil {
			schemaMu.Unlock()
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			schemaMu.Unlock()
			return fmt.Errorf("smoke: %s schema: %w", p, err)
		}
		c := jsonschema.NewCompiler()
		url := "file:///" + string(p) + "/response.schema.json"
		if err := c.AddResource(url, doc); err != nil {
			schemaMu.Unlock()
			return err
		}
		if sch, err = c.Compile(url); err != nil {
			schemaMu.Unlock()
			return fmt.Errorf("smoke: %s schema: %w", p, err)
		}
		compiled[p] = sch
	}
	schemaMu.Unlock()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(inst)
}

// errOutcome marks a reply with the wrong outcome.
var errOutcome = ErrOutcome

// ErrOutcome marks a reply whose outcome is not the expected one (or is absent).
var ErrOutcome = errors.New("unexpected outcome")

// Expect checks that reply r to intent in on platform p is a valid platform response
// whose outcome, as the reply carries it (platform.ReadOutcome, never its wording), is
// fulfilled and not a fallback, and that it says the profile's configured truth.
func Expect(p conversation.Platform, in conversation.Intent, prof Profile, r Reply) error {
	if r.Status != 200 {
		return fmt.Errorf("HTTP %d: %.300s", r.Status, r.Body)
	}
	if err := Valid(p, r.Body); err != nil {
		return fmt.Errorf("not a valid %s response: %w", p, err)
	}
	text := strings.Join(r.Messages, "\n")
	switch {
	case !r.HasOutcome:
		return fmt.Errorf("%w: the reply carries no outcome (%s): %.300s", errOutcome, outcomeWhere[p], r.Body)
	case r.Outcome.Outcome != conversation.OutcomeFulfilled:
		return fmt.Errorf("%w: outcome %s, want %s: %.300s", errOutcome, r.Outcome.Outcome, conversation.OutcomeFulfilled, text)
	case r.Outcome.Fallback:
		return fmt.Errorf("%w: a degraded answer (fallback: stale data, a part left out, or the engine's apology): %.300s", errOutcome, text)
	}
	var want []string
	switch in {
	case conversation.LookupCustomer:
		if prof.IdentityToken == "" {
			break // anonymous: the neutral answer says nothing to check
		}
		want = []string{prof.Name, prof.Plan}
	case conversation.SearchKB:
		want = []string{prof.ArticleTitle}
	}
	for _, w := range want {
		if w != "" && !strings.Contains(text, w) {
			return fmt.Errorf("%w: the answer does not say %q (known truth for the smoke customer): %.300s", errOutcome, w, text)
		}
	}
	return nil
}
