package security

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func waiters(b *Budget) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.waiting)
}

// until polls cond as a hang guard would: the outcome is checked, not the time taken.
func until(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never met")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestClaimOldestFirst: when the budget is full, the oldest claim waits and a younger
// one holding bytes gives way at once (and a younger waiter gives way when an older
// one starts waiting); a claim holding nothing waits its turn; releases let the
// oldest go on.
func TestClaimOldestFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := NewBudget(100)
	b.Wait = time.Hour // never reached: the test ends every wait itself
	c1, c2 := b.Claim(), b.Claim()
	if c1.Grow(ctx, 50) != nil || c2.Grow(ctx, 50) != nil {
		t.Fatal("room for both")
	}
	// c2 waits first; then c1 (older) waits, and c2 gives way.
	c2done := make(chan error, 1)
	go func() { c2done <- c2.Grow(ctx, 10) }()
	until(t, func() bool { return waiters(b) == 1 })
	c1done := make(chan error, 1)
	go func() { c1done <- c1.Grow(ctx, 10) }()
	if err := <-c2done; !errors.Is(err, ErrBusy) {
		t.Fatalf("younger waiter holding bytes: %v, want ErrBusy once an older one waits", err)
	}
	// A new claim holding nothing waits behind c1 instead of giving way.
	c3 := b.Claim()
	c3done := make(chan error, 1)
	go func() { c3done <- c3.Grow(ctx, 20) }()
	until(t, func() bool { return waiters(b) == 2 })
	// A younger claim holding bytes that asks now gives way at once.
	if err := c2.Grow(ctx, 1); !errors.Is(err, ErrBusy) {
		t.Fatalf("younger holder asking while an older claim waits: %v, want ErrBusy", err)
	}
	c2.Release()
	if err := <-c1done; err != nil {
		t.Fatalf("oldest claim after a release: %v", err)
	}
	if err := <-c3done; err != nil {
		t.Fatalf("claim holding nothing, after the oldest: %v", err)
	}
	if got := b.InUse(); got != 80 {
		t.Fatalf("in use %d, want 80 (c1 60, c3 20)", got)
	}
	// A claim larger than the whole budget never waits.
	if err := b.Claim().Grow(ctx, 101); !errors.Is(err, ErrBusy) {
		t.Fatalf("claim over the budget: %v", err)
	}
	c1.Release()
	c3.Release()
	if b.InUse() != 0 || waiters(b) != 0 {
		t.Fatalf("after every release: %d in use, %d waiting", b.InUse(), waiters(b))
	}
}

// TestClaimsDoNotStarveEachOther: many bodies growing at once past the budget do not
// all wait for each other until they are all refused: the oldest finish.
func TestClaimsDoNotStarveEachOther(t *testing.T) {
	t.Parallel()
	b := NewBudget(1 << 20)
	// No wait ever ends: progress must come from the claims giving way, not from
	// timers (a set of claims waiting for each other would sit until the hang guard).
	b.Wait = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var done, refused atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	// Every body has 64 KiB: together they fill the budget, then all ask for more.
	claims := make([]*Claim, 16)
	for i := range claims {
		claims[i] = b.Claim()
		if err := claims[i].Grow(context.Background(), 64<<10); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range claims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Release()
			<-start
			for got := 64 << 10; got < 300<<10; got += 4 << 10 {
				if err := c.Grow(ctx, 4<<10); err != nil {
					refused.Add(1)
					return
				}
			}
			done.Add(1)
		}()
	}
	close(start)
	wg.Wait()
	if done.Load() == 0 {
		t.Fatalf("16 bodies of 300 KiB over a 1 MiB budget: none finished (%d refused)", refused.Load())
	}
	if b.InUse() != 0 || waiters(b) != 0 {
		t.Fatalf("after every release: %d in use, %d waiting", b.InUse(), waiters(b))
	}
	t.Logf("%d finished, %d refused", done.Load(), refused.Load())
}
