// Package toolmcp is the MCP server of the tool API (the official Go SDK): every
// intent of the registry is a tool whose input schema is the intent's slots and whose
// structured output is the tool API's Result. `switchboard serve` offers it over
// streamable HTTP at /mcp, behind the tool API's credentials; `switchboard mcp` over
// stdio. Each call passes the same gate as POST /api/v1/<intent>. The end user's
// identity token comes from the X-Switchboard-Identity header of the HTTP request (or
// the stdio command's flag), never from a tool argument.
package toolmcp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
)

// Path is where `switchboard serve` offers the MCP server.
const Path = "/mcp"

// Options configure the server.
type Options struct {
	Gate platform.Gate
	// IdentityToken, when set, is the identity token of every call (stdio: the local
	// user's); otherwise each call's comes from its HTTP request's header.
	IdentityToken string
	// Version is the server's version in the MCP handshake.
	Version string
	// HTTP configures the streamable HTTP transport (Handler); nil is the SDK's
	// defaults (sessions, server-sent events). The router on Lambda runs stateless
	// with JSON responses: no session outlives its request.
	HTTP *mcp.StreamableHTTPOptions
}

// forwarded are the HTTP headers of a tool call the tool API reads.
var forwarded = []string{toolapi.IdentityHeader, "Accept-Language", toolapi.IdempotencyHeader, toolapi.SessionHeader}

// NewServer returns the MCP server with one tool per registered intent.
func NewServer(o Options) *mcp.Server {
	v := o.Version
	if v == "" {
		v = "dev"
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "switchboard", Title: "Switchboard", Version: v}, nil)
	out := toolapi.ResultSchema()
	for _, in := range spec.All() {
		s.AddTool(&mcp.Tool{Name: in.Name, Description: toolapi.Describe(in), InputSchema: toolapi.InputSchema(in),
			OutputSchema: out}, handler(o, in))
	}
	return s
}

func handler(o Options, in spec.Intent) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		h := http.Header{}
		if req.Extra != nil && req.Extra.Header != nil {
			for _, k := range forwarded {
				if v := req.Extra.Header.Get(k); v != "" {
					h.Set(k, v)
				}
			}
		}
		if o.IdentityToken != "" {
			h.Set(toolapi.IdentityHeader, o.IdentityToken)
		}
		if h.Get(toolapi.SessionHeader) == "" && h.Get(toolapi.IdentityHeader) == "" {
			// Without an identity, the MCP session is the conversation: a one-time code
			// the answer asks for (verification_code) is checked against the session
			// it was sent in (and the per-conversation limit counts its calls).
			h.Set(toolapi.SessionHeader, sessionOf(req.Session))
		}
		args := []byte(req.Params.Arguments)
		if len(bytes.TrimSpace(args)) == 0 || string(bytes.TrimSpace(args)) == "null" {
			args = []byte("{}")
		}
		// The session's HTTP requests were admitted by Handler (stdio: the local
		// user); each call still passes the body caps, nesting and decoding.
		status, body, _ := toolapi.Invoke(ctx, o.Gate, toolapi.Invocation{Intent: in.Name, Header: h,
			Body: bytes.NewReader(args), Declared: int64(len(args)), Authorized: true})
		if status != http.StatusOK {
			var e struct{ Error string }
			_ = json.Unmarshal(body, &e)
			return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "error: " + e.Error}}}, nil
		}
		var r toolapi.Result
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, err
		}
		// The answer is the text for the user; everything the tools said (ticket
		// subjects, article titles) is in the structured content as data.
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: r.Answer}},
			StructuredContent: json.RawMessage(body)}, nil
	}
}

// Handler serves the MCP server over streamable HTTP; every HTTP request needs the
// tool API's credentials (the gate's rate and Authorization: Bearer check).
func Handler(o Options) http.Handler {
	o.IdentityToken = "" // over HTTP, identity is per request (the header)
	srv := NewServer(o)
	mh := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, o.HTTP)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if status, body, ref := o.Gate.Check(r.Context(), toolapi.Platform, r.Header, host); status != 0 {
			if ref != nil && ref.Challenge {
				w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
			}
			if ref != nil && ref.RetryAfter {
				w.Header().Set("Retry-After", "1")
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(body)
			return
		}
		mh.ServeHTTP(w, r)
	})
}

// sessions names the MCP sessions without an id of their own (stdio).
var sessions sync.Map // *mcp.ServerSession → string

// sessionOf names an MCP session: "mcp-" and its id (streamable HTTP's
// Mcp-Session-Id), or a random name kept for the session (stdio has no id).
func sessionOf(ss *mcp.ServerSession) string {
	if ss == nil {
		return ""
	}
	if id := ss.ID(); id != "" {
		return "mcp-" + id
	}
	if v, ok := sessions.Load(ss); ok {
		return v.(string)
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	v, _ := sessions.LoadOrStore(ss, "mcp-"+hex.EncodeToString(b[:]))
	return v.(string)
}

// TokenFromFile reads an identity token file (surrounding space trimmed).
func TokenFromFile(b []byte) string { return strings.TrimSpace(string(b)) }
