package lambdafn

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/lexv2"
	"github.com/switchboard-dev/switchboard/shared/server"
)

// Kind is the transport an event arrived by.
type Kind int

// Event kinds.
const (
	kindUnknown  Kind = iota
	KindHTTP          // API Gateway HTTP API, payload format 2.0
	KindLex           // direct Lex V2 code hook invocation
	KindEnvelope      // a turn the router admitted, forwarded by a direct Invoke (Envelope)
	KindDirect        // a direct invocation by another platform (platform.Entry.Invoked), Event.Platform
)

// probe reads just enough of an event to tell its transport; the platform itself is
// then decided by the HTTP path (or is Lex for a direct invoke, or the router's
// envelope), never by the body.
type probe struct {
	Version          string          `json:"version"`
	RouteKey         string          `json:"routeKey"`
	RawPath          string          `json:"rawPath"`
	RequestContext   json.RawMessage `json:"requestContext"`
	InvocationSource string          `json:"invocationSource"`
	SessionState     json.RawMessage `json:"sessionState"`
	Envelope         string          `json:"switchboard"`
}

// Classify tells an event's transport. An event is an envelope only when it is
// neither of the shapes API Gateway and Lex deliver: the body of an HTTP call is a
// string inside its event, never the event itself.
func Classify(event []byte) Kind {
	var p probe
	if json.Unmarshal(event, &p) != nil {
		return kindUnknown
	}
	k := p.kind()
	if k == kindUnknown && directPlatform(event) != "" {
		return KindDirect
	}
	return k
}

// directPlatform is the platform whose direct invocation event is, by its shape
// (platform.Entry.Invoked), or "".
func directPlatform(event []byte) conversation.Platform {
	for _, e := range platform.Entries() {
		if !e.HTTP && e.Invoked != nil && e.Invoked(event) {
			return e.Platform()
		}
	}
	return ""
}

func (p *probe) kind() Kind {
	switch {
	case p.Version == "2.0" && p.RequestContext != nil && p.RawPath != "":
		return KindHTTP
	case p.InvocationSource != "" && p.SessionState != nil:
		return KindLex
	case p.Envelope == EnvelopeVersion && p.Version == "" && p.RequestContext == nil && p.RawPath == "" &&
		p.InvocationSource == "" && p.SessionState == nil:
		return KindEnvelope
	}
	return kindUnknown
}

// Event is one invocation's event, read in a single pass: its kind (as Classify
// tells it) and what serving it needs.
type Event struct {
	Kind Kind
	// HTTP is a KindHTTP event (the fields a webhook call is served from); Invalid is
	// a KindHTTP event whose fields could not be decoded.
	HTTP    events.APIGatewayV2HTTPRequest
	Invalid bool
	// Envelope is a KindEnvelope event.
	Envelope Envelope
	// Platform is a KindDirect event's platform.
	Platform conversation.Platform
}

// wire is every field the three kinds of event are told apart and served by, so one
// json.Unmarshal reads any of them. Only an envelope has "webhook", only an HTTP event
// has a string "body".
type wire struct {
	probe
	RawQueryString        string                `json:"rawQueryString"`
	Headers               map[string]string     `json:"headers"`
	QueryStringParameters map[string]string     `json:"queryStringParameters"`
	Body                  string                `json:"body"`
	IsBase64Encoded       bool                  `json:"isBase64Encoded"`
	Platform              conversation.Platform `json:"platform"`
	Caller                string                `json:"caller"`
	RequestID             string                `json:"request_id"`
	Deadline              int64                 `json:"deadline_ms"`
	Webhook               json.RawMessage       `json:"webhook"`
	Wire                  *WireBody             `json:"wire"`
	Route                 *Route                `json:"route"`
}

// Parse reads an event in one pass.
func Parse(event []byte) Event {
	var w wire
	if err := json.Unmarshal(event, &w); err != nil {
		// Not every field has its expected type: what the event is decides the answer
		// (an HTTP event that cannot be read is a 400).
		k := Classify(event)
		ev := Event{Kind: k, Invalid: k == KindHTTP}
		if k == KindDirect {
			ev.Platform = directPlatform(event)
		}
		return ev
	}
	ev := Event{Kind: w.kind()}
	if ev.Kind == kindUnknown {
		if p := directPlatform(event); p != "" {
			ev.Kind, ev.Platform = KindDirect, p
		}
	}
	switch ev.Kind {
	case KindHTTP:
		r := events.APIGatewayV2HTTPRequest{Version: w.Version, RouteKey: w.RouteKey, RawPath: w.RawPath,
			RawQueryString: w.RawQueryString, Headers: w.Headers, QueryStringParameters: w.QueryStringParameters,
			Body: w.Body, IsBase64Encoded: w.IsBase64Encoded}
		if json.Unmarshal(w.RequestContext, &r.RequestContext) != nil {
			ev.Invalid = true
		}
		ev.HTTP = r
	case KindEnvelope:
		ev.Envelope = Envelope{Version: w.Envelope, Platform: w.Platform, Body: w.Webhook, Caller: w.Caller,
			RequestID: w.RequestID, Deadline: w.Deadline, Wire: w.Wire, Route: w.Route}
	}
	return ev
}

// ErrUnknownEvent is returned for an event that is neither an HTTP API request nor a
// Lex V2 code hook; Lambda reports it as a function error.
var ErrUnknownEvent = errors.New("lambdafn: event is neither an API Gateway HTTP API v2.0 request nor a direct invocation by a platform (Lex V2 code hook, Bedrock agent action group)")

// Handler returns the Lambda handler over e. The result is an
// events.APIGatewayV2HTTPResponse for HTTP events and the raw Lex V2 response for Lex;
// for the router's envelope, the same as for the event the router admitted.
func Handler(e *engine.Engine, maxBody int64) func(ctx context.Context, event json.RawMessage) (any, error) {
	door := server.Door{Engine: e, MaxBody: maxBody}
	return func(ctx context.Context, event json.RawMessage) (any, error) {
		ev := Parse(event)
		switch ev.Kind {
		case KindLex:
			return serveLex(ctx, door, event), nil
		case KindDirect:
			resp, _ := door.Serve(ctx, DirectRequest(ev.Platform, event))
			return Answer(ev.Platform, event, resp), nil
		case KindHTTP:
			if ev.Invalid {
				return httpResponse(http.StatusBadRequest, []byte(`{"error":"invalid API Gateway event"}`)), nil
			}
			return serveHTTP(ctx, door, ev.HTTP), nil
		case KindEnvelope:
			return serveEnvelope(ctx, door, ev.Envelope)
		}
		return nil, ErrUnknownEvent
	}
}

// serveLex answers a direct Lex V2 code hook invocation: authorized by IAM (only the
// bot aliases may invoke), then the rest of the door.
func serveLex(ctx context.Context, door server.Door, event []byte) any {
	resp, _ := door.Serve(ctx, LexRequest(event))
	return Answer(conversation.LexV2, event, resp)
}

// LexRequest is the door's request for a direct Lex V2 invocation (IAM-authorized).
func LexRequest(event []byte) server.Request {
	return server.Request{Platform: conversation.LexV2, Declared: int64(len(event)), Body: bytes.NewReader(event), Authorized: true}
}

// DirectRequest is the door's request for a direct invocation by platform p
// (authorized by IAM: the function's resource policy names who may invoke it).
func DirectRequest(p conversation.Platform, event []byte) server.Request {
	return server.Request{Platform: p, Declared: int64(len(event)), Body: bytes.NewReader(event), Authorized: true}
}

// Direct reports whether platform p invokes the Lambda directly (names.Spec.HTTP
// false: Lex, Bedrock agents), rather than through the HTTP API.
func Direct(p conversation.Platform) bool {
	e, ok := platform.Lookup(p)
	return ok && !e.HTTP
}

// serveHTTPEvent answers one API Gateway HTTP API request.
func serveHTTPEvent(ctx context.Context, e *engine.Engine, req events.APIGatewayV2HTTPRequest, maxBody int64) events.APIGatewayV2HTTPResponse {
	return serveHTTP(ctx, server.Door{Engine: e, MaxBody: maxBody}, req)
}

func serveHTTP(ctx context.Context, door server.Door, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	r, bad := HTTPRequest(req)
	if bad != nil {
		return *bad
	}
	resp, _ := door.Serve(ctx, r)
	return httpResponse(resp.Status, resp.Body)
}

// HTTPRequest is the door's request for an API Gateway HTTP API event, or the answer
// for one that is not a webhook call (404, 405). API Gateway hands the body over whole:
// there is no pace to keep and no upload to count; base64 is decoded as it is read.
func HTTPRequest(req events.APIGatewayV2HTTPRequest) (server.Request, *events.APIGatewayV2HTTPResponse) {
	p, ok := server.PlatformForPath(req.RawPath)
	if !ok {
		resp := httpResponse(http.StatusNotFound, []byte(`{"error":"no webhook at this path"}`))
		return server.Request{}, &resp
	}
	if m := req.RequestContext.HTTP.Method; m != "" && m != http.MethodPost {
		resp := httpResponse(http.StatusMethodNotAllowed, []byte(`{"error":"webhooks accept POST only"}`))
		return server.Request{}, &resp
	}
	h := make(http.Header, len(req.Headers))
	for k, v := range req.Headers {
		h.Set(k, v)
	}
	q := make(url.Values, len(req.QueryStringParameters))
	for k, v := range req.QueryStringParameters {
		q.Set(k, v)
	}
	r := wireRequest(p, req.Body, req.IsBase64Encoded, h.Get("Content-Encoding"))
	r.Header, r.Query, r.Source = h, q, req.RequestContext.HTTP.SourceIP
	return r, nil
}

// wireRequest is the door's request for a body as API Gateway hands it over.
func wireRequest(p conversation.Platform, body string, b64 bool, enc string) server.Request {
	wire := int64(len(body))
	var src io.Reader = strings.NewReader(body)
	if b64 {
		wire = int64(base64.StdEncoding.DecodedLen(len(body)))
		src = base64.NewDecoder(base64.StdEncoding, src)
	}
	return server.Request{Platform: p, Declared: wire, Encoding: enc, Body: src}
}

func httpResponse(status int, body []byte) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}
}

// lexFailure is a valid Lex V2 Close/Failed response for an event the adapter could not
// decode, echoing the intent name and session attributes when they can be read.
func lexFailure(event []byte) lexv2.Response {
	var ev struct {
		Bot struct {
			LocaleID string `json:"localeId"`
		} `json:"bot"`
		SessionState struct {
			SessionAttributes map[string]string `json:"sessionAttributes"`
			Intent            struct {
				Name string `json:"name"`
			} `json:"intent"`
		} `json:"sessionState"`
	}
	_ = json.Unmarshal(event, &ev) // best effort: the event is already known to be bad
	attrs := ev.SessionState.SessionAttributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	name := ev.SessionState.Intent.Name
	if name == "" {
		name = "FallbackIntent"
	}
	return lexv2.Response{
		SessionState: lexv2.SessionState{
			SessionAttributes: attrs,
			DialogAction:      &lexv2.DialogAction{Type: "Close"},
			Intent:            &lexv2.Intent{Name: name, State: "Failed"},
		},
		Messages: []lexv2.Message{{ContentType: "PlainText",
			Content: i18n.For(ev.Bot.LocaleID).T("reply.bad_request")}},
	}
}

// Answer is the Lambda result that carries resp to platform p: for Lex (whose event
// was lexEvent) the code hook response itself, Close/Failed for anything but a 200
// (Lex has no error shape); for the HTTP platforms an API Gateway response.
func Answer(p conversation.Platform, lexEvent []byte, resp engine.Response) any {
	if p == conversation.LexV2 {
		if resp.Status != http.StatusOK {
			return lexFailure(lexEvent)
		}
		return json.RawMessage(resp.Body)
	}
	if e, ok := platform.Lookup(p); ok && !e.HTTP {
		if resp.Status != http.StatusOK && e.Refused != nil {
			return json.RawMessage(e.Refused(lexEvent, resp.Status, resp.Body))
		}
		return json.RawMessage(resp.Body)
	}
	return httpResponse(resp.Status, resp.Body)
}
