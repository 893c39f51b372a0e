package httpauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// TestForbiddenIsNotRefreshed: a 403 (the token is known, the scope is missing) comes
// back as is — no secret refresh, no new token, no replay — turn after turn; a 401
// still refreshes once.
func TestForbiddenIsNotRefreshed(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t, "s1")
	var denied atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		srv.Config.Handler.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /scoped", func(w http.ResponseWriter, r *http.Request) {
		denied.Add(1)
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"This app hasn't been granted all required scopes"}`)
	})
	api := httptest.NewServer(mux)
	t.Cleanup(api.Close)
	p := &rotating{cur: secrets.Secret{"client_id": "cid", "client_secret": "s1"}}
	m := httpauth.OAuth2(p, "hs", api.URL+"/services/oauth2/token", nil, api.Client())
	c := &httpauth.Client{HTTP: api.Client(), Auth: m}
	for i := 0; i < 5; i++ {
		if got := get(t, c, api.URL+"/scoped"); got != http.StatusForbidden {
			t.Fatalf("call %d: HTTP %d, want 403", i, got)
		}
	}
	if n := denied.Load(); n != 5 {
		t.Errorf("the tool saw %d requests for 5 calls: a 403 was replayed", n)
	}
	if p.refreshs != 0 {
		t.Errorf("%d uncached secret reads after 403s, want 0", p.refreshs)
	}
	if n := srv.tokens.Load(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}

	// Static header credentials: the same.
	pb := &rotating{cur: secrets.Secret{"token": "pat-123456789"}}
	cb := &httpauth.Client{HTTP: api.Client(), Auth: httpauth.Bearer(pb, "hs", "token")}
	for i := 0; i < 3; i++ {
		get(t, cb, api.URL+"/scoped")
	}
	if pb.refreshs != 0 {
		t.Errorf("bearer: %d secret refreshes after 403s, want 0", pb.refreshs)
	}
}

// TestHangingTokenEndpointHoldsNoGoroutinePerTurn: a token endpoint that accepts the
// connection and never answers. Every turn gives up at its own deadline; afterwards
// no goroutine is left waiting on the endpoint per turn (one fetch at a time, on the
// turn's context).
func TestHangingTokenEndpointHoldsNoGoroutinePerTurn(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int64
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); hang.Close() })
	p := &rotating{cur: secrets.Secret{"client_id": "cid", "client_secret": "s1"}}
	m := httpauth.OAuth2(p, "sf", hang.URL+"/token", nil, nil)
	c := &httpauth.Client{HTTP: hang.Client(), Auth: m}

	turns := func(n int) {
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hang.URL+"/api", nil)
				_, err := c.Do(req)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("turn against a hanging token endpoint: %v, want its deadline", err)
				}
			}()
		}
		wg.Wait()
	}
	turns(10)
	runtime.GC()
	base := runtime.NumGoroutine()
	turns(200)
	// Goroutines of cancelled requests end on their own; wait for the count to come
	// back (not for a time), giving up only if it never does: the 30 s is a hang
	// guard, not a bound.
	after := runtime.NumGoroutine()
	for i := 0; i < 3000 && after > base+20; i++ {
		time.Sleep(10 * time.Millisecond)
		after = runtime.NumGoroutine()
	}
	if after > base+20 {
		t.Fatalf("goroutines grew from %d to %d over 200 turns against a hanging token endpoint", base, after)
	}
	if hits.Load() == 0 {
		t.Fatal("the token endpoint was never called: the test proves nothing")
	}
}
