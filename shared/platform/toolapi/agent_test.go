package toolapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi/agenttest"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// TestHostileToolText: POST /api/v1/<intent> through serve's handler, signed in as
// Ada, whose company, tickets and the help center's article titles read like
// instructions: the answer names the fields, the fields hold the text, inert.
func TestHostileToolText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, err := config.LoadEmbedded([]string{"SWITCHBOARD_DATA_DIR=" + dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.Build(ctx, cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	testenv.HostileDemo(t, dir)
	srv := httptest.NewServer(server.Handler(a.Engine, server.Options{Names: cfg.Intents.Names}))
	t.Cleanup(srv.Close)
	ada := map[string]string{toolapi.IdentityHeader: token(t, "ada@example.com")}
	for i, c := range agenttest.Calls {
		st, r, raw := call(t, srv.URL, c.Intent, c.Args, ada)
		if st != http.StatusOK {
			t.Fatalf("%s: %d %s", c.Intent, st, raw)
		}
		agenttest.Check(t, "tool API", i, r.Answer, raw, r)
	}
	// What a person reads, for a custom chatbot that shows the answer.
	_, own, _ := call(t, srv.URL, "lookup_customer", agenttest.Calls[0].Args, ada)
	if filled := toolapi.Fill(own); testenv.HasInjection(filled) == "" || len(toolapi.References(filled)) != 0 {
		t.Errorf("Fill: %s", filled)
	}
}
