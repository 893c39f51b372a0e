package router

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi/toolmcp"
	"github.com/switchboard-dev/switchboard/shared/server"
)

// The tool API on AWS. The HTTP API sends the routes of the platforms with routes of
// their own (platform.Entry.Handlers: the tool API's POST /api/v1/<intent> and GET
// /openapi.json) and the MCP server's /mcp to the router, which serves them with the
// handlers `switchboard serve` mounts over a gate of its own (toolGate): each call is
// admitted by the same door as a webhook (source rate, the platform's credentials —
// the tool API's Bearer token —, size, budget, nesting, decoding), and the admitted
// turn goes to its intent function in an envelope that carries the call's route (the
// intent and the headers the platform reads, platform.Entry.Headers: the end user's
// identity token among them). Each intent keeps its own function: its tools, its
// secrets, its IAM role. MCP runs stateless with JSON responses: a Lambda invocation
// is one HTTP request, and nothing of a session may outlive it.

// MCPOptions are the MCP server's transport options on Lambda.
var MCPOptions = mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}

// toolRoutes is the router's HTTP handler for those routes. Which paths are its is
// static (names.Spec.APIRoutes: the HTTP API's routes to the router); the handlers, the
// OpenAPI document and the MCP server's tool schemas are built on the first call of
// one (about 1.6 ms), so a cold start that serves a webhook or a Lex turn never pays
// for them.
type toolRoutes struct {
	// exact paths, and prefixes of paths ending in a {wildcard}
	exact, prefixes []string
	once            sync.Once
	build           func() *http.ServeMux
	mux             *http.ServeMux
}

// newToolRoutes serves every platform's own routes and the MCP server.
func (r *Router) newToolRoutes(version string) *toolRoutes {
	tr := &toolRoutes{}
	for _, e := range platform.Entries() {
		for _, route := range e.APIRoutes {
			_, path, _ := strings.Cut(route, " ") // "METHOD /path"
			if i := strings.IndexByte(path, '{'); i >= 0 {
				tr.prefixes = append(tr.prefixes, path[:i])
			} else if !slices.Contains(tr.exact, path) {
				tr.exact = append(tr.exact, path)
			}
		}
	}
	tr.build = func() *http.ServeMux {
		g := toolGate{r}
		mux := http.NewServeMux()
		for _, e := range platform.Entries() {
			if e.Handlers == nil || len(e.APIRoutes) == 0 {
				continue
			}
			for pattern, h := range e.Handlers(platform.Names(r.cfg.Adapters.Names[e.Platform()]), g) {
				mux.Handle(pattern, h)
			}
		}
		o := MCPOptions
		mux.Handle(toolmcp.Path, toolmcp.Handler(toolmcp.Options{Gate: g, Version: version, HTTP: &o}))
		return mux
	}
	return tr
}

// Serves reports whether path is one of the routes (with any method).
func (tr *toolRoutes) Serves(path string) bool {
	if slices.Contains(tr.exact, path) {
		return true
	}
	for _, p := range tr.prefixes {
		if rest, ok := strings.CutPrefix(path, p); ok && rest != "" && !strings.Contains(rest, "/") {
			return true
		}
	}
	return false
}

func (tr *toolRoutes) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	tr.once.Do(func() { tr.mux = tr.build() })
	if _, pattern := tr.mux.Handler(req); pattern == "" {
		// The HTTP API routes only their methods here; anything else gets a JSON
		// reason, never the mux's text.
		status, reason := http.StatusNotFound, "no route at this path"
		if tr.Serves(req.URL.Path) {
			status, reason = http.StatusMethodNotAllowed, "method not allowed here"
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		b, _ := json.Marshal(map[string]string{"error": reason})
		_, _ = w.Write(b)
		return
	}
	tr.mux.ServeHTTP(w, req)
}

type requestIDKey struct{}

// serveTool answers one HTTP API event for the tool API or the MCP server.
func (r *Router) serveTool(ctx context.Context, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return jsonResponse(http.StatusBadRequest, `{"error":"body is not valid base64"}`)
		}
		body = b
	}
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		method = http.MethodPost
	}
	target := ev.RawPath
	if ev.RawQueryString != "" {
		target += "?" + ev.RawQueryString
	}
	ctx = context.WithValue(ctx, requestIDKey{}, ev.RequestContext.RequestID)
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return jsonResponse(http.StatusBadRequest, `{"error":"invalid API Gateway event"}`)
	}
	for k, v := range ev.Headers {
		req.Header.Set(k, v)
	}
	req.Host = ev.RequestContext.DomainName
	req.ContentLength = int64(len(body))
	req.RemoteAddr = net.JoinHostPort(ev.RequestContext.HTTP.SourceIP, "0")
	w := &responseBuffer{header: http.Header{}}
	r.tool.ServeHTTP(w, req)
	return w.response()
}

func jsonResponse(status int, body string) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: body}
}

// responseBuffer is an http.ResponseWriter that keeps the response for API Gateway.
type responseBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *responseBuffer) Header() http.Header { return b.header }

func (b *responseBuffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *responseBuffer) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// Flush is a no-op: the response goes out whole when the handler returns.
func (b *responseBuffer) Flush() {}

func (b *responseBuffer) response() events.APIGatewayV2HTTPResponse {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	resp := events.APIGatewayV2HTTPResponse{StatusCode: b.status, Headers: map[string]string{}}
	for k, vs := range b.header {
		if k == "Set-Cookie" {
			resp.Cookies = append(resp.Cookies, vs...)
			continue
		}
		resp.Headers[k] = strings.Join(vs, ", ")
	}
	if utf8.Valid(b.body.Bytes()) {
		resp.Body = b.body.String()
	} else {
		resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(b.body.Bytes()), true
	}
	return resp
}

// toolGate is the router's platform.Gate: the door admits the call, and the turn is
// answered by its intent's function (or here, when it is not routed).
type toolGate struct{ r *Router }

var _ platform.Gate = toolGate{}

// Check admits an MCP request by its source's rate and the tool API's credentials.
func (g toolGate) Check(ctx context.Context, p conversation.Platform, h http.Header, source string) (int, []byte, *platform.GateRefusal) {
	return server.Gate{Door: g.r.door}.Check(ctx, p, h, source)
}

// Answer admits one tool call and forwards its turn.
func (g toolGate) Answer(ctx context.Context, c platform.GateCall) (int, []byte, *platform.GateRefusal) {
	r := g.r
	p := c.Platform
	e, _ := platform.Lookup(p)
	a, ref := r.door.Admit(ctx, server.Request{Platform: p, Header: c.Header, Source: c.Source, Declared: c.Declared,
		Body: c.Body, Authorized: c.Authorized})
	if ref != nil {
		return ref.Status, ref.Body, &platform.GateRefusal{Challenge: ref.Challenge, RetryAfter: ref.RetryAfter}
	}
	defer a.Release()
	if c.Prepare != nil {
		if err := c.Prepare(a.Request); err != nil {
			b, _ := json.Marshal(map[string]string{"error": err.Error()})
			return http.StatusBadRequest, b, nil
		}
	}
	in := a.Turn().Intent
	fn, routed := r.routes[in]
	if in == "" || !routed {
		r.log.LogAttrs(ctx, slog.LevelInfo, "not routed", slog.String("platform", string(p)), slog.String("canonical", string(in)))
		resp := r.eng.ServeDecoded(ctx, p, a.Request, a.Body)
		return resp.Status, resp.Body, nil
	}
	if !lambdafn.Fits(a.Body) {
		return http.StatusRequestEntityTooLarge, []byte(`{"error":"request body too large"}`), nil
	}
	caller := lambdafn.CallerAuthenticated
	if r.eng.Guard().Open(p) {
		caller = lambdafn.CallerOpen
	}
	id, _ := ctx.Value(requestIDKey{}).(string)
	env := lambdafn.Envelope{Version: lambdafn.EnvelopeVersion, Platform: p, Body: a.Body, Caller: caller, RequestID: id,
		Route: lambdafn.NewRoute(string(in), c.Header, e.Headers)}
	payload, err := r.forward(ctx, p, fn, env)
	var resp events.APIGatewayV2HTTPResponse
	if err == nil && (json.Unmarshal(payload, &resp) != nil || resp.StatusCode == 0) {
		err = fmt.Errorf("%w: %s answered %.200s, not an API Gateway response", ErrFunction, fn, payload)
	}
	body := []byte(resp.Body)
	if err == nil && resp.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			err = fmt.Errorf("%w: %s: %v", ErrFunction, fn, err)
		}
	}
	if err != nil {
		failed := r.forwardFailed(ctx, p, in, fn, err, a)
		return failed.Status, failed.Body, nil
	}
	if r.relay != nil {
		out, known := platform.ReadOutcome(p, body)
		r.relay.Relayed(ctx, engine.RelayEnd{Platform: p, Intent: in, Outcome: out, Known: known})
	}
	return resp.StatusCode, body, nil
}

// forwardFailed logs and records a forward that failed and renders the honest reply.
func (r *Router) forwardFailed(ctx context.Context, p conversation.Platform, in conversation.Intent, fn string, err error, a *server.Admitted) engine.Response {
	r.log.LogAttrs(ctx, slog.LevelError, "forward failed", slog.String("platform", string(p)),
		slog.String("intent", string(in)), slog.String("function", fn), slog.Any("error", err))
	if r.relay != nil {
		r.relay.Relayed(ctx, engine.RelayEnd{Platform: p, Intent: in, ForwardFailed: true,
			Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFailed, Fallback: true}, Known: true})
	}
	return r.failed.ServeDecoded(withFailure(ctx, in, err), p, a.Request, a.Body)
}
