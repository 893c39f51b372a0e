package router

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// refusalCounter records refused_total as telemetry counts it.
type refusalCounter struct {
	mu      sync.Mutex
	reasons []string
}

func (c *refusalCounter) StartTurn(ctx context.Context, _ engine.TurnStart) context.Context {
	return ctx
}
func (c *refusalCounter) EndTurn(context.Context, engine.TurnEnd) {}
func (c *refusalCounter) Refused(_ context.Context, _ conversation.Platform, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reasons = append(c.reasons, reason)
}

// invokerFunc is an in-process Invoker.
type invokerFunc func(ctx context.Context, fn, qualifier string, payload []byte) (Invocation, error)

func (f invokerFunc) Invoke(ctx context.Context, fn, qualifier string, payload []byte) (Invocation, error) {
	return f(ctx, fn, qualifier, payload)
}

// An entry point answers one Dialogflow ES webhook call from source 192.0.2.7.
type entry func(t *testing.T, body []byte, enc string, creds bool) (int, []byte)

const (
	esUser, esPass = "dialogflow", "Es0Password0ForTheFrontDoorTest"
	doorSource     = "192.0.2.7"
)

// TestOneFrontDoor runs the same refusal table against the three entry points —
// `switchboard serve`, an intent function behind API Gateway and the router — and
// wants the same status, body and refused_total reason from each, every call counted
// once, and nothing forwarded. Each case gets a fresh guard allowing its source one
// call (per_source_burst 1): a call admitted twice is refused for its rate.
func TestOneFrontDoor(t *testing.T) {
	t.Parallel()
	valid := readEvent(t, conversation.DialogflowES, "search_kb.json")
	deflate := func(b []byte) []byte {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		return z.Bytes()
	}
	deep := []byte(`{"queryResult":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40) + `}`)
	cases := []struct {
		name   string
		body   []byte
		enc    string
		creds  bool
		setup  func(g *security.Guard)
		status int
		reason string // refused_total label
		want   string // in the body
	}{
		{name: "no credentials", body: valid, status: 401, reason: security.ReasonAuth, want: `{"error":"unauthorized"}`},
		{name: "source over its rate", body: valid, creds: true, setup: func(g *security.Guard) { g.Source.Allow(doorSource) },
			status: 429, reason: security.ReasonRate, want: `{"error":"too many requests"}`},
		{name: "over the size cap", body: append(bytes.Repeat([]byte(" "), 1100<<10), valid...), creds: true,
			status: 413, reason: security.ReasonSize, want: `{"error":"request body too large"}`},
		{name: "inflates past the ratio", body: deflate(bytes.Repeat([]byte(" "), 900<<10)), enc: "deflate", creds: true,
			status: 413, reason: security.ReasonInflate, want: `{"error":"compressed body inflates beyond the allowed ratio"}`},
		{name: "nested too deep", body: deep, creds: true, status: 400, reason: security.ReasonDepth, want: "nested deeper than 32"},
		{name: "budget spent", body: valid, creds: true, setup: func(g *security.Guard) { g.Budget.Reserve(g.Budget.Limit()) },
			status: 503, reason: security.ReasonInflate, want: `{"error":"too much webhook data in flight; retry shortly"}`},
		{name: "not deflate", body: valid, enc: "deflate", creds: true, status: 400, want: "not zlib-deflated"},
		{name: "admitted", body: valid, creds: true, status: 200, want: "fulfillmentMessages"},
	}
	entries := map[string]func(t *testing.T, cfg config.Config, g *security.Guard, hook engine.TurnHook, forwards *int) entry{
		"serve":    serveEntry,
		"function": functionEntry,
		"router":   routerEntry,
	}
	for _, c := range cases {
		for name, build := range entries {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				cfg, err := config.Load("", []string{})
				if err != nil {
					t.Fatal(err)
				}
				cfg.Server.MaxBodyBytes = 1 << 20
				cfg.Security.Webhooks["dialogflow"] = config.WebhookAuth{Method: config.AuthBasic, Secret: "wh"}
				cfg.Security.PerSourceRate, cfg.Security.PerSourceBurst = 0.001, 1
				cfg.Security.MaxJSONDepth = 32
				cfg.Security.MaxInflateRatio = 50
				cfg.Security.InflightBytes = 4 << 20
				cfg.Intents.Enabled = []conversation.Intent{conversation.SearchKB}
				g, err := security.NewGuard(wiring.Security(cfg.Security), secrets.Static{"wh": {"username": esUser, "password": esPass}})
				if err != nil {
					t.Fatal(err)
				}
				g.Budget.Wait = 0
				if c.setup != nil {
					c.setup(g)
				}
				hook := &refusalCounter{}
				forwards := 0
				status, body := build(t, cfg, g, hook, &forwards)(t, c.body, c.enc, c.creds)
				if status != c.status || !strings.Contains(string(body), c.want) {
					t.Errorf("HTTP %d %s, want %d with %s", status, body, c.status, c.want)
				}
				var want []string
				if c.reason != "" {
					want = []string{c.reason}
				}
				if strings.Join(hook.reasons, ",") != strings.Join(want, ",") {
					t.Errorf("refused_total %v, want %v", hook.reasons, want)
				}
				if wantFwd := map[bool]int{true: 1}[c.status == 200 && name == "router"]; forwards != wantFwd {
					t.Errorf("%d forwards, want %d", forwards, wantFwd)
				}
			})
		}
	}
}

// functionEngine is an intent function's engine: the real adapters, a handler that
// answers every turn.
func functionEngine(cfg config.Config, g *security.Guard, hook engine.TurnHook) *engine.Engine {
	h := conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply {
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Here is how."}}
	})
	return engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg)), Guard: g, Hook: hook, Logger: slog.New(slog.DiscardHandler)})
}

func serveEntry(t *testing.T, cfg config.Config, g *security.Guard, hook engine.TurnHook, _ *int) entry {
	h := server.Handler(functionEngine(cfg, g, hook), server.Options{MaxBodyBytes: cfg.Server.MaxBodyBytes})
	return func(t *testing.T, body []byte, enc string, creds bool) (int, []byte) {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/dialogflow", bytes.NewReader(body))
		req.RemoteAddr = doorSource + ":40000"
		if enc != "" {
			req.Header.Set("Content-Encoding", enc)
		}
		if creds {
			req.SetBasicAuth(esUser, esPass)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code, w.Body.Bytes()
	}
}

// apiGatewayEvent is the call as API Gateway delivers it to a function.
func apiGatewayEvent(t testing.TB, body []byte, enc string, creds bool) json.RawMessage {
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST /webhooks/dialogflow", RawPath: "/webhooks/dialogflow",
		Headers: map[string]string{"content-type": "application/json"}, Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true}
	if enc != "" {
		ev.Headers["content-encoding"] = enc
	}
	if creds {
		ev.Headers["authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(esUser+":"+esPass))
	}
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.SourceIP = doorSource
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lambdaAnswer(t *testing.T, out any, err error) (int, []byte) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	switch v := out.(type) {
	case events.APIGatewayV2HTTPResponse:
		return v.StatusCode, []byte(v.Body)
	case json.RawMessage:
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(v, &resp); err != nil || resp.StatusCode == 0 {
			t.Fatalf("not an API Gateway response: %s", v)
		}
		return resp.StatusCode, []byte(resp.Body)
	}
	t.Fatalf("answer %T", out)
	return 0, nil
}

func functionEntry(t *testing.T, cfg config.Config, g *security.Guard, hook engine.TurnHook, _ *int) entry {
	h := lambdafn.Handler(functionEngine(cfg, g, hook), cfg.Server.MaxBodyBytes)
	return func(t *testing.T, body []byte, enc string, creds bool) (int, []byte) {
		out, err := h(context.Background(), apiGatewayEvent(t, body, enc, creds))
		return lambdaAnswer(t, out, err)
	}
}

// routerEntry is the router, forwarding to an intent function in this process (its
// own engine and guard, as a separate function has).
func routerEntry(t *testing.T, cfg config.Config, g *security.Guard, hook engine.TurnHook, forwards *int) entry {
	fg, err := security.NewGuard(wiring.Security(cfg.Security), secrets.Static{"wh": {"username": esUser, "password": esPass}})
	if err != nil {
		t.Fatal(err)
	}
	fn := lambdafn.Handler(functionEngine(cfg, fg, nil), cfg.Server.MaxBodyBytes)
	inv := invokerFunc(func(ctx context.Context, _, _ string, payload []byte) (Invocation, error) {
		*forwards++
		out, err := fn(ctx, payload)
		if err != nil {
			return Invocation{Payload: []byte(`{"errorMessage":"` + err.Error() + `"}`), FunctionError: "Unhandled"}, nil
		}
		b, _ := json.Marshal(out)
		return Invocation{Payload: b}, nil
	})
	r, err := New(settingsOf(cfg), Options{Routes: map[conversation.Intent]string{conversation.SearchKB: "sb-searchkb"}, Client: inv,
		Guard: g, Hook: hook, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T, body []byte, enc string, creds bool) (int, []byte) {
		out, err := r.Handle(context.Background(), apiGatewayEvent(t, body, enc, creds))
		return lambdaAnswer(t, out, err)
	}
}

// countingSecrets counts the webhook secret reads: one per credentials check.
type countingSecrets struct {
	secrets.Static
	mu sync.Mutex
	n  int
}

func (c *countingSecrets) Get(ctx context.Context, id string) (secrets.Secret, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.Static.Get(ctx, id)
}

// routedPair is a router and the intent function it forwards search_kb to, in this
// process (each with its own guard, as two functions have), both checking Dialogflow
// ES's credentials through creds.
func routedPair(tb testing.TB, creds secrets.Provider) (*Router, *int) {
	cfg, err := config.Load("", []string{})
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Security.Webhooks["dialogflow"] = config.WebhookAuth{Method: config.AuthBasic, Secret: "wh"}
	cfg.Intents.Enabled = []conversation.Intent{conversation.SearchKB}
	// Only credentials: no rate limits to run into.
	cfg.Security.PerSourceRate, cfg.Security.PerSessionRate = -1, -1
	guard := func() *security.Guard {
		g, err := security.NewGuard(wiring.Security(cfg.Security), creds)
		if err != nil {
			tb.Fatal(err)
		}
		return g
	}
	fn := lambdafn.Handler(functionEngine(cfg, guard(), nil), cfg.Server.MaxBodyBytes)
	forwards := 0
	inv := invokerFunc(func(ctx context.Context, _, _ string, payload []byte) (Invocation, error) {
		if len(payload) > lambdafn.MaxInvokePayload {
			return Invocation{}, errors.New("RequestTooLargeException: request must be smaller than 6291456 bytes for the InvokeFunction operation")
		}
		forwards++
		out, err := fn(ctx, payload)
		if err != nil {
			return Invocation{Payload: []byte(`{"errorMessage":"function error"}`), FunctionError: "Unhandled"}, nil
		}
		b, _ := json.Marshal(out)
		return Invocation{Payload: b}, nil
	})
	r, err := New(settingsOf(cfg), Options{Routes: map[conversation.Intent]string{conversation.SearchKB: "sb-searchkb"}, Client: inv,
		Guard: guard(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	return r, &forwards
}

// TestRoutedTurnAuthenticatedOnce: a turn the router forwards has its credentials
// checked once, by the router; the intent function trusts the router's envelope.
func TestRoutedTurnAuthenticatedOnce(t *testing.T) {
	t.Parallel()
	creds := &countingSecrets{Static: secrets.Static{"wh": {"username": esUser, "password": esPass}}}
	r, forwards := routedPair(t, creds)
	out, err := r.Handle(context.Background(), apiGatewayEvent(t, readEvent(t, conversation.DialogflowES, "search_kb.json"), "", true))
	status, body := lambdaAnswer(t, out, err)
	if status != 200 || !strings.Contains(string(body), "Here is how.") || *forwards != 1 {
		t.Fatalf("HTTP %d %s, %d forwards", status, body, *forwards)
	}
	if creds.n != 1 {
		t.Errorf("credentials checked %d times for one routed turn, want 1", creds.n)
	}
}

// TestRoutedLargeCompressedBody: a compressed body that inflated would not fit an
// Invoke's payload (but fits the server's cap) is forwarded as it came, and the
// function answers it as it would have before the router admitted turns once.
func TestRoutedLargeCompressedBody(t *testing.T) {
	t.Parallel()
	creds := secrets.Static{"wh": {"username": esUser, "password": esPass}}
	r, forwards := routedPair(t, creds)
	var ev map[string]any
	if err := json.Unmarshal(readEvent(t, conversation.DialogflowES, "search_kb.json"), &ev); err != nil {
		t.Fatal(err)
	}
	// About 6.5 MiB of hex, which deflates about 2:1 (within the ratio cap).
	var hex strings.Builder
	for x := uint64(1); hex.Len() < 6500<<10; x = x*6364136223846793005 + 1442695040888963407 {
		fmt.Fprintf(&hex, "%016x", x)
	}
	ev["originalDetectIntentRequest"] = map[string]any{"source": "test", "payload": map[string]any{"filler": hex.String()}}
	body, _ := json.Marshal(ev)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(body)
	zw.Close()
	out, err := r.Handle(context.Background(), apiGatewayEvent(t, z.Bytes(), "deflate", true))
	status, answer := lambdaAnswer(t, out, err)
	if status != 200 || !strings.Contains(string(answer), "Here is how.") || *forwards != 1 {
		t.Errorf("HTTP %d %.300s, %d forwards", status, answer, *forwards)
	}
}

// BenchmarkRoutedTurn is one Dialogflow ES turn through the router and its intent
// function (in process: the Invoke is a function call), credentials checked.
func BenchmarkRoutedTurn(b *testing.B) {
	creds := &countingSecrets{Static: secrets.Static{"wh": {"username": esUser, "password": esPass}}}
	r, _ := routedPair(b, creds)
	body, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "events", "dialogflow", "search_kb.json"))
	if err != nil {
		b.Fatal(err)
	}
	ev := apiGatewayEvent(nil, body, "", true)
	b.ReportAllocs()
	b.SetBytes(int64(len(ev)))
	for b.Loop() {
		out, err := r.Handle(context.Background(), ev)
		if err != nil {
			b.Fatal(err)
		}
		if resp, ok := out.(json.RawMessage); !ok || !bytes.Contains(resp, []byte(`"statusCode":200`)) {
			b.Fatalf("answer %s", out)
		}
	}
	b.ReportMetric(float64(creds.n)/float64(b.N), "auths/op")
}
