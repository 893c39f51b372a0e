package server

import (
	"bytes"
	"compress/zlib"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// refusals counts engine refusals by reason (what telemetry's refused_total does).
type refusals struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *refusals) StartTurn(ctx context.Context, _ engine.TurnStart) context.Context { return ctx }
func (r *refusals) EndTurn(context.Context, engine.TurnEnd)                           {}
func (r *refusals) Refused(_ context.Context, _ conversation.Platform, reason string) {
	r.mu.Lock()
	r.n[reason]++
	r.mu.Unlock()
}
func (r *refusals) get(reason string) int { r.mu.Lock(); defer r.mu.Unlock(); return r.n[reason] }

func guardedEngine(t testing.TB, sec config.Security) (*engine.Engine, *refusals) {
	t.Helper()
	g, err := security.NewGuard(wiring.Security(sec), secrets.Static{"rasa": {"token": "t0ken-rasa-123"}})
	if err != nil {
		t.Fatal(err)
	}
	ads := map[conversation.Platform]platform.Adapter{}
	for _, p := range conversation.Platforms {
		ads[p] = echoAdapter{p}
	}
	rf := &refusals{n: map[string]int{}}
	h := conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply { return conversation.Reply{} })
	return engine.New(wiring.Engine(config.Default()), h, engine.Options{Adapters: ads, Guard: g, Hook: rf}), rf
}

func deflate(b []byte) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(b)
	zw.Close()
	return z.Bytes()
}

// TestRefusedBeforeReading: credentials, declared size and the in-flight budget are
// decided from the headers — the body is never read (a reader that fails if touched);
// an inflating body past the ratio cap is cut off while it streams; each refusal is
// counted by reason.
func TestRefusedBeforeReading(t *testing.T) {
	t.Parallel()
	sec := config.Default().Security
	sec.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthToken, Secret: "rasa", Param: "token"}
	sec.Webhooks["lex"] = config.WebhookAuth{Method: config.AuthNone}
	sec.PerSourceRate = -1
	sec.InflightBytes = 4 << 20
	sec.MaxInflateRatio = 50
	e, rf := guardedEngine(t, sec)
	h := Handler(e, Options{MaxBodyBytes: 1 << 20})
	do := func(req *http.Request) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	untouchable := func(n int64) io.Reader { return &failReader{t: t, n: n} }

	// No credentials: 401 without reading a large body, and Connection: close.
	req := httptest.NewRequest(http.MethodPost, "/webhooks/rasa", untouchable(2<<20))
	req.ContentLength = 2 << 20
	if w := do(req); w.Code != 401 || w.Header().Get("Connection") != "close" {
		t.Errorf("no credentials: %d, Connection %q", w.Code, w.Header().Get("Connection"))
	}
	// A small refused body is drained instead, keeping the connection.
	small := strings.NewReader(`{"x":1}`)
	req = httptest.NewRequest(http.MethodPost, "/webhooks/rasa?token=wrong", small)
	if w := do(req); w.Code != 401 || w.Header().Get("Connection") == "close" || small.Len() != 0 {
		t.Errorf("small refused body: %d, Connection %q, %d bytes left unread", w.Code, w.Header().Get("Connection"), small.Len())
	}
	// Declared too large: 413 from Content-Length alone.
	req = httptest.NewRequest(http.MethodPost, "/webhooks/lex", untouchable(3<<20))
	req.ContentLength = 3 << 20
	if w := do(req); w.Code != 413 {
		t.Errorf("declared size over the cap: %d", w.Code)
	}
	// The budget is taken: 503 with Retry-After, body unread.
	g := e.Guard()
	if !g.Budget.Reserve(g.Budget.Limit()) {
		t.Fatal("could not take the whole budget")
	}
	g.Budget.Wait = 0
	req = httptest.NewRequest(http.MethodPost, "/webhooks/lex", untouchable(600<<10))
	req.ContentLength = 600 << 10
	if w := do(req); w.Code != 503 || w.Header().Get("Retry-After") == "" {
		t.Errorf("budget spent: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	g.Budget.Release(g.Budget.Limit())
	// A body inflating 1000:1 is refused as it streams, well before the size cap.
	bomb := deflate(bytes.Repeat([]byte(" "), 900<<10))
	req = httptest.NewRequest(http.MethodPost, "/webhooks/lex", bytes.NewReader(bomb))
	req.Header.Set("Content-Encoding", "deflate")
	if w := do(req); w.Code != 413 || !strings.Contains(w.Body.String(), "ratio") {
		t.Errorf("inflate ratio: %d %s", w.Code, w.Body.String())
	}
	// The same bytes under the ratio pass.
	ok := deflate([]byte(`{"a":"` + strings.Repeat("ab", 100) + `"}`))
	req = httptest.NewRequest(http.MethodPost, "/webhooks/lex", bytes.NewReader(ok))
	req.Header.Set("Content-Encoding", "deflate")
	if w := do(req); w.Code != 200 {
		t.Errorf("ordinary deflated body: %d %s", w.Code, w.Body.String())
	}
	if g.Budget.InUse() != 0 {
		t.Errorf("%d budget bytes still reserved after every call ended", g.Budget.InUse())
	}
	for reason, want := range map[string]int{security.ReasonAuth: 2, security.ReasonSize: 1, security.ReasonInflate: 2} {
		if got := rf.get(reason); got != want {
			t.Errorf("refused{%s} = %d, want %d", reason, got, want)
		}
	}
}

type failReader struct {
	t *testing.T
	n int64
}

func (f *failReader) Read(p []byte) (int, error) {
	f.t.Error("the body of a call refused from its headers was read")
	return 0, io.EOF
}

// TestProtectedOffLoopback: /metrics, Rasa's /health and /actions answer anyone on
// loopback, need credentials off it; /healthz warns off loopback when a platform is
// open.
func TestProtectedOffLoopback(t *testing.T) {
	t.Parallel()
	sec := config.Default().Security
	sec.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthToken, Secret: "rasa", Param: "token"}
	sec.Webhooks["lex"] = config.WebhookAuth{Method: config.AuthNone}
	e, _ := guardedEngine(t, sec)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "switchboard_turns_total 1\n") })
	h := Handler(e, Options{Routes: rasaRoutes(`[]`), Extra: map[string]http.Handler{"GET /metrics": metrics}})
	get := func(path, local string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey,
			&net.TCPAddr{IP: net.ParseIP(local), Port: 8080}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	for _, path := range []string{"/metrics", "/webhooks/rasa/health", "/webhooks/rasa/actions"} {
		if w := get(path, "127.0.0.1"); w.Code != 200 {
			t.Errorf("%s on loopback: %d", path, w.Code)
		}
		if w := get(path, "10.0.0.5"); w.Code != 401 {
			t.Errorf("%s off loopback without credentials: %d", path, w.Code)
		}
		if w := get(path+"?token=t0ken-rasa-123", "10.0.0.5"); w.Code != 200 {
			t.Errorf("%s off loopback with Rasa's token: %d", path, w.Code)
		}
	}
	if w := get("/healthz", "10.0.0.5"); w.Code != 200 || !strings.Contains(w.Body.String(), "warning") || !strings.Contains(w.Body.String(), "lex") {
		t.Errorf("/healthz off loopback with lex open: %d %s", w.Code, w.Body.String())
	}
	if w := get("/healthz", "127.0.0.1"); strings.Contains(w.Body.String(), "warning") {
		t.Errorf("/healthz on loopback warns: %s", w.Body.String())
	}
	// A reverse proxy on this host relays strangers from loopback: a request it
	// forwarded is not from this machine.
	for _, path := range []string{"/metrics", "/webhooks/rasa/health"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080}))
		req.Header.Set("X-Forwarded-For", "198.51.100.7")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 401 {
			t.Errorf("%s forwarded to the loopback listener without credentials: %d", path, w.Code)
		}
	}
}

// TestTrustedProxyNamesTheClient: behind a trusted reverse proxy each caller has its
// own per-source budget (the address X-Forwarded-For names); without the setting they
// share the proxy's.
func TestTrustedProxyNamesTheClient(t *testing.T) {
	t.Parallel()
	for _, trusted := range []bool{false, true} {
		sec := config.Default().Security
		sec.PerSourceRate, sec.PerSourceBurst = 0.001, 1
		if trusted {
			sec.TrustedProxies = []string{"127.0.0.1"}
		}
		e, _ := guardedEngine(t, sec)
		h := Handler(e, Options{})
		codes := map[string]int{}
		for _, client := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.1"} {
			req := httptest.NewRequest(http.MethodPost, "/webhooks/lex", strings.NewReader(`{}`))
			req.RemoteAddr = "127.0.0.1:40000"
			req.Header.Set("X-Forwarded-For", client)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			codes[client] = w.Code // the last one for .1: its second call
		}
		switch {
		case trusted && (codes["198.51.100.2"] == 429 || codes["198.51.100.1"] != 429):
			t.Errorf("trusted proxy: statuses %v; want .2 admitted, .1's second call limited", codes)
		case !trusted && codes["198.51.100.2"] != 429:
			t.Errorf("untrusted proxy: statuses %v; want one budget for the proxy's address", codes)
		}
	}
}
