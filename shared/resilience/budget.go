package resilience

import (
	"context"
	"time"
)

// Budget returns a context whose deadline is the earlier of deadline and ctx's own,
// minus margin: the time kept back to encode and deliver the reply. Every outbound call
// made with it gets what is left of the turn. A zero deadline means "only ctx's", and
// with neither the context has no deadline. Call the CancelFunc when the turn is done.
func Budget(ctx context.Context, deadline time.Time, margin time.Duration) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	if deadline.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-margin))
}

// Remaining is the time left before ctx's deadline; ok is false when it has none.
func Remaining(ctx context.Context) (left time.Duration, ok bool) {
	d, ok := ctx.Deadline()
	if !ok {
		return 0, false
	}
	return time.Until(d), true
}

// fits reports whether waiting d still leaves time before ctx's deadline.
func fits(ctx context.Context, d time.Duration) bool {
	left, ok := Remaining(ctx)
	return !ok || left > d
}

// sleep waits d or until ctx is done; it reports whether the full wait elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
