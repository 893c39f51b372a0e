package resilience

import (
	"context"
	"sync"
	"time"
)

// Share returns a context for calls that may use only part of ctx's remaining time:
// its deadline is share of what is left before ctx's (ctx's own when that is earlier;
// no deadline when ctx has none). It is context.WithTimeout(ctx, share × remaining),
// with its timer armed only on need (Until).
func Share(ctx context.Context, share float64) (context.Context, context.CancelFunc) {
	d, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return Until(ctx, time.Now().Add(time.Duration(float64(time.Until(d))*share)))
}

// Until is context.WithDeadline(ctx, d) with its timer armed only once something asks
// for the context's Done or Err (an HTTP client, a database driver, a retry policy,
// a child context do), or for a value once d has passed: calls that never look at
// their context (a record in memory) leave no timer in the runtime's heap. Deadline
// is answered without one (the earlier of d and ctx's), and values before d are
// ctx's. Call the CancelFunc once the calls are done.
//
// The one difference from context.WithDeadline: when d has passed and ctx has been
// canceled too before anything looked, Err (and context.Cause) say ctx's reason, as
// context.WithDeadline made after both would, rather than whichever came first.
func Until(ctx context.Context, d time.Time) (context.Context, context.CancelFunc) {
	c := &lazyDeadline{parent: ctx, deadline: d}
	if pd, ok := ctx.Deadline(); ok && pd.Before(d) {
		// context.WithDeadline keeps the parent's earlier deadline.
		c.deadline = pd
	}
	return c, c.cancel
}

// lazyDeadline is Until's context: the context.WithDeadline it stands for (real),
// made on first need.
type lazyDeadline struct {
	parent   context.Context
	deadline time.Time // the earlier of Until's and the parent's

	mu       sync.Mutex
	real     context.Context
	stop     context.CancelFunc
	canceled bool
}

// get is the context this one stands for, made now if it was not yet (and canceled at
// once when the CancelFunc ran before).
func (c *lazyDeadline) get() context.Context {
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

func (c *lazyDeadline) cancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.canceled = true
	if c.stop != nil {
		c.stop()
	}
}

func (c *lazyDeadline) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *lazyDeadline) Done() <-chan struct{}       { return c.get().Done() }
func (c *lazyDeadline) Err() error                  { return c.get().Err() }

// Value is the parent's value while nothing needed the timer (the context.WithDeadline
// would answer the parent's too: only the context package's own key, which it asks
// after Done, or for Cause, differs); once it was made, or once the deadline or a
// cancel means it would be done, the made context's.
func (c *lazyDeadline) Value(key any) any {
	c.mu.Lock()
	r, canceled := c.real, c.canceled
	c.mu.Unlock()
	if r == nil && (canceled || !time.Now().Before(c.deadline)) {
		r = c.get()
	}
	if r != nil {
		return r.Value(key)
	}
	return c.parent.Value(key)
}

// String names the context as the one it stands for would.
func (c *lazyDeadline) String() string {
	return contextName(c.parent) + ".WithDeadline(" + c.deadline.String() + ")"
}

func contextName(c context.Context) string {
	if s, ok := c.(interface{ String() string }); ok {
		return s.String()
	}
	return "context"
}
