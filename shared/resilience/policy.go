package resilience

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/turntrace"
)

// Options configure a Policy beyond its tool settings. The zero value is the default.
type Options struct {
	// Observer receives every attempt and breaker change (none when nil).
	Observer Observer
	// Logger logs breaker changes (discarded when nil).
	Logger *slog.Logger
}

// Op names one operation of a tool and says whether repeating it is safe.
type Op struct {
	Name string
	// Idempotent: a read, or a write carrying an idempotency key the tool honours.
	// Only idempotent operations are retried.
	Idempotent bool
	// Write: the operation changes the tool's data. Once one of its requests other
	// than GET or HEAD has been sent, its later requests (reading the write back,
	// looking up a create whose answer was lost) are never refused by the rate
	// limiter: when their wait would outlast the budget they go at once and take
	// their tokens on credit, which later calls wait off. Refusing them would turn a
	// change that was made into one reported as not made.
	Write bool
}

// Policy is the resilience policy of one business tool. One Policy is shared by every
// connector call to that tool in the process; it is safe for concurrent use.
type Policy struct {
	tool    string
	s       Settings
	obs     Observer
	log     *slog.Logger
	breaker *gobreaker.TwoStepCircuitBreaker[struct{}]
	limiter *rate.Limiter       // nil: unlimited
	sem     *semaphore.Weighted // nil: unlimited

	// coolUntil (unix nanoseconds) is when the tool's last Retry-After ends: until then
	// calls wait (within budget) or fail fast instead of provoking more 429s.
	coolUntil atomic.Int64

	calls, failures, retries                               atomic.Int64
	limiterWaits, limiterRejections                        atomic.Int64
	bulkheadRejections, breakerRejections, opens, inFlight atomic.Int64

	evMu   sync.Mutex
	events []breakerEvent
}

type breakerEvent struct{ from, to BreakerState }

// Settings are one business tool's effective policy (the fields of the configuration's
// resilience.<tool> section after Load, which the composition root converts). Zero
// counts and durations are not defaults here: a Settings must be complete; for Rate
// and MaxInFlight a value <= 0 means unlimited.
type Settings struct {
	// MaxAttempts counts the first call: 1 disables retries.
	MaxAttempts int
	// BackoffBase and BackoffMax bound the exponential backoff with full jitter. A
	// Retry-After from the tool replaces the computed wait.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// RetryWrites allows retrying writes that carry an idempotency key the tool honours.
	RetryWrites bool

	// The breaker opens after BreakerFailures consecutive failures, or when at least
	// BreakerMinRequests calls in the rolling BreakerWindow failed at BreakerFailureRate
	// or more; it stays open for BreakerOpenFor, then lets BreakerProbes calls through.
	BreakerFailures    int
	BreakerMinRequests int
	BreakerWindow      time.Duration
	BreakerFailureRate float64
	BreakerOpenFor     time.Duration
	BreakerProbes      int

	// Rate (requests per second) and Burst size the token bucket (per process). One
	// token is spent per HTTP request sent to the tool, not per connector call: a
	// call that searches and then reads spends two (connector.RequestGate).
	Rate  float64
	Burst int
	// MaxInFlight bounds concurrent calls; QueueWait is how long a call waits for a slot
	// before failing fast.
	MaxInFlight int
	QueueWait   time.Duration
}

// NewPolicy builds the policy of tool from its effective settings.
func NewPolicy(tool string, s Settings, o Options) *Policy {
	p := &Policy{tool: tool, s: s, obs: o.Observer, log: o.Logger}
	if p.obs == nil {
		p.obs = nopObserver{}
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if s.MaxAttempts < 1 {
		p.s.MaxAttempts = 1
	}
	window := s.BreakerWindow
	if window <= 0 {
		window = time.Minute
	}
	failures, minReq, rateThreshold := uint32(max(s.BreakerFailures, 1)), uint32(max(s.BreakerMinRequests, 1)), s.BreakerFailureRate
	p.breaker = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         tool,
		MaxRequests:  uint32(max(s.BreakerProbes, 1)),
		Interval:     window,
		BucketPeriod: window / 10,
		Timeout:      s.BreakerOpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			if c.ConsecutiveFailures >= failures {
				return true
			}
			counted := c.TotalFailures + c.TotalSuccesses
			return rateThreshold > 0 && counted >= minReq && float64(c.TotalFailures) >= rateThreshold*float64(counted)
		},
		IsSuccessful: healthy,
		IsExcluded: func(err error) bool {
			// ErrLimited: the limiter refused a later request of the call, which says
			// nothing about the tool's health.
			return errors.Is(err, errNotAttempted) || errors.Is(err, ErrLimited) || errors.Is(err, context.Canceled)
		},
		// Called with the breaker's lock held: only record here, and deliver in flush.
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				p.opens.Add(1)
			}
			p.evMu.Lock()
			p.events = append(p.events, breakerEvent{state(from), state(to)})
			p.evMu.Unlock()
		},
	})
	if s.Rate > 0 {
		p.limiter = rate.NewLimiter(rate.Limit(s.Rate), max(s.Burst, 1))
	}
	if s.MaxInFlight > 0 {
		p.sem = semaphore.NewWeighted(int64(s.MaxInFlight))
	}
	return p
}

func state(s gobreaker.State) BreakerState {
	switch s {
	case gobreaker.StateOpen:
		return BreakerOpen
	case gobreaker.StateHalfOpen:
		return BreakerHalfOpen
	}
	return BreakerClosed
}

// Tool is the tool this policy guards.
func (p *Policy) Tool() string { return p.tool }

// Settings are the policy's effective settings.
func (p *Policy) Settings() Settings { return p.s }

// State is the breaker's current state (an open breaker whose open time has passed
// reports half-open).
func (p *Policy) State() BreakerState {
	s := state(p.breaker.State())
	p.flush()
	return s
}

// Stats is a snapshot of a policy's counters, for tests and metrics.
type Stats struct {
	Tool    string
	Breaker BreakerState
	// BreakerOpens counts transitions to open.
	BreakerOpens int64
	// Calls counts attempts that reached the tool; Failures those that failed in a way
	// that counts against the breaker; Retries the extra attempts made.
	Calls, Failures, Retries int64
	// LimiterWaits counts calls, and later requests of a call, that waited for a
	// token; LimiterRejections those refused because the wait (or the tool's
	// Retry-After) exceeded the budget.
	LimiterWaits, LimiterRejections int64
	// BulkheadRejections and BreakerRejections count calls refused without reaching
	// the tool.
	BulkheadRejections, BreakerRejections int64
	// InFlight is the number of calls to the tool right now.
	InFlight int64
}

// Stats returns a snapshot of the counters.
func (p *Policy) Stats() Stats {
	return Stats{
		Tool: p.tool, Breaker: p.State(), BreakerOpens: p.opens.Load(),
		Calls: p.calls.Load(), Failures: p.failures.Load(), Retries: p.retries.Load(),
		LimiterWaits: p.limiterWaits.Load(), LimiterRejections: p.limiterRejections.Load(),
		BulkheadRejections: p.bulkheadRejections.Load(), BreakerRejections: p.breakerRejections.Load(),
		InFlight: p.inFlight.Load(),
	}
}

// flush delivers breaker changes recorded under the breaker's lock.
func (p *Policy) flush() {
	p.evMu.Lock()
	evs := p.events
	p.events = nil
	p.evMu.Unlock()
	for _, e := range evs {
		level := slog.LevelInfo
		if e.to == BreakerOpen {
			level = slog.LevelWarn
		}
		p.log.LogAttrs(context.Background(), level, "circuit breaker state change",
			slog.String("tool", p.tool), slog.String("from", e.from.String()), slog.String("to", e.to.String()))
		p.obs.OnBreakerChange(p.tool, e.from, e.to)
	}
}

// Do runs fn under p: each attempt passes the bulkhead, the breaker and the rate
// limiter, gets what is left of ctx's budget, and is retried (when op is idempotent and
// the failure is transient) after a full-jitter backoff or the tool's Retry-After —
// never when the wait would outlast the budget. The error is the last attempt's, typed
// as a *connector.Error.
func Do[T any](ctx context.Context, p *Policy, op Op, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	for attempt := 1; ; attempt++ {
		var v T
		start := time.Now()
		err := p.attempt(ctx, op, func(ctx context.Context) error {
			var err error
			v, err = fn(ctx)
			return err
		})
		lat := time.Since(start)
		p.obs.OnCall(ctx, CallInfo{Tool: p.tool, Op: op.Name, Attempt: attempt, Latency: lat, Err: err, BreakerState: p.State()})
		traceCall(ctx, p, op.Name, attempt, lat, err)
		if err == nil {
			return v, nil
		}
		wait, again := p.retryWait(ctx, op, attempt, err)
		if !again {
			NoteTrouble(ctx, err)
			return zero, err
		}
		p.retries.Add(1)
		if !sleep(ctx, wait) {
			NoteTrouble(ctx, err)
			return zero, err
		}
	}
}

func (p *Policy) retryWait(ctx context.Context, op Op, attempt int, err error) (time.Duration, bool) {
	if !op.Idempotent || attempt >= p.s.MaxAttempts || !retryable(err) || ctx.Err() != nil {
		return 0, false
	}
	wait := p.backoff(attempt)
	if ra := connector.RetryAfterOf(err); ra > 0 {
		wait = ra
	}
	return wait, fits(ctx, wait)
}

// backoff is "full jitter": a uniform wait in [0, min(max, base·2^(attempt-1))], which
// spreads the retries of many callers hit by the same failure.
func (p *Policy) backoff(attempt int) time.Duration {
	ceiling := p.s.BackoffMax
	if b := p.s.BackoffBase; b > 0 && attempt-1 < 32 {
		if d := b << (attempt - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// attempt is one pass through the guards and, if they allow, one call to the tool.
func (p *Policy) attempt(ctx context.Context, o Op, call func(context.Context) error) error {
	op := o.Name
	if err := ctx.Err(); err != nil {
		return p.normalize(op, err)
	}
	// Checked before the bulkhead so an open breaker fails in microseconds even when
	// every slot is taken by calls that are hanging.
	if p.breaker.State() == gobreaker.StateOpen {
		p.flush()
		p.breakerRejections.Add(1)
		return p.refusal(op, connector.KindUnavailable, "circuit_open", 0, ErrBreakerOpen)
	}
	if p.sem != nil {
		if !p.sem.TryAcquire(1) {
			wctx, cancel := context.WithTimeout(ctx, p.s.QueueWait)
			err := p.sem.Acquire(wctx, 1)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return p.normalize(op, ctx.Err())
				}
				p.bulkheadRejections.Add(1)
				return p.refusal(op, connector.KindUnavailable, "bulkhead_full", 0, ErrBulkheadFull)
			}
		}
		defer p.sem.Release(1)
	}
	done, err := p.breaker.Allow()
	p.flush()
	if err != nil {
		// Open, or half-open with every probe slot taken.
		p.breakerRejections.Add(1)
		return p.refusal(op, connector.KindUnavailable, "circuit_open", 0, ErrBreakerOpen)
	}
	// The token of the call's first request is taken here, so a call that cannot
	// start within the budget is refused before it reaches the tool; every further
	// request the connector sends takes its own (requestGate).
	if err := p.waitTurn(ctx, op, false); err != nil {
		done(errNotAttempted)
		p.flush()
		return err
	}
	g := &requestGate{p: p, op: op, write: o.Write}
	g.prepaid.Store(true)
	p.calls.Add(1)
	p.inFlight.Add(1)
	err = p.normalize(op, call(connector.WithRequestGate(ctx, g)))
	p.inFlight.Add(-1)
	if r := g.refusal(); r != nil && err != nil && errors.Is(err, r) {
		// A later request of the call was refused by the limiter: the call fails
		// with that refusal, whatever the connector made of it.
		err = r
	}
	done(err)
	p.flush()
	if err != nil && !healthy(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, ErrLimited) {
		p.failures.Add(1)
	}
	if ra := connector.RetryAfterOf(err); ra > 0 && connector.KindOf(err) == connector.KindRateLimited && !errors.Is(err, ErrLimited) {
		p.coolDown(ra)
	}
	return err
}

// requestGate is the connector.RequestGate of one attempt: the attempt's first
// request spends the token attempt took, each further one (a second endpoint, a next
// page, a replay after a refreshed credential) waits its turn like a call does —
// within the budget, or refused at once.
type requestGate struct {
	p       *Policy
	op      string
	write   bool
	prepaid atomic.Bool

	mu      sync.Mutex
	wrote   bool // a request of a write operation that is not a read (connector.IsRead) was admitted
	refused error
}

func (g *requestGate) Admit(req *http.Request) error {
	unsafe := g.write && !connector.IsRead(req)
	if g.prepaid.CompareAndSwap(true, false) {
		g.note(unsafe, nil)
		return nil
	}
	g.mu.Lock()
	credit := g.wrote
	g.mu.Unlock()
	err := g.p.waitTurn(req.Context(), g.op, credit)
	g.note(unsafe && err == nil, err)
	return err
}

func (g *requestGate) note(wrote bool, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if wrote {
		g.wrote = true
	}
	if err != nil && g.refused == nil && errors.Is(err, ErrLimited) {
		g.refused = err
	}
}

// refusal is the limiter's first refusal of a request of the attempt, or nil.
func (g *requestGate) refusal() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refused
}

// coolDown makes every call wait out a Retry-After the tool sent.
func (p *Policy) coolDown(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	for {
		cur := p.coolUntil.Load()
		if cur >= until || p.coolUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

// waitTurn waits out the tool's Retry-After and takes a token from the bucket, or
// refuses at once when either wait would outlast the budget. It runs before each
// attempt (the token of its first request) and before each further request the
// attempt sends (requestGate). With credit, a wait that would outlast the budget is
// not made and nothing is refused: the request goes now, its token taken on credit.
func (p *Policy) waitTurn(ctx context.Context, op string, credit bool) error {
	if until := p.coolUntil.Load(); until > 0 {
		if wait := time.Until(time.Unix(0, until)); wait > 0 && !(credit && !fits(ctx, wait)) {
			if !fits(ctx, wait) {
				p.limiterRejections.Add(1)
				return p.refusal(op, connector.KindRateLimited, "retry_after", wait, ErrLimited)
			}
			p.limiterWaits.Add(1)
			if !sleep(ctx, wait) {
				return p.normalize(op, ctx.Err())
			}
		}
	}
	if p.limiter == nil {
		return nil
	}
	r := p.limiter.Reserve()
	wait := r.Delay()
	if wait == 0 {
		return nil
	}
	if r.OK() && credit && !fits(ctx, wait) {
		return nil // the token stays reserved: later callers wait it off
	}
	if !r.OK() || !fits(ctx, wait) {
		r.Cancel()
		p.limiterRejections.Add(1)
		return p.refusal(op, connector.KindRateLimited, "local_rate_limit", wait, ErrLimited)
	}
	p.limiterWaits.Add(1)
	if !sleep(ctx, wait) {
		r.Cancel()
		return p.normalize(op, ctx.Err())
	}
	return nil
}

// traceCall adds a tool-call attempt to the turn's trace (when one is asked for).
func traceCall(ctx context.Context, p *Policy, op string, attempt int, d time.Duration, err error) {
	if turntrace.From(ctx) == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = connector.KindOf(err).String()
	}
	turntrace.Add(ctx, turntrace.KindTool, p.tool+"."+op, d, "attempt", strconv.Itoa(attempt),
		"result", result, "breaker", p.State().String())
}
