package lambdafn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/server"
)

// EnvelopeVersion marks an Envelope (its "switchboard" field).
const EnvelopeVersion = "turn/1"

// Caller results the router states in an Envelope.
const (
	CallerAuthenticated = "authenticated" // the platform's webhook credentials were checked
	CallerOpen          = "open"          // the platform's webhook is open (security.auth: none)
	CallerIAM           = "iam"           // a direct invocation (Lex V2, Bedrock agents), authorized by IAM
)

// Envelope is a turn the router admitted (source rate, credentials, size, budget,
// inflation, depth, decoding), forwarded to its intent function by a direct Lambda
// Invoke so the function does not admit it again.
//
// A function trusts an envelope because of how it arrives, never because of what it
// says: only a direct Invoke can deliver one (API Gateway delivers its HTTP event, in
// which a body is a string; Lex delivers its own event), and an intent function's
// alias may be invoked directly only by the router's role (infra/stacks: the router's
// InvokeEnabledIntentAliases grant; the alias's resource policy admits API Gateway
// for its routes and nothing else). An envelope inside an HTTP body is that platform's
// body, decoded (and refused) as such.
type Envelope struct {
	Version  string                `json:"switchboard"`
	Platform conversation.Platform `json:"platform"`
	// Body is the webhook body as admitted: decoded from base64 and inflated.
	Body json.RawMessage `json:"webhook"`
	// Caller is how the router admitted the call (Caller* constants).
	Caller string `json:"caller"`
	// RequestID is the API Gateway request id (or the router's invocation id), for
	// correlating the two functions' logs; the X-Ray trace travels in the Invoke.
	RequestID string `json:"request_id,omitempty"`
	// Deadline is when the platform stops waiting (the router stops a reply margin
	// before), in Unix milliseconds.
	Deadline int64 `json:"deadline_ms,omitempty"`
	// Wire, instead of Body, is the body as API Gateway handed it to the router (still
	// compressed), for a body that inflated would not fit an Invoke's payload
	// (MaxInvokePayload): the function reads it through the door again.
	Wire *WireBody `json:"wire,omitempty"`
	// Route is what a call of a platform whose intent and identity come from its
	// route (platform.Entry.Complete: the tool API's POST /api/v1/<intent>, or an MCP
	// tool call) carries outside its body: the intent and the headers the platform
	// reads (the end user's identity token among them). Set for such a platform, and
	// only for one.
	Route *Route `json:"route,omitempty"`
}

// Route is the route of a call: the intent (from the path, or the MCP tool's name)
// and the headers platform.Entry.Headers names.
type Route struct {
	Intent string            `json:"intent"`
	Header map[string]string `json:"header,omitempty"`
}

// NewRoute keeps, of h, the headers named (platform.Entry.Headers).
func NewRoute(intent string, h http.Header, headers []string) *Route {
	r := &Route{Intent: intent}
	for _, k := range headers {
		if v := h.Get(k); v != "" {
			if r.Header == nil {
				r.Header = map[string]string{}
			}
			r.Header[http.CanonicalHeaderKey(k)] = v
		}
	}
	return r
}

// WireBody is an HTTP webhook body as API Gateway delivered it.
type WireBody struct {
	Body     string `json:"body"`
	Base64   bool   `json:"base64,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

// MaxInvokePayload is the largest payload a synchronous Lambda Invoke accepts.
const MaxInvokePayload = 6 << 20

// envelopeHead bounds what an envelope adds to its body.
const envelopeHead = 1 << 10

// Fits reports whether an envelope carrying body inline fits an Invoke's payload.
func Fits(body []byte) bool { return len(body)+envelopeHead <= MaxInvokePayload }

// serveEnvelope answers a turn the router admitted. Its answer is what the function
// answers for the event the router received: the Lex response for Lex, an API Gateway
// response for the HTTP platforms; the router relays it verbatim.
func serveEnvelope(ctx context.Context, door server.Door, env Envelope) (any, error) {
	switch env.Caller {
	case CallerAuthenticated, CallerOpen, CallerIAM:
	default:
		return nil, fmt.Errorf("lambdafn: envelope: unknown caller %q", env.Caller)
	}
	if door.Engine.Adapter(env.Platform) == nil || (env.Caller == CallerIAM) != Direct(env.Platform) {
		return nil, fmt.Errorf("lambdafn: envelope: platform %q, caller %q", env.Platform, env.Caller)
	}
	if env.Caller == CallerOpen && !door.Engine.Guard().Open(env.Platform) {
		// Closed by default: the router let in without credentials a call this
		// function would want them for (the two are configured differently).
		return nil, fmt.Errorf("lambdafn: envelope: %s calls need credentials here, and the router admitted one without", env.Platform)
	}
	if env.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.UnixMilli(env.Deadline))
		defer cancel()
	}
	e, _ := platform.Lookup(env.Platform)
	if (env.Route != nil) != (e.Complete != nil) {
		// The intent of such a platform is its route's, never its body's: an envelope
		// without one cannot be answered, and no other platform has one.
		return nil, fmt.Errorf("lambdafn: envelope: platform %q with a route %v", env.Platform, env.Route != nil)
	}
	if env.Route != nil {
		if env.Wire != nil {
			return nil, fmt.Errorf("lambdafn: envelope: a %s body as delivered", env.Platform)
		}
		h := http.Header{}
		for _, k := range e.Headers {
			if v := env.Route.Header[http.CanonicalHeaderKey(k)]; v != "" {
				h.Set(k, v)
			}
		}
		status, body, _ := server.Gate{Door: door}.Answer(ctx, platform.GateCall{Platform: env.Platform, Header: h,
			Body: bytes.NewReader(env.Body), Declared: int64(len(env.Body)), Authorized: true,
			Prepare: e.Complete(env.Route.Intent, h)})
		return httpResponse(status, body), nil
	}
	r := server.Request{Platform: env.Platform, Declared: int64(len(env.Body)), Body: bytes.NewReader(env.Body), Authorized: true}
	if w := env.Wire; w != nil {
		if Direct(env.Platform) || len(env.Body) != 0 {
			return nil, fmt.Errorf("lambdafn: envelope: a %s body both inline and as delivered", env.Platform)
		}
		r = wireRequest(env.Platform, w.Body, w.Base64, w.Encoding)
		r.Authorized = true
	}
	resp, _ := door.Serve(ctx, r)
	return Answer(env.Platform, env.Body, resp), nil
}

// Marshal encodes the envelope with its Body as is: the body was decoded by the
// platform's adapter (so it is JSON), and json.Marshal would scan it again to compact
// it.
func (e Envelope) Marshal() ([]byte, error) {
	head, err := json.Marshal(struct {
		Version   string                `json:"switchboard"`
		Platform  conversation.Platform `json:"platform"`
		Caller    string                `json:"caller"`
		RequestID string                `json:"request_id,omitempty"`
		Deadline  int64                 `json:"deadline_ms,omitempty"`
		Wire      *WireBody             `json:"wire,omitempty"`
		Route     *Route                `json:"route,omitempty"`
	}{e.Version, e.Platform, e.Caller, e.RequestID, e.Deadline, e.Wire, e.Route})
	if err != nil {
		return nil, err
	}
	if e.Wire != nil {
		return head, nil
	}
	if len(e.Body) == 0 {
		return nil, fmt.Errorf("lambdafn: envelope without a body")
	}
	out := make([]byte, 0, len(head)+len(e.Body)+len(`,"webhook":`)+1)
	out = append(out, head[:len(head)-1]...)
	out = append(out, `,"webhook":`...)
	out = append(out, e.Body...)
	return append(out, '}'), nil
}
