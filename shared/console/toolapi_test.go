package console_test

import (
	"context"
	"encoding/json"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/console"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/turntrace"
)

// The console plays an agent calling the tool API: the request is the HTTP call
// (the intent in the path, the identity token in X-Switchboard-Identity, never in the
// body), a signed-in lookup shows the verified owner's records as cards, and an
// exported call replays through the same route (the idempotency layer answers it).
func TestToolAPIConversation(t *testing.T) {
	srv := newServer(t)
	var tok struct{ Token string }
	if st := post(t, srv, "/console/api/signin", map[string]string{"email": "ada@example.com"}, &tok); st != 200 || tok.Token == "" {
		t.Fatalf("sign-in: HTTP %d", st)
	}
	c := start(t, srv, "tool-api", "en", tok.Token)
	v := c.say("look up ada@example.com")
	req := string(c.last.Request)
	if !strings.Contains(req, `"path":"/api/v1/lookup_customer"`) || !strings.Contains(req, `"X-Switchboard-Identity":"`+tok.Token+`"`) ||
		!strings.Contains(req, `"body":{"email":"ada@example.com"}`) {
		t.Fatalf("the call: %s", req)
	}
	if pol := events(c.last.Trace, turntrace.KindPolicy); len(pol) != 1 || pol[0].Detail["verification"] != "token" {
		t.Errorf("policy: %+v", pol)
	}
	titles := ""
	for _, card := range v.Cards {
		titles += card.Title + " | " + card.Subtitle + "\n"
	}
	if !strings.Contains(v.Text(), "Ada Lovelace") || !strings.Contains(titles, "Ada Lovelace | ada@example.com") ||
		!strings.Contains(titles, "1200.00 GBP") || strings.Contains(titles, "+44") {
		t.Errorf("the records as cards:\n%s(text %q)", titles, v.Text())
	}

	// Anonymous: the answer asks for the code; the records are not shown.
	anon := start(t, srv, "tool-api", "en", "")
	if v := anon.say("look up ada@example.com"); v.Elicit != "verification_code" || len(v.Cards) != 0 ||
		strings.Contains(string(anon.last.Request), "X-Switchboard-Identity") {
		t.Errorf("anonymous: %+v\n%s", v, anon.last.Request)
	}

	// The exported ticket call replays through the route: answered from the first.
	c.say("ticket: the printer is on fire")
	var res console.TurnResult
	if st := post(t, srv, "/console/api/replay", map[string]any{"platform": "tool-api", "request": c.last.Request}, &res); st != 200 ||
		!strings.Contains(string(res.Reply), "created ticket #") {
		t.Fatalf("replay: HTTP %d %s", st, res.Reply)
	}
	if idem := events(res.Trace, turntrace.KindIdempotency); len(idem) != 1 || !strings.HasPrefix(idem[0].Name, "replayed") {
		t.Errorf("replay trace: %+v", res.Trace)
	}
	// A call that is no tool API call, or names no operation, gets a clear 4xx.
	for body, want := range map[string]int{
		`{"method":"POST","path":"/api/v1/drop_tables","body":{}}`: http.StatusNotFound,
		`{"method":"GET","path":"/api/v1/search_kb"}`:              http.StatusBadRequest,
		`"hello"`: http.StatusBadRequest,
	} {
		var r console.TurnResult
		if st := post(t, srv, "/console/api/replay", map[string]any{"platform": "tool-api", "request": json.RawMessage(body)}, &r); st != 200 || r.Status != want ||
			!strings.Contains(string(r.Reply), `"error"`) {
			t.Errorf("%s: HTTP %d, call %d %s", body, st, r.Status, r.Reply)
		}
	}
}

// `switchboard chat --direct` plays the tool API against its own route: the call
// goes to POST /api/v1/<intent> with its headers and the deployment's Bearer
// credentials (refused without them).
func TestToolAPIDirect(t *testing.T) {
	cfg, err := config.LoadEmbedded([]string{"SWITCHBOARD_DATA_DIR=" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	const bearer = "tool-api-console-token-0123456789"
	cfg.Security.Webhooks["tool-api"] = config.WebhookAuth{Method: config.AuthBearer, Secret: "tool-api"}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.Build(ctx, cfg, app.Options{Secrets: secrets.Static{"tool-api": {"token": bearer}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(server.Handler(a.Engine, server.Options{Names: cfg.Intents.Names}))
	t.Cleanup(srv.Close)

	turn := func(auth string) (console.TurnResult, console.View) {
		conv := console.New("tool-api", "en", wiring.Adapters(cfg).Names["tool-api"])
		pend, err := conv.Request(console.Input{Text: "how do I reset my password"})
		if err != nil {
			t.Fatal(err)
		}
		r := console.Remote{URL: srv.URL, Direct: true, Auth: func(req *http.Request) {
			if auth != "" {
				req.Header.Set("Authorization", "Bearer "+auth)
			}
		}}
		res, err := r.Turn(context.Background(), "tool-api", pend.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, conv.Absorb(pend, res.Status, res.Reply)
	}
	if res, v := turn(bearer); res.Status != 200 || len(v.Cards) == 0 || v.Text() == "" {
		t.Errorf("with the token: %d %+v", res.Status, v)
	}
	if res, v := turn(""); res.Status != http.StatusUnauthorized || v.Error == "" {
		t.Errorf("without the token: %d %+v", res.Status, v)
	}
}
