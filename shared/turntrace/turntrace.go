// Package turntrace collects what one turn did — tool calls with their durations,
// cache and idempotency decisions, the policy decision and the audit event — for a
// caller that asks for it by putting a Recorder in the turn's context (the console).
// Without a Recorder in the context, Add costs one context lookup and records nothing.
//
// Events carry names, enums, durations and internal ids only: never an email, a
// name, a token or a code (the console shows them, and they must be safe to show).
package turntrace

import (
	"context"
	"sync"
	"time"
)

// Event kinds.
const (
	KindTool        = "tool"        // a business-tool call attempt
	KindCache       = "cache"       // a read-cache decision: hit, miss, stale
	KindIdempotency = "idempotency" // how the idempotency layer answered the turn
	KindPolicy      = "policy"      // the identity policy's decision
	KindAudit       = "audit"       // the audit event written for the turn
)

// Event is one thing a turn did.
type Event struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	// AtMS is when it happened (for a tool call: when it started), in milliseconds
	// since the Recorder was made.
	AtMS float64 `json:"at_ms"`
	// DurationMS is how long it took (tool calls), 0 otherwise.
	DurationMS float64           `json:"duration_ms,omitempty"`
	Detail     map[string]string `json:"detail,omitempty"`
}

// Recorder holds one turn's events. It is safe for concurrent use (a turn's handler
// runs on its own goroutine).
type Recorder struct {
	mu     sync.Mutex
	start  time.Time
	now    func() time.Time
	events []Event
}

// New returns an empty Recorder whose clock starts now.
func New() *Recorder { return &Recorder{start: time.Now(), now: time.Now} }

type key struct{}

// With returns ctx carrying r.
func With(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, key{}, r)
}

// From returns the Recorder in ctx, or nil.
func From(ctx context.Context) *Recorder {
	r, _ := ctx.Value(key{}).(*Recorder)
	return r
}

// Add records an event of kind and name that took d (0 for a decision) and ended
// now; kv are detail pairs (key, value, key, value, …). Nothing is recorded when
// ctx carries no Recorder.
func Add(ctx context.Context, kind, name string, d time.Duration, kv ...string) {
	r := From(ctx)
	if r == nil {
		return
	}
	r.Add(kind, name, d, kv...)
}

// Add records an event (see the function Add).
func (r *Recorder) Add(kind, name string, d time.Duration, kv ...string) {
	e := Event{Kind: kind, Name: name}
	if len(kv) > 1 {
		e.Detail = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			e.Detail[kv[i]] = kv[i+1]
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	at := r.now().Sub(r.start) - d
	e.AtMS, e.DurationMS = ms(max(at, 0)), ms(d)
	r.events = append(r.events, e)
}

// Events returns a copy of the events recorded so far, in the order they ended.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Event, len(r.events))
	copy(out, r.events)
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
