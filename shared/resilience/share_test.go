package resilience_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// TestShareIsItsPartOfTheBudget: Share's deadline is its share of what is left of the
// parent's, and the context ends there (Done, Err, a child's Done) while the parent
// goes on; the parent's end and the CancelFunc end it too.
func TestShareIsItsPartOfTheBudget(t *testing.T) {
	t.Parallel()
	parent, cancelParent := context.WithTimeout(context.Background(), time.Hour)
	defer cancelParent()
	pd, _ := parent.Deadline()

	t0 := time.Now()
	ctx, cancel := resilience.Share(parent, 0.75)
	t1 := time.Now()
	d, ok := ctx.Deadline()
	lo, hi := t0.Add(time.Duration(0.75*float64(pd.Sub(t1)))), t1.Add(time.Duration(0.75*float64(pd.Sub(t0))))
	if !ok || d.Before(lo) || d.After(hi) {
		t.Errorf("deadline %v, want 0.75 of the hour left: between %v and %v", d, lo, hi)
	}
	if ctx.Err() != nil {
		t.Errorf("Err = %v before the deadline", ctx.Err())
	}
	cancel()
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) || parent.Err() != nil {
		t.Errorf("after cancel: Err = %v, parent's %v", ctx.Err(), parent.Err())
	}

	// A share of a nanosecond of the hour: over at once, the parent not.
	ctx, cancel = resilience.Share(parent, 1e-13)
	defer cancel()
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	<-child.Done()
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) || !errors.Is(child.Err(), context.DeadlineExceeded) || parent.Err() != nil {
		t.Errorf("past the share: Err = %v, child's %v, parent's %v", ctx.Err(), child.Err(), parent.Err())
	}

	// The parent's end is the share's.
	ctx, cancel = resilience.Share(parent, 0.75)
	defer cancel()
	cancelParent()
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("after the parent's cancel: Err = %v", ctx.Err())
	}
}

// TestShareCanceledBeforeUse: a CancelFunc that ran before anything asked for Done
// still leaves a canceled context.
func TestShareCanceledBeforeUse(t *testing.T) {
	t.Parallel()
	parent, cancelParent := context.WithTimeout(context.Background(), time.Hour)
	defer cancelParent()
	ctx, cancel := resilience.Share(parent, 0.5)
	cancel()
	select {
	case <-ctx.Done():
	default:
		t.Fatal("Done not closed after cancel")
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("Err = %v", ctx.Err())
	}
}

// TestShareValuesAndNoDeadline: values are the parent's; without a deadline Share is
// context.WithCancel.
func TestShareValuesAndNoDeadline(t *testing.T) {
	t.Parallel()
	type key struct{}
	parent, cancelParent := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Hour)
	defer cancelParent()
	ctx, cancel := resilience.Share(parent, 0.5)
	defer cancel()
	if ctx.Value(key{}) != "v" {
		t.Errorf("Value = %v", ctx.Value(key{}))
	}
	ctx, cancel = resilience.Share(context.Background(), 0.5)
	if _, ok := ctx.Deadline(); ok {
		t.Error("a deadline without the parent's")
	}
	cancel()
	<-ctx.Done()
}

// TestShareUnusedHasNoTimer: a share no call looked at costs its own value and its
// CancelFunc, no timer (context.WithTimeout: a timer and four other allocations).
func TestShareUnusedHasNoTimer(t *testing.T) {
	parent, cancelParent := context.WithTimeout(context.Background(), time.Hour)
	defer cancelParent()
	n := testing.AllocsPerRun(100, func() {
		ctx, cancel := resilience.Share(parent, 0.75)
		if _, ok := ctx.Deadline(); !ok {
			t.Fatal("no deadline")
		}
		cancel()
	})
	if n > 2 {
		t.Errorf("%v allocations per unused share, want at most 2", n)
	}
}

// TestUntilIsWithDeadline: Until's context answers as context.WithDeadline's: the
// earlier deadline, the parent's values, its end at the deadline (Err, Cause, a
// child), the parent's end; values asked before anything looked at it arm no timer.
func TestUntilIsWithDeadline(t *testing.T) {
	type key struct{}
	parent, cancelParent := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Hour)
	defer cancelParent()
	pd, _ := parent.Deadline()

	ctx, cancel := resilience.Until(parent, pd.Add(time.Hour))
	if d, _ := ctx.Deadline(); !d.Equal(pd) {
		t.Errorf("deadline %v, want the parent's earlier %v", d, pd)
	}
	cancel()

	n := testing.AllocsPerRun(100, func() {
		ctx, cancel := resilience.Until(parent, time.Now().Add(time.Minute))
		if ctx.Value(key{}) != "v" {
			t.Fatal("not the parent's value")
		}
		cancel()
	})
	if n > 2 {
		t.Errorf("%v allocations for a context only asked for a value, want at most 2 (no timer)", n)
	}

	ctx, cancel = resilience.Until(parent, time.Now().Add(-time.Second))
	defer cancel()
	if ctx.Value(key{}) != "v" || !errors.Is(ctx.Err(), context.DeadlineExceeded) ||
		!errors.Is(context.Cause(ctx), context.DeadlineExceeded) || parent.Err() != nil {
		t.Errorf("past the deadline: value %v, Err %v, Cause %v, parent's Err %v", ctx.Value(key{}), ctx.Err(), context.Cause(ctx), parent.Err())
	}

	ctx, cancel = resilience.Until(parent, time.Now().Add(time.Hour/2))
	defer cancel()
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	cancelParent()
	<-child.Done()
	if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("after the parent's cancel: Err %v, child's %v", ctx.Err(), child.Err())
	}
}
