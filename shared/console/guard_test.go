package console

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// Off loopback, with every webhook open (auth: none, as the demo), the console is
// refused: it shows one-time codes and signs tokens. On loopback it answers.
func TestOpenWebhooksDoNotOpenTheConsole(t *testing.T) {
	cfg, err := config.LoadEmbedded([]string{"SWITCHBOARD_DATA_DIR=" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	g, err := security.NewGuard(wiring.Security(cfg.Security), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(wiring.Engine(cfg), nil, engine.Options{Guard: g})
	h := Handler(Options{Engine: e})
	for _, tc := range []struct {
		local string
		want  int
	}{{"10.1.2.3", http.StatusForbidden}, {"127.0.0.1", http.StatusOK}} {
		req := httptest.NewRequest(http.MethodGet, "/console/api/info", nil)
		req.Host = tc.local + ":8080"
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey,
			&net.TCPAddr{IP: net.ParseIP(tc.local), Port: 8080}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("local address %s: HTTP %d %s, want %d", tc.local, rec.Code, rec.Body, tc.want)
		}
	}
}
