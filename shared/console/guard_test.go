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
		local, forwardedFor string
		want                int
	}{{"10.1.2.3", "", http.StatusForbidden}, {"127.0.0.1", "", http.StatusOK},
		// A reverse proxy on this host (nginx passes the upstream's host name on by
		// default) relays a stranger from loopback: not this machine.
		{"127.0.0.1", "198.51.100.7", http.StatusForbidden}} {
		req := httptest.NewRequest(http.MethodGet, "/console/api/info", nil)
		req.Host = tc.local + ":8080"
		if tc.forwardedFor != "" {
			req.Header.Set("X-Forwarded-For", tc.forwardedFor)
		}
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey,
			&net.TCPAddr{IP: net.ParseIP(tc.local), Port: 8080}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("local address %s (forwarded for %q): HTTP %d %s, want %d", tc.local, tc.forwardedFor, rec.Code, rec.Body, tc.want)
		}
	}
}
