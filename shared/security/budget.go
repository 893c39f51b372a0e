package security

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Budget is a process-wide allowance of webhook bytes held in memory at once: bodies
// being received, inflated and decoded. Each body takes a Claim that grows as its
// bytes really arrive (never from what its headers declare), so a client that
// declares 8 MiB and sends nothing holds nothing; the claim is released once the turn
// is answered. Memory stays bounded by the budget whatever the number of connections.
// A nil *Budget allows everything.
//
// When the budget is full, the oldest claim that needs more waits (up to Wait) for
// bytes to be released, and every younger claim that holds bytes and needs more gives
// way (ErrBusy: its call is refused and releases what it held). Without that, many
// large bodies arriving together would each take a share, all wait for each other and
// all be refused; with it, the oldest ones finish.
type Budget struct {
	limit int64
	// Wait is how long a claim may wait for room before it is refused.
	Wait time.Duration

	mu      sync.Mutex
	used    int64
	changed chan struct{} // closed and replaced whenever used or waiting changes
	waiting map[*Claim]struct{}
	seq     uint64
	burst   int64 // bytes taken since the budget was last drained
	drained func()
}

// ErrBusy is a claim the budget could not grant: the in-flight bytes are spent (and
// stayed spent for Wait), an older body needs them first, or the claim is larger than
// the whole budget.
var ErrBusy = errors.New("security: in-flight byte budget spent")

// NewBudget returns a budget of limit bytes; limit <= 0 means unlimited (nil).
func NewBudget(limit int64) *Budget {
	if limit <= 0 {
		return nil
	}
	return &Budget{limit: limit, Wait: time.Second, changed: make(chan struct{}), waiting: map[*Claim]struct{}{}}
}

// Reserve takes n bytes from the budget at once, or reports false (and takes nothing).
// It does not wait and does not queue behind waiting claims.
func (b *Budget) Reserve(n int64) bool {
	if b == nil || n <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.limit {
		return false
	}
	b.take(n)
	return true
}

// Release returns n bytes taken with Reserve.
func (b *Budget) Release(n int64) {
	if b == nil || n <= 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.broadcast()
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

// take and broadcast run with b.mu held.
func (b *Budget) take(n int64) {
	b.used += n
	b.burst += n
	b.broadcast()
}

func (b *Budget) broadcast() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// olderWaiting reports whether a claim older than c waits for room.
func (b *Budget) olderWaiting(c *Claim) bool {
	for w := range b.waiting {
		if w.seq < c.seq {
			return true
		}
	}
	return false
}

// Claim is one body's share of a Budget. It starts empty; Grow adds to it as bytes
// arrive, Shrink hands back what is no longer held, Release all of it. A Claim is
// used by one goroutine.
type Claim struct {
	b    *Budget
	seq  uint64
	held int64
}

// Claim starts an empty claim on b (on a nil budget: one that only counts).
func (b *Budget) Claim() *Claim {
	if b == nil {
		return &Claim{}
	}
	b.mu.Lock()
	b.seq++
	c := &Claim{b: b, seq: b.seq}
	b.mu.Unlock()
	return c
}

// Held is the number of bytes the claim holds now.
func (c *Claim) Held() int64 { return c.held }

// Grow adds n bytes to the claim. When the budget has no room it waits (up to Wait or
// ctx) if no older claim is waiting; a claim that holds bytes and is younger than a
// waiting one gives way at once. It returns ErrBusy when refused; the claim then
// still holds what it held before, for the caller to Release.
func (c *Claim) Grow(ctx context.Context, n int64) error {
	if n <= 0 {
		return nil
	}
	b := c.b
	if b == nil {
		c.held += n
		return nil
	}
	b.mu.Lock()
	if c.held+n > b.limit {
		b.mu.Unlock()
		return ErrBusy
	}
	var timer *time.Timer
	for {
		older := b.olderWaiting(c)
		if !older && b.used+n <= b.limit {
			if _, ok := b.waiting[c]; ok {
				delete(b.waiting, c)
			}
			b.take(n)
			c.held += n
			b.mu.Unlock()
			if timer != nil {
				timer.Stop()
			}
			return nil
		}
		if older && c.held > 0 {
			return c.giveUp(timer)
		}
		if timer == nil {
			// The first wait: let younger waiters see they must give way.
			b.waiting[c] = struct{}{}
			b.broadcast()
			timer = time.NewTimer(b.Wait)
		}
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
			b.mu.Lock()
		case <-timer.C:
			b.mu.Lock()
			return c.giveUp(nil)
		case <-ctx.Done():
			b.mu.Lock()
			return c.giveUp(timer)
		}
	}
}

// giveUp leaves the waiters (b.mu held; it unlocks) and reports ErrBusy.
func (c *Claim) giveUp(timer *time.Timer) error {
	b := c.b
	if _, ok := b.waiting[c]; ok {
		delete(b.waiting, c)
		b.broadcast()
	}
	b.mu.Unlock()
	if timer != nil {
		timer.Stop()
	}
	return ErrBusy
}

// Shrink hands n of the claim's bytes back to the budget.
func (c *Claim) Shrink(n int64) {
	n = min(n, c.held)
	if n <= 0 {
		return
	}
	c.held -= n
	c.b.Release(n)
}

// Release hands every byte of the claim back.
func (c *Claim) Release() { c.Shrink(c.held) }

// OnDrained calls f each time the budget returns to empty after at least a quarter of
// it was taken since the last call: `switchboard serve` hands memory back to the
// operating system then, so RSS returns near its start after a burst of large bodies.
func (b *Budget) OnDrained(f func()) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.drained = f
	b.mu.Unlock()
}

// InUse is the number of bytes taken now.
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
