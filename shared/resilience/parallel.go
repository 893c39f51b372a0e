package resilience

import (
	"context"
	"fmt"
	"github.com/switchboard-dev/switchboard/shared/workers"
	"runtime/debug"
	"sync"
)

// Parallel runs fns concurrently with the same ctx (one shared budget) and waits for
// all of them. Unlike errgroup it does not cancel the others when one fails: a lookup
// that needs the customer, the open tickets and the last payment answers with whatever
// succeeded. errs[i] is fns[i]'s error; a panic in fns[i] becomes errs[i] instead of
// crashing the process, since no caller could recover it in another goroutine.
//
// The last function runs on the caller's goroutine, which would otherwise only wait:
// one goroutine (and its wake-up) fewer per fan-out.
func Parallel(ctx context.Context, fns ...func(context.Context) error) (errs []error) {
	errs = make([]error, len(fns))
	if len(fns) == 0 {
		return errs
	}
	var wg sync.WaitGroup
	last := len(fns) - 1
	for i, fn := range fns[:last] {
		wg.Add(1)
		workers.Go(func() { // a worker keeps the stack an earlier call grew
			defer wg.Done()
			errs[i] = guarded(ctx, fn)
		})
	}
	errs[last] = guarded(ctx, fns[last])
	wg.Wait()
	return errs
}

// guarded runs fn, turning a panic into a *PanicError.
func guarded(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

// PanicError is a panic recovered by Parallel.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }
