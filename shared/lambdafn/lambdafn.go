package lambdafn

import (
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
	"github.com/switchboard-dev/switchboard/shared/platform/lexv2"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/server"
)

// Kind is the transport an event arrived by.
type Kind int

// Event kinds.
const (
	KindUnknown Kind = iota
	KindHTTP         // API Gateway HTTP API, payload format 2.0
	KindLex          // direct Lex V2 code hook invocation
)

// probe reads just enough of an event to tell its transport; the platform itself is
// then decided by the HTTP path (or is Lex for a direct invoke), never by the body.
type probe struct {
	Version          string          `json:"version"`
	RouteKey         string          `json:"routeKey"`
	RawPath          string          `json:"rawPath"`
	RequestContext   json.RawMessage `json:"requestContext"`
	InvocationSource string          `json:"invocationSource"`
	SessionState     json.RawMessage `json:"sessionState"`
}

// Classify tells an event's transport.
func Classify(event []byte) Kind {
	var p probe
	if json.Unmarshal(event, &p) != nil {
		return KindUnknown
	}
	switch {
	case p.Version == "2.0" && p.RequestContext != nil && p.RawPath != "":
		return KindHTTP
	case p.InvocationSource != "" && p.SessionState != nil:
		return KindLex
	}
	return KindUnknown
}

// ErrUnknownEvent is returned for an event that is neither an HTTP API request nor a
// Lex V2 code hook; Lambda reports it as a function error.
var ErrUnknownEvent = errors.New("lambdafn: event is neither an API Gateway HTTP API v2.0 request nor a Lex V2 code hook")

// Handler returns the Lambda handler over e. The result is an
// events.APIGatewayV2HTTPResponse for HTTP events and the raw Lex V2 response for Lex.
func Handler(e *engine.Engine, maxBody int64) func(ctx context.Context, event json.RawMessage) (any, error) {
	if maxBody <= 0 {
		maxBody = 8 << 20
	}
	return func(ctx context.Context, event json.RawMessage) (any, error) {
		switch Classify(event) {
		case KindLex:
			resp := e.Serve(ctx, conversation.LexV2, event)
			if resp.Status != http.StatusOK {
				// Lex has no error shape: anything but a code hook response fails the
				// bot's whole turn. Answer Close/Failed with an honest message instead.
				return lexFailure(event), nil
			}
			return json.RawMessage(resp.Body), nil
		case KindHTTP:
			var req events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(event, &req); err != nil {
				return httpResponse(http.StatusBadRequest, []byte(`{"error":"invalid API Gateway event"}`)), nil
			}
			return ServeHTTPEvent(ctx, e, req, maxBody), nil
		}
		return nil, ErrUnknownEvent
	}
}

// ServeHTTPEvent answers one API Gateway HTTP API request.
func ServeHTTPEvent(ctx context.Context, e *engine.Engine, req events.APIGatewayV2HTTPRequest, maxBody int64) events.APIGatewayV2HTTPResponse {
	p, ok := server.PlatformForPath(req.RawPath)
	if !ok {
		return httpResponse(http.StatusNotFound, []byte(`{"error":"no webhook at this path"}`))
	}
	if m := req.RequestContext.HTTP.Method; m != "" && m != http.MethodPost {
		return httpResponse(http.StatusMethodNotAllowed, []byte(`{"error":"webhooks accept POST only"}`))
	}
	h := make(http.Header, len(req.Headers))
	for k, v := range req.Headers {
		h.Set(k, v)
	}
	q := make(url.Values, len(req.QueryStringParameters))
	for k, v := range req.QueryStringParameters {
		q.Set(k, v)
	}
	if ref := e.Admit(ctx, p, h, q, req.RequestContext.HTTP.SourceIP); ref != nil {
		return httpResponse(ref.Status, ref.Body)
	}
	g := e.Guard()
	var budget *security.Budget
	if g != nil {
		budget = g.Budget
	}
	claim := budget.Claim()
	defer claim.Release()
	body, ref, err := Body(ctx, g, req, maxBody, claim)
	if ref != nil {
		resp := e.Refuse(ctx, p, ref, err)
		return httpResponse(resp.Status, resp.Body)
	}
	if err != nil {
		eb, _ := json.Marshal(map[string]string{"error": err.Error()})
		return httpResponse(http.StatusBadRequest, eb)
	}
	resp := e.Serve(ctx, p, body)
	return httpResponse(resp.Status, resp.Body)
}

// Body is the webhook body of an HTTP API event, read the way `switchboard serve`
// reads one from the network (server.Read: the same size and ratio caps, the same
// claims on the in-flight budget through c), except that API Gateway hands the body
// over whole, so there is no pace to keep and no upload to count. It returns the
// refusal to answer with (413, 503) or, for a body that cannot be decoded (base64,
// Content-Encoding), an error for a 400.
func Body(ctx context.Context, g *security.Guard, req events.APIGatewayV2HTTPRequest, maxBody int64, c *security.Claim) ([]byte, *security.Refusal, error) {
	wire := int64(len(req.Body))
	var src io.Reader = strings.NewReader(req.Body)
	if req.IsBase64Encoded {
		wire = int64(base64.StdEncoding.DecodedLen(len(req.Body)))
		src = base64.NewDecoder(base64.StdEncoding, src)
	}
	if wire > maxBody {
		return nil, security.RefusedSize, nil
	}
	lim := server.Limits{Max: maxBody}
	if g != nil {
		lim.Ratio = g.Ratio
	}
	body, err := server.Read(ctx, src, header(req.Headers, "content-encoding"), lim, c)
	if err != nil {
		var bad base64.CorruptInputError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &bad):
			return nil, nil, errors.New("body is not valid base64")
		case errors.Is(err, server.ErrTooLarge), errors.As(err, &tooBig):
			return nil, security.RefusedSize, err
		case errors.Is(err, server.ErrInflateRatio):
			return nil, security.RefusedRatio, err
		case errors.Is(err, security.ErrBusy):
			return nil, security.RefusedBusy, err
		}
		return nil, nil, err
	}
	return body, nil, nil
}

func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
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
