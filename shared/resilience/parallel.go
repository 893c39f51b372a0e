package resilience

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/switchboard-dev/switchboard/shared/workers"
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
	ParallelCalls(ctx, funcCalls(fns), errs)
	return errs
}

// Calls are the calls of one fan-out (ParallelCalls), by index.
type Calls interface {
	// Call makes call i with ctx.
	Call(ctx context.Context, i int) error
}

// funcCalls are Parallel's functions as Calls.
type funcCalls []func(context.Context) error

func (f funcCalls) Call(ctx context.Context, i int) error { return f[i](ctx) }

// ParallelCalls is Parallel for len(errs) calls of c, call i's error in errs[i]: the
// same fan-out (no cancellation of the others, a panic made call i's error, the last
// call on the caller's goroutine), without a closure per call. A caller that keeps
// its calls' state in one value (c) makes no other allocation for the fan-out.
func ParallelCalls(ctx context.Context, c Calls, errs []error) {
	n := len(errs)
	switch n {
	case 0:
		return
	case 1:
		errs[0] = guarded(ctx, c, 0)
		return
	}
	f := fans.Get().(*fan)
	f.ctx, f.c, f.errs = ctx, c, errs
	f.next.Store(0)
	f.wg.Add(n - 1)
	for range n - 1 {
		workers.Go(f.run) // a worker keeps the stack an earlier call grew
	}
	errs[n-1] = guarded(ctx, c, n-1)
	f.wg.Wait()
	f.ctx, f.c, f.errs = nil, nil, nil
	fans.Put(f)
}

// fan is one fan-out's state for its workers, reused once every call has returned.
type fan struct {
	wg   sync.WaitGroup
	ctx  context.Context
	c    Calls
	errs []error
	next atomic.Int32 // the next call a worker makes
	run  func()       // f.work, bound once
}

var fans = sync.Pool{New: func() any {
	f := &fan{}
	f.run = f.work
	return f
}}

// work makes the next call of the fan-out. Nothing of f is touched after wg.Done: the
// fan may be reused from then on.
func (f *fan) work() {
	i := int(f.next.Add(1)) - 1
	f.errs[i] = guarded(f.ctx, f.c, i)
	f.wg.Done()
}

// guarded makes call i, turning a panic into a *PanicError.
func guarded(ctx context.Context, c Calls, i int) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return c.Call(ctx, i)
}

// PanicError is a panic recovered by Parallel.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }
