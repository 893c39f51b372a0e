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
	_ "github.com/switchboard-dev/switchboard/shared/platform/adapters" // every platform registers
)

// outcomeWhere says where platform p's reply carries its outcome.
func outcomeWhere(p conversation.Platform) string {
	e, _ := platform.Lookup(p)
	return e.OutcomeWhere
}

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
	// ticketSubject is the subject of a smoke ticket, so a helpdesk rule can route and
	// close it.
	ticketSubject = "[switchboard smoke] test ticket, please close"
)

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
		sampleQuery, or(prof.Query, sampleQuery), sampleSubject, ticketSubject)
	doc = replaceStrings(doc, repl).(map[string]any)
	e, ok := platform.Lookup(p)
	if !ok {
		return nil, fmt.Errorf("smoke: unknown platform %q", p)
	}
	e.Smoke.FreshIDs(doc, "switchboard-smoke-"+run, run)
	if prof.IdentityToken != "" {
		e.Smoke.IdentityToken(doc, prof.IdentityToken)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	if !e.HTTP {
		return body, nil
	}
	path := e.Path()
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

// ReadReply unwraps a function's payload for platform p: the API Gateway response for
// HTTP platforms, the Lex response itself for Lex.
func ReadReply(p conversation.Platform, payload []byte) (Reply, error) {
	r := Reply{Status: 200, Body: payload}
	e, ok := platform.Lookup(p)
	if !ok {
		return r, fmt.Errorf("smoke: unknown platform %q", p)
	}
	if e.HTTP {
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
	r.Outcome, r.HasOutcome = e.ReadOutcome(r.Body)
	msgs, state, err := e.Smoke.Messages(r.Body)
	if err != nil {
		return r, err
	}
	r.Messages, r.LexState = msgs, state
	return r, nil
}

var (
	schemaMu sync.Mutex
	compiled = map[conversation.Platform]*jsonschema.Schema{}
)

// validReply returns why body is not a valid webhook response of platform p, or nil; the
// schemas are the ones the adapters' tests hold their responses to.
func validReply(p conversation.Platform, body []byte) error {
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
	if err := validReply(p, r.Body); err != nil {
		return fmt.Errorf("not a valid %s response: %w", p, err)
	}
	text := strings.Join(r.Messages, "\n")
	switch {
	case !r.HasOutcome:
		return fmt.Errorf("%w: the reply carries no outcome (%s): %.300s", errOutcome, outcomeWhere(p), r.Body)
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
