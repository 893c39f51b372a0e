package resilience

import (
	"context"
	"sync"
	"time"
)

// Share returns a context for calls that may use only part of ctx's remaining time:
// its deadline is share of what is left before ctx's (ctx's own when that is earlier;
// no deadline when ctx has none). It is context.WithTimeout(ctx, share × remaining),
// with its timer armed only when a call asks for the context's Done, Err or a Value
// (an HTTP client, a database driver, a retry policy do): calls that never look at
// their context (a record in memory) leave no timer in the runtime's heap. Deadline is
// answered without one. Call the CancelFunc once the calls are done.
func Share(ctx context.Context, share float64) (context.Context, context.CancelFunc) {
	d, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	c := &shareCtx{parent: ctx, deadline: time.Now().Add(time.Duration(float64(time.Until(d)) * share))}
	if d.Before(c.deadline) {
		// context.WithDeadline keeps the parent's earlier deadline too.
		c.deadline = d
	}
	return c, c.cancel
}

// shareCtx is Share's context: the context.WithDeadline it stands for (real), made on
// first need.
type shareCtx struct {
	parent   context.Context
	deadline time.Time

	mu       sync.Mutex
	real     context.Context
	stop     context.CancelFunc
	canceled bool
}

// get is the context this one stands for, made now if it was not yet (and canceled at
// once when the CancelFunc ran before).
func (c *shareCtx) get() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real == nil {
		c.real, c.stop = context.WithDeadline(c.parent, c.deadline)
		if c.canceled {
			c.stop()
		}
	}
	return c.real
}

func (c *shareCtx) cancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.canceled = true
	if c.stop != nil {
		c.stop()
	}
}

func (c *shareCtx) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *shareCtx) Done() <-chan struct{}       { return c.get().Done() }
func (c *shareCtx) Err() error                  { return c.get().Err() }
func (c *shareCtx) Value(key any) any           { return c.get().Value(key) }

// String names the context as the one it stands for would.
func (c *shareCtx) String() string { return "resilience.Share(" + contextName(c.parent) + ")" }

func contextName(c context.Context) string {
	if s, ok := c.(interface{ String() string }); ok {
		return s.String()
	}
	return "context"
}
