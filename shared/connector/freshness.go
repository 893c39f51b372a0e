package connector

import (
	"context"
	"sync"
	"time"
)

// Freshness collects, for one turn, whether any value used in the answer came from a
// stale cache entry (served because the tool was failing), and how old the oldest was.
// A cache decorator calls NoteStale; the intent handler reads Oldest to say "as of 12
// minutes ago". Safe for concurrent use by parallel lookups.
type Freshness struct {
	mu     sync.Mutex
	oldest time.Time
}

type freshnessKey struct{}

// WithFreshness returns a context carrying a new Freshness collector.
func WithFreshness(ctx context.Context) (context.Context, *Freshness) {
	c := &freshCtx{Context: ctx}
	return c, &c.f
}

// freshCtx is the context WithFreshness returns, and its collector: one allocation
// where context.WithValue and the collector were two.
type freshCtx struct {
	context.Context
	f Freshness
}

// Value is the collector for freshnessKey, else the parent's value.
func (c *freshCtx) Value(key any) any {
	if key == (freshnessKey{}) {
		return &c.f
	}
	return c.Context.Value(key)
}

// String names the context as context.WithValue's would (fmt, debugging).
func (c *freshCtx) String() string {
	return contextName(c.Context) + ".WithValue(connector.freshnessKey, *connector.Freshness)"
}

func contextName(c context.Context) string {
	if s, ok := c.(interface{ String() string }); ok {
		return s.String()
	}
	return "context"
}

// NoteStale records that a value fetched at fetchedAt was served stale. It is a no-op
// when ctx carries no collector.
func NoteStale(ctx context.Context, fetchedAt time.Time) {
	f, _ := ctx.Value(freshnessKey{}).(*Freshness)
	if f == nil {
		return
	}
	f.mu.Lock()
	if f.oldest.IsZero() || fetchedAt.Before(f.oldest) {
		f.oldest = fetchedAt
	}
	f.mu.Unlock()
}

// Oldest returns the fetch time of the oldest stale value served, and whether any was.
func (f *Freshness) Oldest() (time.Time, bool) {
	if f == nil {
		return time.Time{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.oldest, !f.oldest.IsZero()
}
