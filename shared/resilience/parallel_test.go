package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// calls records which calls ParallelCalls made, and fails or panics on request.
type calls struct {
	mu      sync.Mutex
	made    map[int]int
	started sync.WaitGroup
	fail    map[int]error
	panicAt int
}

func (c *calls) Call(ctx context.Context, i int) error {
	c.mu.Lock()
	c.made[i]++
	c.mu.Unlock()
	// Every call waits until all of them have started: they run at the same time.
	c.started.Done()
	c.started.Wait()
	if i == c.panicAt {
		panic(fmt.Sprint("call ", i))
	}
	return c.fail[i]
}

// TestParallelCallsEachOnceTogether: each call is made once, all at the same time,
// call i's error in errs[i] (a panic as a *PanicError); one fan-out's state, reused,
// never mixes into the next's.
func TestParallelCallsEachOnceTogether(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	for round := range 50 {
		n := 1 + round%4
		c := &calls{made: map[int]int{}, fail: map[int]error{0: boom}, panicAt: n - 1}
		if n == 1 {
			c.panicAt = -1
		}
		c.started.Add(n)
		errs := make([]error, n)
		resilience.ParallelCalls(context.Background(), c, errs)
		for i := range n {
			if c.made[i] != 1 {
				t.Fatalf("round %d: call %d made %d times", round, i, c.made[i])
			}
		}
		if len(c.made) != n {
			t.Fatalf("round %d: calls made %v, want 0..%d", round, c.made, n-1)
		}
		var pe *resilience.PanicError
		switch {
		case n == 1 && !errors.Is(errs[0], boom):
			t.Fatalf("round %d: errs = %v", round, errs)
		case n > 1 && (!errors.Is(errs[0], boom) || !errors.As(errs[n-1], &pe) || pe.Value != fmt.Sprint("call ", n-1)):
			t.Fatalf("round %d: errs = %v", round, errs)
		}
		for i := 1; i < n-1; i++ {
			if errs[i] != nil {
				t.Fatalf("round %d: errs[%d] = %v", round, i, errs[i])
			}
		}
	}
}
