package lambdafn

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
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
	wire := int64(len(req.Body))
	if req.IsBase64Encoded {
		wire = int64(base64.StdEncoding.DecodedLen(len(req.Body)))
	}
	if wire > maxBody {
		ref := e.Refuse(ctx, p, security.RefusedSize, nil)
		return httpResponse(ref.Status, ref.Body)
	}
	g := e.Guard()
	lim := server.Limits{Max: maxBody}
	if g != nil {
		lim.Ratio = g.Ratio
	}
	enc := header(req.Headers, "content-encoding")
	reserve := lim.Reservation(wire, enc)
	var budget *security.Budget
	if g != nil {
		budget = g.Budget
	}
	if !budget.Reserve(reserve) {
		ref := e.Refuse(ctx, p, security.RefusedBusy, nil)
		return httpResponse(ref.Status, ref.Body)
	}
	defer budget.Release(reserve)
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return httpResponse(http.StatusBadRequest, []byte(`{"error":"body is not valid base64"}`))
		}
		body = b
	}
	if enc != "" {
		b, err := server.Read(bytes.NewReader(body), enc, lim)
		if err != nil {
			switch {
			case errors.Is(err, server.ErrTooLarge):
				ref := e.Refuse(ctx, p, security.RefusedSize, err)
				return httpResponse(ref.Status, ref.Body)
			case errors.Is(err, server.ErrInflateRatio):
				ref := e.Refuse(ctx, p, security.RefusedRatio, err)
				return httpResponse(ref.Status, ref.Body)
			}
			eb, _ := json.Marshal(map[string]string{"error": err.Error()})
			return httpResponse(http.StatusBadRequest, eb)
		}
		body = b
	}
	if int64(len(body)) > maxBody {
		ref := e.Refuse(ctx, p, security.RefusedSize, nil)
		return httpResponse(ref.Status, ref.Body)
	}
	resp := e.Serve(ctx, p, body)
	return httpResponse(resp.Status, resp.Body)
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
