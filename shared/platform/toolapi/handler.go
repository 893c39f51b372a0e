package toolapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// Routes of the tool API.
const (
	// PathPrefix starts every operation: POST /api/v1/<intent>.
	PathPrefix = "/api/v1/"
	// OpenAPIPath serves the OpenAPI 3.1 description.
	OpenAPIPath = "/openapi.json"
)

// Handlers are the tool API's routes in `switchboard serve`: each operation answers
// through the gate (rate, Bearer credentials, body caps, then the turn); the OpenAPI
// description is served to anyone (it holds the operations and their inputs, nothing
// else).
func Handlers(g platform.Gate) map[string]http.Handler {
	doc := Document()
	return map[string]http.Handler{
		"GET " + OpenAPIPath: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, doc)
		}),
		"POST " + PathPrefix + "{intent}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			status, body, ref := Invoke(r.Context(), g, Invocation{Intent: r.PathValue("intent"), Header: r.Header,
				Source: host, Body: r.Body, Declared: r.ContentLength})
			if ref != nil && ref.Challenge {
				w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
			}
			if ref != nil && ref.RetryAfter {
				w.Header().Set("Retry-After", "1")
			}
			if status == http.StatusNotFound {
				_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<10))
			}
			writeJSON(w, status, body)
		}),
	}
}

// Invocation is one call of an operation.
type Invocation struct {
	Intent   string
	Header   http.Header
	Source   string
	Body     io.Reader
	Declared int64
	// Authorized: the caller's credentials were checked already (an MCP session).
	Authorized bool
}

// ErrNoOperation is the answer's reason for an intent the registry does not have.
var ErrNoOperation = errors.New("no such operation; GET " + OpenAPIPath + " lists them")

// Invoke answers one call through the gate: status and the JSON body (a Result, or
// {"error": reason}).
func Invoke(ctx context.Context, g platform.Gate, in Invocation) (int, []byte, *platform.GateRefusal) {
	if _, ok := spec.Lookup(in.Intent); !ok {
		b, _ := json.Marshal(map[string]string{"error": ErrNoOperation.Error()})
		return http.StatusNotFound, b, nil
	}
	h := in.Header
	if h == nil {
		h = http.Header{}
	}
	return g.Answer(ctx, platform.GateCall{Platform: Platform, Header: h, Source: in.Source, Body: in.Body,
		Declared: in.Declared, Authorized: in.Authorized, Prepare: prepare(in.Intent, h)})
}

// prepare completes a decoded call with the operation's intent and the request's
// headers (platform.Entry.Complete).
func prepare(intent string, h http.Header) func(platform.Request) error {
	return func(req platform.Request) error {
		it, ok := spec.Lookup(intent)
		if !ok {
			return ErrNoOperation
		}
		c, ok := req.(*Call)
		if !ok {
			return errors.New("not a tool API call")
		}
		c.Complete(it, h)
		return nil
	}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
