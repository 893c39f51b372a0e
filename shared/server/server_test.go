package server

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// echoAdapter answers with the body it decoded, so tests can see what reached the
// engine after transport decoding.
type echoAdapter struct{ p conversation.Platform }

func (a echoAdapter) Platform() conversation.Platform { return a.p }
func (a echoAdapter) Decode(body []byte) (platform.Request, error) {
	if !json.Valid(body) {
		return nil, platform.NewBadRequest(a.p, "body is not JSON")
	}
	return echoRequest(body), nil
}

type echoRequest []byte

func (r echoRequest) Turn() conversation.Turn {
	return conversation.Turn{Intent: conversation.SearchKB}
}
func (r echoRequest) Encode(conversation.Reply) (int, []byte, error) { return 200, r, nil }

func newServer(t *testing.T, max int64) *httptest.Server {
	ads := map[conversation.Platform]platform.Adapter{}
	for _, p := range conversation.Platforms {
		ads[p] = echoAdapter{p}
	}
	h := conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply { return conversation.Reply{} })
	e := engine.New(wiring.Engine(config.Default()), h, engine.Options{Adapters: ads})
	srv := httptest.NewServer(Handler(e, Options{MaxBodyBytes: max, Routes: rasaRoutes(`[{"name":"action_x"}]`)}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPlatformForPath(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]conversation.Platform{
		"/webhooks/dialogflow": conversation.DialogflowES, "/webhooks/dialogflow/": conversation.DialogflowES,
		"/webhooks/dialogflow-cx": conversation.DialogflowCX, "/webhooks/dialogflow-cx/lookup-customer": conversation.DialogflowCX,
		"/webhooks/lex": conversation.LexV2, "/webhooks/rasa": conversation.Rasa,
	} {
		if got, ok := PlatformForPath(path); !ok || got != want {
			t.Errorf("%s -> %q %v", path, got, ok)
		}
	}
	for _, bad := range []string{"/", "/webhooks/", "/webhooks/slack", "/webhooks/rasa/extra", "/webhooks/dialogflow-cx/a/b", "/dialogflow"} {
		if p, ok := PlatformForPath(bad); ok {
			t.Errorf("%s accepted as %s", bad, p)
		}
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	srv := newServer(t, 1<<10)
	post := func(path, enc string, body []byte) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
		if enc != "" {
			req.Header.Set("Content-Encoding", enc)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post("/webhooks/rasa", "", []byte(`{"a":1}`)); code != 200 || body != `{"a":1}` {
		t.Errorf("plain: %d %s", code, body)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(`{"compressed":true}`))
	zw.Close()
	if code, body := post("/webhooks/rasa", "deflate", z.Bytes()); code != 200 || body != `{"compressed":true}` {
		t.Errorf("deflate: %d %s", code, body)
	}
	if code, body := post("/webhooks/rasa", "deflate", []byte("not zlib")); code != 400 || !strings.Contains(body, "zlib") {
		t.Errorf("bad deflate: %d %s", code, body)
	}
	if code, _ := post("/webhooks/lex", "", bytes.Repeat([]byte(" "), 2<<10)); code != 413 {
		t.Errorf("too large: %d", code)
	}
	// A zip bomb: small on the wire, too large once inflated.
	z.Reset()
	zw = zlib.NewWriter(&z)
	zw.Write(bytes.Repeat([]byte(" "), 1<<20))
	zw.Close()
	if code, _ := post("/webhooks/rasa", "deflate", z.Bytes()); code != 413 {
		t.Errorf("inflated too large: %d", code)
	}
	if code, body := post("/webhooks/dialogflow", "", []byte(`{`)); code != 400 || !strings.Contains(body, `"error"`) {
		t.Errorf("malformed: %d %s", code, body)
	}
	if code, _ := post("/webhooks/slack", "", []byte(`{}`)); code != 404 {
		t.Errorf("unknown path: %d", code)
	}
	if code, _ := post("/webhooks/rasa", "br", []byte(`{}`)); code != 400 {
		t.Errorf("unsupported encoding: %d", code)
	}
	for path, want := range map[string]string{"/healthz": `{"status":"ok"}`, "/webhooks/rasa/health": `{"status":"ok"}`,
		"/webhooks/rasa/actions": `[{"name":"action_x"}]`} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != want {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
		}
	}
	resp, _ := http.Get(srv.URL + "/webhooks/dialogflow")
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET webhook: %d", resp.StatusCode)
	}
}

// TestServeShutsDownGracefully: a request in flight when the context is cancelled is
// answered before Serve returns. Signals, not sleeps, order the steps: the handler
// says when the request has arrived, and the listener refusing connections says the
// shutdown has begun, before the handler is let finish.
func TestServeShutsDownGracefully(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		w.Write([]byte("finished"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", h, 5*time.Second, func(a net.Addr) { addrc <- a }) }()
	addr := <-addrc
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr.String())
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-arrived // the request is in flight
	cancel()
	// Shutdown closes the listener first: once a dial is refused, it has begun.
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts 20 s after the context was cancelled")
		}
		time.Sleep(time.Millisecond) // polling a condition, with the deadline above as a hang guard
	}
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	close(release)
	if s := <-got; s != "finished" {
		t.Fatalf("in-flight request got %q", s)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// rasaRoutes are the routes adapters.Routes gives for Rasa, with actions as the
// action list.
func rasaRoutes(actions string) []platform.Route {
	return []platform.Route{
		{Platform: conversation.Rasa, Path: "/webhooks/rasa/health", Body: []byte(`{"status":"ok"}`)},
		{Platform: conversation.Rasa, Path: "/webhooks/rasa/actions", Body: []byte(actions)},
	}
}
