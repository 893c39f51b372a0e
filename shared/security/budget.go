package security

import (
	"context"
	"sync"
	"time"
)

// Budget is a process-wide allowance of bytes being read, inflated and decoded at
// once. A webhook call reserves its worst case (the size its body may reach) before
// the body is read and releases it once the turn is answered; a call that does not
// fit waits a little for others to finish (Wait), then is refused, so memory stays
// bounded by the budget whatever the number of connections. A nil *Budget allows
// everything.
type Budget struct {
	limit int64
	// Wait is how long a reservation may wait for room before it is refused.
	Wait time.Duration

	mu      sync.Mutex
	used    int64
	freed   chan struct{} // closed and replaced at every release
	burst   int64         // bytes reserved since the budget was last drained
	drained func()
}

// NewBudget returns a budget of limit bytes; limit <= 0 means unlimited (nil).
func NewBudget(limit int64) *Budget {
	if limit <= 0 {
		return nil
	}
	return &Budget{limit: limit, Wait: time.Second, freed: make(chan struct{})}
}

// Reserve takes n bytes from the budget at once, or reports false (and takes nothing).
// A reservation larger than the whole budget never succeeds.
func (b *Budget) Reserve(n int64) bool {
	ok, _ := b.try(n)
	return ok
}

// ReserveWait is Reserve, waiting up to b.Wait (or ctx) for room.
func (b *Budget) ReserveWait(ctx context.Context, n int64) bool {
	if b == nil || n <= 0 {
		return true
	}
	if n > b.limit {
		return false
	}
	timer := time.NewTimer(b.Wait)
	defer timer.Stop()
	for {
		ok, freed := b.try(n)
		if ok {
			return true
		}
		select {
		case <-freed:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

func (b *Budget) try(n int64) (bool, <-chan struct{}) {
	if b == nil || n <= 0 {
		return true, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.limit {
		return false, b.freed
	}
	b.used += n
	b.burst += n
	return true, nil
}

// Release returns n bytes to the budget.
func (b *Budget) Release(n int64) {
	if b == nil || n <= 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	close(b.freed)
	b.freed = make(chan struct{})
	var call func()
	if b.used == 0 && b.drained != nil && b.burst >= b.limit/4 {
		call = b.drained
		b.burst = 0
	}
	b.mu.Unlock()
	if call != nil {
		call()
	}
}

// OnDrained calls f each time the budget returns to empty after at least a quarter of
// it was reserved since the last call: `switchboard serve` hands memory back to the
// operating system then, so RSS returns near its start after a burst of large bodies.
func (b *Budget) OnDrained(f func()) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.drained = f
	b.mu.Unlock()
}

// InUse is the number of bytes reserved now.
func (b *Budget) InUse() int64 {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Limit is the budget's size (0 when unlimited).
func (b *Budget) Limit() int64 {
	if b == nil {
		return 0
	}
	return b.limit
}
