package resilience

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// Parallel runs fns concurrently with the same ctx (one shared budget) and waits for
// all of them. Unlike errgroup it does not cancel the others when one fails: a lookup
// that needs the customer, the open tickets and the last payment answers with whatever
// succeeded. errs[i] is fns[i]'s error; a panic in fns[i] becomes errs[i] instead of
// crashing the process, since no caller could recover it in another goroutine.
func Parallel(ctx context.Context, fns ...func(context.Context) error) (errs []error) {
	errs = make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					errs[i] = &PanicError{Value: v, Stack: debug.Stack()}
				}
			}()
			errs[i] = fn(ctx)
		}()
	}
	wg.Wait()
	return errs
}

// PanicError is a panic recovered by Parallel.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }
