package router

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

const toolToken = "Tool0Api0Bearer0TokenForTheRouterTest"

// toolRouter is a router whose lookup_customer route reaches an intent function in
// this process (its own guard and engine, whose handler tells which intent it ran,
// for whom and with which inputs); envelopes records what the router sent it.
// search_kb is enabled but not routed. fail makes the Invoke fail.
type toolRouter struct {
	r         *Router
	mu        sync.Mutex
	envelopes []lambdafn.Envelope
	fail      error
}

func newToolRouter(t *testing.T) *toolRouter {
	t.Helper()
	cfg, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Security.Webhooks["tool-api"] = config.WebhookAuth{Method: config.AuthBearer, Secret: "tool"}
	cfg.Security.PerSourceRate, cfg.Security.PerSessionRate = -1, -1
	cfg.Intents.Enabled = []conversation.Intent{conversation.LookupCustomer, conversation.SearchKB}
	creds := secrets.Static{"tool": {"token": toolToken}}
	guard := func() *security.Guard {
		g, err := security.NewGuard(wiring.Security(cfg.Security), creds)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	h := conversation.HandlerFunc(func(_ context.Context, tu conversation.Turn) conversation.Reply {
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled,
			Messages: []string{fmt.Sprintf("intent=%s identity=%s email=%s", tu.Intent, tu.IdentityToken, tu.Slots["email"])}}
	})
	fn := lambdafn.Handler(engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg)), Guard: guard(),
		Logger: slog.New(slog.DiscardHandler)}), cfg.Server.MaxBodyBytes)
	tr := &toolRouter{}
	inv := invokerFunc(func(ctx context.Context, _, _ string, payload []byte) (Invocation, error) {
		ev := lambdafn.Parse(payload)
		tr.mu.Lock()
		tr.envelopes = append(tr.envelopes, ev.Envelope)
		fail := tr.fail
		tr.mu.Unlock()
		if ev.Kind != lambdafn.KindEnvelope {
			t.Errorf("forwarded %s, not an envelope", payload)
		}
		if fail != nil {
			return Invocation{}, fail
		}
		out, err := fn(ctx, payload)
		if err != nil {
			return Invocation{Payload: []byte(`{"errorMessage":"function error"}`), FunctionError: "Unhandled"}, nil
		}
		b, _ := json.Marshal(out)
		return Invocation{Payload: b}, nil
	})
	r, err := New(settingsOf(cfg), Options{Routes: map[conversation.Intent]string{conversation.LookupCustomer: "sb-lookupcustomer"},
		Client: inv, Guard: guard(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	tr.r = r
	return tr
}

func (tr *toolRouter) forwarded() []lambdafn.Envelope {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]lambdafn.Envelope(nil), tr.envelopes...)
}

// client is an HTTP client whose requests reach the router as API Gateway delivers
// them, each with headers h.
func (tr *toolRouter) client(h map[string]string) *http.Client {
	gw := testenv.APIGateway{Invoke: func(event []byte) ([]byte, error) {
		out, err := tr.r.Handle(context.Background(), event)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}}
	return &http.Client{Transport: headerTransport{h, gw}}
}

type headerTransport struct {
	h    map[string]string
	next http.RoundTripper
}

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.h {
		r.Header.Set(k, v)
	}
	return t.next.RoundTrip(r)
}

func do(t *testing.T, c *http.Client, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, "https://api.example.test"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// TestRouterToolAPI: the router answers the tool API from the HTTP API: the OpenAPI
// description to anyone; an operation only with the Bearer credentials (401 with a
// JSON reason otherwise, nothing forwarded); an admitted call goes to its intent's
// function in an envelope that carries the route's intent and the identity header
// (never a body field), and its answer comes back as the function gave it.
func TestRouterToolAPI(t *testing.T) {
	t.Parallel()
	tr := newToolRouter(t)
	anon := tr.client(nil)
	authed := tr.client(map[string]string{"Authorization": "Bearer " + toolToken, toolapi.IdentityHeader: "tok-ada",
		"Accept-Language": "de-DE,de;q=0.8", "X-Forwarded-For": "198.51.100.1"})

	status, h, body := do(t, anon, http.MethodGet, toolapi.OpenAPIPath, "")
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if status != 200 || json.Unmarshal(body, &doc) != nil || !strings.HasPrefix(doc.OpenAPI, "3.1") ||
		doc.Paths[toolapi.PathPrefix+"lookup_customer"] == nil || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %.300s", toolapi.OpenAPIPath, status, body)
	}

	hostile := `{"email":"eve@example.com","identity_token":"tok-eve"}`
	for name, c := range map[string]*http.Client{"no credentials": anon,
		"wrong bearer": tr.client(map[string]string{"Authorization": "Bearer " + toolToken[:len(toolToken)-1] + "X"}),
		"basic":        tr.client(map[string]string{"Authorization": "Basic " + toolToken})} {
		status, h, body := do(t, c, http.MethodPost, toolapi.PathPrefix+"lookup_customer", hostile)
		if status != 401 || string(body) != `{"error":"unauthorized"}` || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d %s %v", name, status, body, h)
		}
	}
	if n := len(tr.forwarded()); n != 0 {
		t.Fatalf("%d calls forwarded without credentials", n)
	}

	status, _, body = do(t, authed, http.MethodPost, toolapi.PathPrefix+"lookup_customer", hostile)
	var res toolapi.Result
	if status != 200 || json.Unmarshal(body, &res) != nil || res.Outcome != conversation.OutcomeFulfilled ||
		res.Answer != "intent=lookup_customer identity=tok-ada email=eve@example.com" {
		t.Fatalf("POST lookup_customer: %d %s", status, body)
	}
	envs := tr.forwarded()
	if len(envs) != 1 {
		t.Fatalf("%d forwards, want 1", len(envs))
	}
	env := envs[0]
	if env.Platform != toolapi.Platform || env.Caller != lambdafn.CallerAuthenticated || env.Route == nil ||
		env.Route.Intent != "lookup_customer" || env.Route.Header[toolapi.IdentityHeader] != "tok-ada" ||
		env.Route.Header["Accept-Language"] != "de-DE,de;q=0.8" || env.Route.Header["Authorization"] != "" ||
		env.Route.Header["X-Forwarded-For"] != "" || env.RequestID == "" {
		t.Errorf("envelope %+v tool %+v", env, env.Route)
	}

	// Not routed here (enabled without a function), unknown, and not an operation.
	status, _, body = do(t, authed, http.MethodPost, toolapi.PathPrefix+"search_kb", `{"query":"reset"}`)
	if json.Unmarshal(body, &res) != nil || status != 200 || res.Outcome != conversation.OutcomeRejected {
		t.Errorf("unrouted search_kb: %d %s", status, body)
	}
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, toolapi.PathPrefix + "drop_tables", 404},
		{http.MethodGet, toolapi.PathPrefix + "lookup_customer", 405},
		{http.MethodPost, toolapi.OpenAPIPath, 405},
	} {
		status, h, body := do(t, authed, c.method, c.path, `{}`)
		var reason struct{ Error string }
		if status != c.status || json.Unmarshal(body, &reason) != nil || reason.Error == "" || h.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s, want %d with a JSON reason", c.method, c.path, status, body, c.status)
		}
	}
	if n := len(tr.forwarded()); n != 1 {
		t.Errorf("%d forwards, want still 1", n)
	}

	// The function cannot be reached: the tool API's honest failure, not a 5xx.
	tr.mu.Lock()
	tr.fail = errors.New("TooManyRequestsException: Rate Exceeded")
	tr.mu.Unlock()
	status, _, body = do(t, authed, http.MethodPost, toolapi.PathPrefix+"lookup_customer", `{}`)
	if json.Unmarshal(body, &res) != nil || status != 200 || res.Outcome != conversation.OutcomeFailed || res.DataAge != toolapi.AgeUnknown {
		t.Errorf("forward failed: %d %s", status, body)
	}
}

// TestRouterMCP: an MCP client session (initialize, tools/list, tools/call) with the
// router through its HTTP API event path; every request needs the Bearer credentials,
// and a tool call's turn is forwarded like an operation's, its identity from the
// header whatever the arguments say.
func TestRouterMCP(t *testing.T) {
	t.Parallel()
	tr := newToolRouter(t)
	ctx := context.Background()
	connect := func(h map[string]string) (*mcp.ClientSession, error) {
		c := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil)
		return c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: "https://api.example.test/mcp", MaxRetries: -1,
			DisableStandaloneSSE: true, HTTPClient: tr.client(h)}, nil)
	}
	if s, err := connect(map[string]string{"Authorization": "Bearer nope"}); err == nil {
		s.Close()
		t.Fatal("an MCP session without the Bearer credentials")
	}
	// The refusal itself, as a client sees it.
	status, _, body := do(t, tr.client(nil), http.MethodPost, "/mcp",
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`)
	if status != 401 || string(body) != `{"error":"unauthorized"}` {
		t.Errorf("MCP without credentials: %d %s", status, body)
	}

	// Stateless: no server-to-client stream, no session to delete (405, which MCP
	// clients expect; a 404 would mean the session is gone).
	authed := tr.client(map[string]string{"Authorization": "Bearer " + toolToken})
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		if status, _, body := do(t, authed, m, "/mcp", ""); status != http.StatusMethodNotAllowed {
			t.Errorf("%s /mcp: %d %s", m, status, body)
		}
	}
	s, err := connect(map[string]string{"Authorization": "Bearer " + toolToken, toolapi.IdentityHeader: "tok-ada"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.InitializeResult() == nil || s.InitializeResult().ServerInfo.Name != "switchboard" {
		t.Errorf("initialize: %+v", s.InitializeResult())
	}
	tools, err := s.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools.Tools {
		names = append(names, tl.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "lookup_customer") {
		t.Errorf("tools/list: %v", names)
	}
	res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: "lookup_customer",
		Arguments: map[string]any{"email": "eve@example.com", "identity_token": "tok-eve"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res.StructuredContent)
	var out toolapi.Result
	if res.IsError || json.Unmarshal(b, &out) != nil || out.Answer != "intent=lookup_customer identity=tok-ada email=eve@example.com" {
		t.Errorf("tools/call: error %v, %s %+v", res.IsError, b, res.Content)
	}
	envs := tr.forwarded()
	if len(envs) != 1 || envs[0].Route == nil || envs[0].Route.Intent != "lookup_customer" ||
		envs[0].Route.Header[toolapi.IdentityHeader] != "tok-ada" || bytes.Contains(envs[0].Body, []byte("tok-eve")) && envs[0].Route.Header[toolapi.IdentityHeader] == "tok-eve" {
		t.Errorf("forwarded %+v", envs)
	}
}
