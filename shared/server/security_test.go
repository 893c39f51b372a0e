package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// TestUnauthenticatedCallsNeverReachAnIntent: wrong, empty and missing credentials get
// 401 and the handler is never called; the right ones get through.
func TestUnauthenticatedCallsNeverReachAnIntent(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.Security.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthToken, Secret: "rasa", Param: "token"}
	cfg.Security.Webhooks["dialogflow"] = config.WebhookAuth{Method: config.AuthBasic, Secret: "df"}
	cfg.Security.Webhooks["lex"] = config.WebhookAuth{Method: config.AuthNone} // asked for by name
	g, err := security.NewGuard(wiring.Security(cfg.Security), secrets.Static{
		"rasa": {"token": "t0ken"}, "df": {"username": "u", "password": "p"}})
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	h := conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply {
		calls.Add(1)
		return conversation.Reply{}
	})
	ads := map[conversation.Platform]platform.Adapter{}
	for _, p := range conversation.Platforms {
		ads[p] = echoAdapter{p}
	}
	e := engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: ads, Guard: g})
	srv := httptest.NewServer(Handler(e, Options{}))
	t.Cleanup(srv.Close)

	post := func(path string, user, pass string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(`{}`))
		if user != "" || pass != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		path, user, pass string
		want             int
	}{
		{"/webhooks/rasa", "", "", 401},
		{"/webhooks/rasa?token=", "", "", 401},
		{"/webhooks/rasa?token=wrong", "", "", 401},
		{"/webhooks/dialogflow", "", "", 401},
		{"/webhooks/dialogflow", "u", "wrong", 401},
		{"/webhooks/dialogflow", "", "p", 401},
	} {
		if got := post(c.path, c.user, c.pass); got != c.want {
			t.Errorf("%s %q: HTTP %d, want %d", c.path, c.user, got, c.want)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d unauthenticated calls reached the handler", n)
	}
	if got := post("/webhooks/rasa?token=t0ken", "", ""); got != 200 {
		t.Fatalf("right token: HTTP %d", got)
	}
	if got := post("/webhooks/dialogflow", "u", "p"); got != 200 {
		t.Fatalf("right basic auth: HTTP %d", got)
	}
	if got := post("/webhooks/lex", "", ""); got != 200 {
		t.Fatalf("platform with auth none: HTTP %d", got)
	}
	// Dialogflow CX has no method configured: closed.
	if got := post("/webhooks/dialogflow-cx", "", ""); got != 401 {
		t.Fatalf("platform with no auth configured: HTTP %d, want 401", got)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("authenticated calls reaching the handler = %d, want 3", n)
	}
	deep := `{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/lex", strings.NewReader(deep))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("deeply nested body: HTTP %d, want 400", resp.StatusCode)
	}
}
