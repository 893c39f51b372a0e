package resilience_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// countingServer answers 204 to everything and counts what it received.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// send makes the requests of one connector call, in order, through a gated client,
// stopping at the first error.
func send(hc *http.Client, url string, methods ...string) func(context.Context) (struct{}, error) {
	return func(ctx context.Context) (struct{}, error) {
		for _, m := range methods {
			var body io.Reader
			if m != http.MethodGet {
				body = strings.NewReader("{}")
			}
			req, err := http.NewRequestWithContext(ctx, m, url, body)
			if err != nil {
				return struct{}{}, err
			}
			resp, err := hc.Do(req)
			if err != nil {
				return struct{}{}, err
			}
			resp.Body.Close()
		}
		return struct{}{}, nil
	}
}

func tokenPolicy(rate float64, burst int) *resilience.Policy {
	return resilience.NewPolicy("tool", resilience.Settings{
		MaxAttempts: 3, BreakerFailures: 1, BreakerMinRequests: 100, BreakerWindow: time.Minute,
		BreakerOpenFor: time.Minute, BreakerProbes: 1, Rate: rate, Burst: burst,
	}, resilience.Options{})
}

// Each request of a call spends a token. A later request that cannot have one within
// the budget is refused unsent; the refusal is the limiter's (not retried, not a
// failure for the breaker, which opens at the first failure here), and it starts no
// Retry-After cool-down: the next call is refused by the bucket, not by a cool-down.
func TestLimiterSpendsATokenPerRequestOfACall(t *testing.T) {
	t.Parallel()
	srv, got := countingServer(t)
	hc := connector.GatedClient(srv.Client())
	p := tokenPolicy(1.0/3600, 2) // two tokens, the next an hour away
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err := resilience.Do(ctx, p, resilience.Op{Name: "read", Idempotent: true}, send(hc, srv.URL, "GET", "GET", "GET"))
	var ce *connector.Error
	if !errors.Is(err, resilience.ErrLimited) || !errors.As(err, &ce) || ce.Code != "local_rate_limit" || ce.RetryAfter <= 10*time.Second {
		t.Fatalf("err = %#v, want the limiter's refusal with the wait it would need", err)
	}
	if n := got.Load(); n != 2 {
		t.Fatalf("the tool received %d requests, want 2: the third was refused unsent", n)
	}
	st := p.Stats()
	if st.Calls != 1 || st.Retries != 0 || st.LimiterRejections != 1 || st.Failures != 0 || st.Breaker != resilience.BreakerClosed {
		t.Fatalf("stats = %+v; want one call, no retry, one rejection, no failure, breaker closed", st)
	}
	_, err = resilience.Do(ctx, p, resilience.Op{Name: "read", Idempotent: true}, send(hc, srv.URL, "GET"))
	if !errors.As(err, &ce) || ce.Code != "local_rate_limit" {
		t.Fatalf("next call: err = %v, want a refusal by the bucket (no cool-down)", err)
	}
	if n := got.Load(); n != 2 {
		t.Fatalf("the tool received %d requests, want 2", n)
	}
	// Without a policy's gate (a call made outside Do) nothing is limited.
	if _, err := send(hc, srv.URL, "GET", "GET")(ctx); err != nil || got.Load() != 4 {
		t.Fatalf("ungated requests: %v, %d received", err, got.Load())
	}
}

// A write's requests after its first non-GET one are never refused: they go on
// credit (the change may have been made; its read-back must not be lost). A read's
// are refused.
func TestWriteRequestsAfterTheWriteGoOnCredit(t *testing.T) {
	t.Parallel()
	srv, got := countingServer(t)
	hc := connector.GatedClient(srv.Client())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	p := tokenPolicy(1e-9, 1)
	if _, err := resilience.Do(ctx, p, resilience.Op{Name: "update", Write: true}, send(hc, srv.URL, "PATCH", "GET")); err != nil {
		t.Fatalf("write then read-back with one token: %v", err)
	}
	if n := got.Load(); n != 2 {
		t.Fatalf("%d requests received, want 2", n)
	}
	// A write refused before its write request: nothing written.
	p = tokenPolicy(1e-9, 1)
	_, err := resilience.Do(ctx, p, resilience.Op{Name: "create", Write: true}, send(hc, srv.URL, "GET", "POST"))
	if !errors.Is(err, resilience.ErrLimited) || got.Load() != 3 {
		t.Fatalf("lookup then create with one token: %v, %d received; want the create refused unsent", err, got.Load())
	}
	p = tokenPolicy(1e-9, 1)
	_, err = resilience.Do(ctx, p, resilience.Op{Name: "read", Idempotent: true}, send(hc, srv.URL, "POST", "GET"))
	if !errors.Is(err, resilience.ErrLimited) || got.Load() != 4 {
		t.Fatalf("a read's second request with one token: %v, %d received; want it refused", err, got.Load())
	}
}

// BenchmarkDoLimitedCall is the policy's cost for one successful call with a limiter
// and no HTTP request (the demo backend's case): the gate added to the context.
func BenchmarkDoLimitedCall(b *testing.B) {
	p := resilience.NewPolicy("tool", resilience.Settings{
		MaxAttempts: 1, BreakerFailures: 5, BreakerMinRequests: 100, BreakerWindow: time.Minute,
		BreakerOpenFor: time.Minute, BreakerProbes: 1, Rate: 1e12, Burst: 1 << 30,
	}, resilience.Options{})
	ctx := context.Background()
	op := resilience.Op{Name: "read", Idempotent: true}
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := resilience.Do(ctx, p, op, fn); err != nil {
			b.Fatal(err)
		}
	}
}
