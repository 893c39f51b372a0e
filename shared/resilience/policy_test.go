package resilience_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/resilience/faultserver"
	"github.com/switchboard-dev/switchboard/shared/turntrace"
)

// httpTool is a minimal JSON client of a faultserver, classifying answers the way every
// connector does: 404 not found, 429 rate limited with Retry-After, 5xx and transport
// failures unavailable, an unreadable body invalid response.
type httpTool struct {
	url    string
	client *http.Client
}

type item struct {
	ID     string `json:"id"`
	Amount int64  `json:"amount"`
}

func (h httpTool) get(ctx context.Context, path string) (item, error) {
	return h.do(ctx, http.MethodGet, path)
}

func (h httpTool) do(ctx context.Context, method, path string) (item, error) {
	req, err := http.NewRequestWithContext(ctx, method, h.url+path, nil)
	if err != nil {
		return item{}, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return item{}, &connector.Error{Kind: connector.KindUnavailable, Tool: "fake", Op: "get", Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return item{}, &connector.Error{Kind: connector.KindUnavailable, Tool: "fake", Op: "get", Err: err}
	}
	e := &connector.Error{Tool: "fake", Op: "get", StatusCode: resp.StatusCode}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		e.Kind = connector.KindNotFound
		return item{}, e
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Kind = connector.KindRateLimited
		if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			e.RetryAfter = time.Duration(n) * time.Second
		}
		return item{}, e
	case resp.StatusCode >= 500:
		e.Kind = connector.KindUnavailable
		return item{}, e
	}
	var it item
	if err := json.Unmarshal(body, &it); err != nil {
		return item{}, connector.InvalidResponse("fake", "get", "body", err)
	}
	return it, nil
}

func healthy(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/missing" {
		http.Error(w, `{"error":{"type":"invalid_request_error","code":"resource_missing"}}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"id":"it_1","amount":2000}`)
}

func newTool(t *testing.T) (*faultserver.Server, httpTool) {
	t.Helper()
	srv := faultserver.New(http.HandlerFunc(healthy))
	t.Cleanup(srv.Close)
	return srv, httpTool{url: srv.URL, client: &http.Client{}}
}

// bubbleTool is a client of srv for a test in a synctest bubble: it serves each request
// with srv's handler in the calling goroutine, without a socket (a goroutine waiting on
// the network is not durably blocked, so the bubble's clock would not move; one
// waiting on the handler's timer is). Time in the bubble is fake, so a test can say
// exactly how long a wait was. Faults that need a connection (Down) are not served.
func bubbleTool(srv *faultserver.Server) httpTool {
	return httpTool{url: "http://fake.invalid", client: &http.Client{Transport: handlerTransport{srv.Config.Handler}}}
}

type handlerTransport struct{ h http.Handler }

func (tr handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.RequestURI, in.RemoteAddr = req.URL.RequestURI(), "192.0.2.1:49152"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	tr.h.ServeHTTP(rec, in)
	if err := req.Context().Err(); err != nil {
		return nil, err // as a transport does when the request's context ends first
	}
	return rec.Result(), nil
}

// settings are effective settings with everything permissive, for tests to tighten.
func settings() resilience.Settings {
	return resilience.Settings{
		MaxAttempts: 1, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond,
		BreakerFailures: 1000, BreakerMinRequests: 1000, BreakerWindow: time.Minute, BreakerFailureRate: 0.5,
		BreakerOpenFor: time.Minute, BreakerProbes: 1,
		Rate: -1, Burst: 1, MaxInFlight: -1, QueueWait: 50 * time.Millisecond,
	}
}

var read = resilience.Op{Name: "get", Idempotent: true}

func call(ctx context.Context, p *resilience.Policy, tool httpTool, path string) error {
	_, err := resilience.Do(ctx, p, read, func(ctx context.Context) (item, error) { return tool.get(ctx, path) })
	return err
}

type recorder struct {
	mu      sync.Mutex
	changes []string
	calls   []resilience.CallInfo
}

func (r *recorder) OnCall(_ context.Context, info resilience.CallInfo) {
	r.mu.Lock()
	r.calls = append(r.calls, info)
	r.mu.Unlock()
}

func (r *recorder) OnBreakerChange(tool string, from, to resilience.BreakerState) {
	r.mu.Lock()
	r.changes = append(r.changes, from.String()+"->"+to.String())
	r.mu.Unlock()
}

func (r *recorder) transitions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.changes...)
}

func TestBreakerOpensAfterConsecutiveFailures(t *testing.T) {
	t.Parallel()
	for _, fault := range []faultserver.Fault{faultserver.ServerError, faultserver.Down, faultserver.Malformed} {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel()
			srv, tool := newTool(t)
			srv.Set(fault)
			s := settings()
			s.BreakerFailures = 3
			rec := &recorder{}
			p := resilience.NewPolicy("fake", s, resilience.Options{Observer: rec})
			ctx := context.Background()
			for i := 0; i < 3; i++ {
				if err := call(ctx, p, tool, "/x"); err == nil {
					t.Fatalf("call %d succeeded against %s", i, fault)
				}
			}
			if got := p.State(); got != resilience.BreakerOpen {
				t.Fatalf("state after 3 failures = %s, want open", got)
			}
			err := call(ctx, p, tool, "/x")
			if !errors.Is(err, resilience.ErrBreakerOpen) || !errors.Is(err, connector.ErrUnavailable) {
				t.Fatalf("4th call = %v, want breaker open (unavailable)", err)
			}
			if srv.Hits() != 3 {
				t.Fatalf("server hits = %d, want 3: an open breaker must not reach the tool", srv.Hits())
			}
			st := p.Stats()
			if st.BreakerOpens != 1 || st.BreakerRejections != 1 || st.Calls != 3 || st.Failures != 3 {
				t.Errorf("stats = %+v", st)
			}
			if got := rec.transitions(); len(got) != 1 || got[0] != "closed->open" {
				t.Errorf("observed transitions %v, want [closed->open]", got)
			}
		})
	}
}

func TestAnswersThatProveTheToolIsUpDoNotTripTheBreaker(t *testing.T) {
	t.Parallel()
	_, tool := newTool(t)
	s := settings()
	s.BreakerFailures = 2
	p := resilience.NewPolicy("fake", s, resilience.Options{})
	for i := 0; i < 10; i++ {
		if err := call(context.Background(), p, tool, "/missing"); !errors.Is(err, connector.ErrNotFound) {
			t.Fatalf("call %d = %v, want not found", i, err)
		}
	}
	if st := p.Stats(); st.Breaker != resilience.BreakerClosed || st.Failures != 0 || st.Calls != 10 {
		t.Fatalf("stats = %+v, want closed with no failures", st)
	}
}

func TestBreakerOpensOnFailureRate(t *testing.T) {
	t.Parallel()
	srv, tool := newTool(t)
	s := settings()
	s.BreakerFailures = 100 // never reached: failures alternate with successes
	s.BreakerMinRequests = 10
	s.BreakerFailureRate = 0.5
	p := resilience.NewPolicy("fake", s, resilience.Options{})
	for i := 0; i < 9; i++ {
		if i%2 == 0 {
			srv.Next(faultserver.ServerError)
		}
		_ = call(context.Background(), p, tool, "/x")
		if st := p.State(); st != resilience.BreakerClosed {
			t.Fatalf("opened after %d calls (below min requests)", i+1)
		}
	}
	// 9 calls, 5 failures so far; the 10th succeeds: 5/10 = 50% after the minimum.
	srv.Next(faultserver.ServerError)
	_ = call(context.Background(), p, tool, "/x")
	if st := p.Stats(); st.Breaker != resilience.BreakerOpen || st.Failures != 6 {
		t.Fatalf("stats after 10 calls = %+v, want open at 6/10 failed", st)
	}
}

// TestHalfOpenProbe runs in a synctest bubble (bubbleTool): the open time runs out on
// the fake clock exactly when it should, and no check can see it run out early
// because the machine was slow.
func TestHalfOpenProbe(t *testing.T) {
	t.Parallel()
	srv, _ := newTool(t)
	synctest.Test(t, func(t *testing.T) {
		tool := bubbleTool(srv)
		s := settings()
		s.BreakerFailures = 2
		s.BreakerOpenFor = 500 * time.Millisecond
		rec := &recorder{}
		p := resilience.NewPolicy("fake", s, resilience.Options{Observer: rec})
		ctx := context.Background()
		srv.Set(faultserver.ServerError)
		_ = call(ctx, p, tool, "/x")
		_ = call(ctx, p, tool, "/x")
		if p.State() != resilience.BreakerOpen {
			t.Fatal("breaker did not open")
		}
		// Open for the open time, half-open after it.
		time.Sleep(s.BreakerOpenFor - time.Millisecond)
		if p.State() != resilience.BreakerOpen {
			t.Fatalf("state a millisecond before the open time ends = %s, want open", p.State())
		}
		time.Sleep(2 * time.Millisecond)
		if p.State() != resilience.BreakerHalfOpen {
			t.Fatalf("state after open time = %s, want half_open", p.State())
		}

		// A failed probe re-opens the breaker at once.
		if err := call(ctx, p, tool, "/x"); errors.Is(err, resilience.ErrBreakerOpen) || err == nil {
			t.Fatalf("probe = %v, want the tool's own failure", err)
		}
		if p.State() != resilience.BreakerOpen {
			t.Fatalf("state after failed probe = %s, want open", p.State())
		}

		// Only one probe at a time: a slow probe holds the slot, a concurrent call is refused.
		time.Sleep(s.BreakerOpenFor + time.Millisecond)
		srv.Set(faultserver.Slow)
		srv.SetDelay(time.Second)
		probeDone := make(chan error, 1)
		go func() { probeDone <- call(ctx, p, tool, "/x") }()
		synctest.Wait() // the probe is at the tool, waiting for its answer
		if n := p.Stats().InFlight; n != 1 {
			t.Fatalf("%d calls in flight, want the probe", n)
		}
		if err := call(ctx, p, tool, "/x"); !errors.Is(err, resilience.ErrBreakerOpen) {
			t.Fatalf("call during the probe = %v, want refused", err)
		}
		if err := <-probeDone; err != nil {
			t.Fatalf("probe = %v, want success", err)
		}
		if p.State() != resilience.BreakerClosed {
			t.Fatalf("state after successful probe = %s, want closed", p.State())
		}
		want := []string{"closed->open", "open->half_open", "half_open->open", "open->half_open", "half_open->closed"}
		if got := rec.transitions(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("transitions %v, want %v", got, want)
		}
	})
}

// TestRateLimiterWaitsWithinBudgetAndRefusesBeyondIt runs in a synctest bubble: the
// calls take no time on its clock, so the wait for the next token is exactly the
// limiter's, and a refusal that did not wait took no time at all.
func TestRateLimiterWaitsWithinBudgetAndRefusesBeyondIt(t *testing.T) {
	t.Parallel()
	srv, _ := newTool(t)
	synctest.Test(t, func(t *testing.T) {
		tool := bubbleTool(srv)
		s := settings()
		s.Rate = 10 // one token every 100ms
		s.Burst = 2
		p := resilience.NewPolicy("fake", s, resilience.Options{})
		ctx := context.Background()
		// Two calls use the burst; the third waits 100ms for the next token.
		start := time.Now()
		for i := 0; i < 3; i++ {
			if err := call(ctx, p, tool, "/x"); err != nil {
				t.Fatal(err)
			}
		}
		if took := time.Since(start); took != 100*time.Millisecond {
			t.Fatalf("three calls took %s, want the third to wait 100ms for the next token", took)
		}
		st := p.Stats()
		if st.LimiterWaits != 1 || st.LimiterRejections != 0 || srv.Hits() != 3 || st.Breaker != resilience.BreakerClosed {
			t.Fatalf("stats = %+v hits %d", st, srv.Hits())
		}

		// A turn whose budget cannot cover the wait for the next token is refused at
		// once, not after waiting (part of) it: the next token is a minute away, the
		// budget 5s.
		s.Rate = 1.0 / 60
		s.Burst = 1
		p = resilience.NewPolicy("fake", s, resilience.Options{})
		if err := call(ctx, p, tool, "/x"); err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		start = time.Now()
		err := call(short, p, tool, "/x")
		if !errors.Is(err, resilience.ErrLimited) || !errors.Is(err, connector.ErrRateLimited) || connector.RetryAfterOf(err) <= 5*time.Second {
			t.Fatalf("call over budget = %v, want local rate limit with the wait for the next token", err)
		}
		if took := time.Since(start); took != 0 {
			t.Fatalf("refusal came after %s: the policy waited instead of refusing", took)
		}
		st = p.Stats()
		if st.LimiterWaits != 0 || st.LimiterRejections != 1 || srv.Hits() != 4 || st.Breaker != resilience.BreakerClosed {
			t.Fatalf("stats = %+v hits %d", st, srv.Hits())
		}
	})
}

// TestBulkheadBoundsCallsInFlight runs in a synctest bubble: synctest.Wait says when
// both calls hold their slots, and the third call's queue wait is measured exactly.
func TestBulkheadBoundsCallsInFlight(t *testing.T) {
	t.Parallel()
	srv, _ := newTool(t)
	synctest.Test(t, func(t *testing.T) {
		tool := bubbleTool(srv)
		srv.Set(faultserver.Slow)
		// The two calls filling the bulkhead hang (the stand-in answers after a minute)
		// until the test cancels them.
		srv.SetDelay(time.Minute)
		s := settings()
		s.MaxInFlight = 2
		s.QueueWait = 30 * time.Millisecond
		p := resilience.NewPolicy("fake", s, resilience.Options{})
		ctx := context.Background()
		hangCtx, release := context.WithCancel(ctx)
		defer release()
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); _ = call(hangCtx, p, tool, "/x") }()
		}
		synctest.Wait()
		if n := p.Stats().InFlight; n != 2 {
			t.Fatalf("%d calls in flight, want 2", n)
		}
		start := time.Now()
		err := call(ctx, p, tool, "/x")
		took := time.Since(start)
		if !errors.Is(err, resilience.ErrBulkheadFull) || !errors.Is(err, connector.ErrUnavailable) {
			t.Fatalf("third call = %v, want bulkhead full", err)
		}
		if took != s.QueueWait {
			t.Fatalf("refusal after %s, want it after the %s queue wait", took, s.QueueWait)
		}
		release()
		wg.Wait()
		st := p.Stats()
		if st.BulkheadRejections != 1 || srv.Hits() != 2 || st.InFlight != 0 || st.Breaker != resilience.BreakerClosed {
			t.Fatalf("stats = %+v hits %d", st, srv.Hits())
		}
	})
}

// TestRetryHonoursRetryAfter runs in a synctest bubble: the retry comes exactly the
// tool's Retry-After later, on the fake clock.
func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv, _ := newTool(t)
	synctest.Test(t, func(t *testing.T) {
		tool := bubbleTool(srv)
		s := settings()
		s.MaxAttempts = 3
		p := resilience.NewPolicy("fake", s, resilience.Options{})
		srv.SetRetryAfter(1)
		srv.Next(faultserver.RateLimited)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		start := time.Now()
		if err := call(ctx, p, tool, "/x"); err != nil {
			t.Fatalf("call = %v, want success after the Retry-After", err)
		}
		if took := time.Since(start); took != time.Second {
			t.Fatalf("retried after %s, want after the 1s Retry-After", took)
		}
		if st := p.Stats(); st.Retries != 1 || srv.Hits() != 2 {
			t.Fatalf("stats = %+v hits %d, want 1 retry", st, srv.Hits())
		}
	})
}

func TestRetryAfterPastTheBudgetFailsAtOnceAndCoolsOtherCalls(t *testing.T) {
	t.Parallel()
	srv, tool := newTool(t)
	s := settings()
	s.MaxAttempts = 3
	p := resilience.NewPolicy("fake", s, resilience.Options{})
	// Retry-After a minute, budget 5s: a policy that waited for the retry would return
	// only when the budget ran out, so an unspent budget at the answer shows it did not.
	srv.SetRetryAfter(60)
	srv.Next(faultserver.RateLimited)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := call(ctx, p, tool, "/x")
	if !errors.Is(err, connector.ErrRateLimited) || connector.RetryAfterOf(err) != time.Minute {
		t.Fatalf("call = %v, want the tool's 429 with its Retry-After", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("answered after the budget ran out (%v): waited for a retry that could not fit it", ctx.Err())
	}
	// The next turn, also short, does not provoke another 429: it is refused locally.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if err := call(ctx2, p, tool, "/x"); !errors.Is(err, resilience.ErrLimited) {
		t.Fatalf("call during cool-down = %v, want a local refusal", err)
	}
	if srv.Hits() != 1 {
		t.Fatalf("hits = %d, want 1", srv.Hits())
	}
	if st := p.Stats(); st.LimiterRejections != 1 || st.Retries != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestRetriesA5xxBurst(t *testing.T) {
	t.Parallel()
	srv, tool := newTool(t)
	s := settings()
	s.MaxAttempts = 3
	p := resilience.NewPolicy("fake", s, resilience.Options{})
	srv.Next(faultserver.ServerError, faultserver.RateLimited)
	srv.SetRetryAfter(0)
	if err := call(context.Background(), p, tool, "/x"); err != nil {
		t.Fatalf("call = %v, want success on the third attempt", err)
	}
	if st := p.Stats(); st.Retries != 2 || st.Calls != 3 || srv.Hits() != 3 {
		t.Fatalf("stats = %+v hits %d", st, srv.Hits())
	}
	// Attempts are bounded: a longer burst fails after MaxAttempts.
	srv.Next(faultserver.ServerError, faultserver.ServerError, faultserver.ServerError, faultserver.ServerError)
	if err := call(context.Background(), p, tool, "/x"); !errors.Is(err, connector.ErrUnavailable) {
		t.Fatalf("call = %v, want unavailable", err)
	}
	if srv.Hits() != 6 {
		t.Fatalf("hits = %d, want 6", srv.Hits())
	}
}

// TestNeverSleepsPastTheBudget runs in a synctest bubble: the backoffs are far longer
// than the budget, and on the fake clock a call must end within the budget itself.
func TestNeverSleepsPastTheBudget(t *testing.T) {
	t.Parallel()
	srv, _ := newTool(t)
	synctest.Test(t, func(t *testing.T) {
		tool := bubbleTool(srv)
		srv.Set(faultserver.ServerError)
		s := settings()
		s.MaxAttempts = 50
		s.BackoffBase = 4 * time.Second
		s.BackoffMax = 20 * time.Second
		p := resilience.NewPolicy("fake", s, resilience.Options{})
		const budget = 150 * time.Millisecond
		for i := 0; i < 3; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), budget)
			start := time.Now()
			err := call(ctx, p, tool, "/x")
			took := time.Since(start)
			cancel()
			if err == nil {
				t.Fatal("succeeded against a failing tool")
			}
			if took > budget {
				t.Fatalf("run %d took %s with a %s budget: it slept past the budget", i, took, budget)
			}
		}
		// A hanging tool is cut off by the budget and reported as a timeout.
		srv.Set(faultserver.Slow)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := call(ctx, p, tool, "/x")
		if took := time.Since(start); took != 100*time.Millisecond {
			t.Fatalf("hanging tool held the call for %s, want the 100ms budget", took)
		}
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != connector.KindUnavailable || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want unavailable wrapping the deadline", err)
		}
	})
}

func TestNonIdempotentCallsAreNotRetried(t *testing.T) {
	t.Parallel()
	srv, tool := newTool(t)
	s := settings()
	s.MaxAttempts = 5
	p := resilience.NewPolicy("fake", s, resilience.Options{})
	srv.Next(faultserver.ServerError)
	_, err := resilience.Do(context.Background(), p, resilience.Op{Name: "post"}, func(ctx context.Context) (item, error) {
		return tool.do(ctx, http.MethodPost, "/x")
	})
	if !errors.Is(err, connector.ErrUnavailable) || srv.Hits() != 1 {
		t.Fatalf("err %v after %d hits, want one attempt", err, srv.Hits())
	}
}

func TestObserverSeesEveryAttempt(t *testing.T) {
	t.Parallel()
	srv, tool := newTool(t)
	s := settings()
	s.MaxAttempts = 3
	rec := &recorder{}
	p := resilience.NewPolicy("fake", s, resilience.Options{Observer: rec})
	srv.Next(faultserver.ServerError)
	if err := call(context.Background(), p, tool, "/x"); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.calls) != 2 || rec.calls[0].Attempt != 1 || rec.calls[0].Err == nil || rec.calls[1].Attempt != 2 || rec.calls[1].Err != nil {
		t.Fatalf("calls = %+v", rec.calls)
	}
}

func TestBudget(t *testing.T) {
	t.Parallel()
	now := time.Now()
	tests := []struct {
		name     string
		parent   time.Duration // 0: no parent deadline
		deadline time.Duration // 0: zero deadline
		margin   time.Duration
		want     time.Duration // 0: no deadline
	}{
		{"platform deadline minus margin", 0, 5 * time.Second, 300 * time.Millisecond, 4700 * time.Millisecond},
		{"earlier parent wins", 2 * time.Second, 5 * time.Second, 300 * time.Millisecond, 1700 * time.Millisecond},
		{"earlier platform wins", 10 * time.Second, 5 * time.Second, 300 * time.Millisecond, 4700 * time.Millisecond},
		{"parent only", 3 * time.Second, 0, 300 * time.Millisecond, 2700 * time.Millisecond},
		{"neither", 0, 0, 300 * time.Millisecond, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.parent > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, now.Add(tc.parent))
				defer cancel()
			}
			var dl time.Time
			if tc.deadline > 0 {
				dl = now.Add(tc.deadline)
			}
			bctx, cancel := resilience.Budget(ctx, dl, tc.margin)
			defer cancel()
			got, ok := bctx.Deadline()
			if tc.want == 0 {
				if ok {
					t.Fatalf("deadline %v, want none", got)
				}
				return
			}
			if !ok || !got.Equal(now.Add(tc.want)) {
				t.Fatalf("deadline %v (ok %v), want now+%s", got.Sub(now), ok, tc.want)
			}
		})
	}
}

func TestParallelSharesOneBudgetAndSurvivesPanics(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	budget, _ := ctx.Deadline()
	// Every function must get the caller's budget: the same deadline, and the same
	// cancellation (the first one ends only when the caller's context does).
	var deadlines [3]time.Time
	var fast atomic.Bool
	errs := resilience.Parallel(ctx,
		func(c context.Context) error { deadlines[0], _ = c.Deadline(); <-c.Done(); return c.Err() },
		func(c context.Context) error { deadlines[1], _ = c.Deadline(); fast.Store(true); return nil },
		func(c context.Context) error { deadlines[2], _ = c.Deadline(); panic("connector bug") },
	)
	for i, d := range deadlines {
		if !d.Equal(budget) {
			t.Errorf("function %d had deadline %v, want the caller's %v", i, d, budget)
		}
	}
	if ctx.Err() == nil {
		t.Error("Parallel returned before the caller's budget ended, though one function waits for it")
	}
	var pe *resilience.PanicError
	if !errors.Is(errs[0], context.DeadlineExceeded) || errs[1] != nil || !fast.Load() || !errors.As(errs[2], &pe) {
		t.Fatalf("errs = %v", errs)
	}
}

func TestTroubleCollectsOnlyTransientFailures(t *testing.T) {
	t.Parallel()
	srv, tool := newTool(t)
	p := resilience.NewPolicy("fake", settings(), resilience.Options{})
	ctx, tr := resilience.WithTrouble(context.Background())
	_ = call(ctx, p, tool, "/missing")
	if _, any := tr.Any(); any {
		t.Fatal("not found counted as trouble")
	}
	srv.Next(faultserver.ServerError)
	_ = call(ctx, p, tool, "/x")
	if err, any := tr.Any(); !any || !errors.Is(err, connector.ErrUnavailable) {
		t.Fatalf("trouble = %v %v, want the 503", err, any)
	}
}

// BenchmarkOpenBreakerRefusal is the cost of a call refused by an open breaker.
func BenchmarkOpenBreakerRefusal(b *testing.B) {
	s := settings()
	s.BreakerFailures = 1
	s.BreakerOpenFor = time.Hour
	p := resilience.NewPolicy("fake", s, resilience.Options{})
	fail := func(context.Context) (item, error) {
		return item{}, &connector.Error{Kind: connector.KindUnavailable, Tool: "fake"}
	}
	_, _ = resilience.Do(context.Background(), p, read, fail)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := resilience.Do(ctx, p, read, fail); !errors.Is(err, resilience.ErrBreakerOpen) {
			b.Fatal(err)
		}
	}
}

// A turn asked to be traced (the console) sees every attempt: its duration, number,
// result and the breaker's state after it.
func TestAttemptsAreTraced(t *testing.T) {
	t.Parallel()
	srv, tool := newTool(t)
	s := settings()
	s.MaxAttempts = 3
	p := resilience.NewPolicy("fake", s, resilience.Options{})
	srv.Next(faultserver.ServerError)
	rec := turntrace.New()
	if err := call(turntrace.With(context.Background(), rec), p, tool, "/x"); err != nil {
		t.Fatal(err)
	}
	ev := rec.Events()
	if len(ev) != 2 {
		t.Fatalf("events %+v", ev)
	}
	for i, want := range []string{"unavailable", "ok"} {
		e := ev[i]
		if e.Kind != turntrace.KindTool || e.Name != "fake.get" || e.Detail["attempt"] != strconv.Itoa(i+1) ||
			e.Detail["result"] != want || e.Detail["breaker"] != "closed" || e.DurationMS <= 0 {
			t.Errorf("attempt %d: %+v", i+1, e)
		}
	}
}

// TestParallelSingleCallInline: a single call runs on the caller's goroutine (no
// goroutine, no wake-up); with real fan-out only the others get goroutines of their
// own. A function's stack shows which goroutine ran it.
func TestParallelSingleCallInline(t *testing.T) {
	onCaller := func(ran *bool) func(context.Context) error {
		return func(context.Context) error {
			buf := make([]byte, 64<<10)
			*ran = strings.Contains(string(buf[:runtime.Stack(buf, false)]), "TestParallelSingleCallInline(")
			return nil
		}
	}
	var one bool
	resilience.Parallel(context.Background(), onCaller(&one))
	if !one {
		t.Error("a single call ran on another goroutine")
	}
	var first, last bool
	resilience.Parallel(context.Background(), onCaller(&first), onCaller(&last))
	if first || !last {
		t.Errorf("fan-out of two: first on the caller %v (want false), last %v (want true)", first, last)
	}
}
