package idempotency_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/memstore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
)

// countingStore counts the calls that reach the store.
type countingStore struct {
	store.Store
	creates int
}

func (c *countingStore) Create(ctx context.Context, rec store.Record) error {
	c.creates++
	return c.Store.Create(ctx, rec)
}

func (c *countingStore) CreateGuarded(ctx context.Context, rec store.Record, guard string) error {
	c.creates++
	return c.Store.CreateGuarded(ctx, rec, guard)
}

// The in-process copy of a completed turn answers exactly as the store would: same
// reply, a different payload under the same id refused, nothing after expiry, and
// nothing at all when switched off.
func TestLocalCopyOfCompletedTurns(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	st := &countingStore{Store: memstore.New(clock.Now)}
	h := &tool{reply: func(ctx context.Context, tn conversation.Turn) conversation.Reply {
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ticket #1"},
			SetSlots: map[string]*string{"ticket": conversation.Value("1")}}
	}}
	m := idempotency.New(st, h, idempotency.Options{Now: clock.Now, Expiration: time.Hour})
	tn := turn()
	tn.Deadline = time.Time{}
	ctx := context.Background()
	first := m.Handle(ctx, tn)

	// A caller that edits its reply changes neither the kept copy nor the next answer.
	first.Messages[0] = "edited"
	*first.SetSlots["ticket"] = "edited"
	again := m.Handle(ctx, tn)
	if st.creates != 1 || h.calls.Load() != 1 {
		t.Fatalf("redelivery: %d store creates, %d tool calls; want 1 and 1", st.creates, h.calls.Load())
	}
	if again.Messages[0] != "ticket #1" || *again.SetSlots["ticket"] != "1" {
		t.Fatalf("redelivery answered %+v", again)
	}

	// Same id, other slots: refused from the copy too.
	other := tn
	other.Slots = map[string]string{"email": "ada@example.com", "subject": "Something else"}
	if r := m.Handle(ctx, other); r.Outcome != conversation.OutcomeFailed || r.Text() != idempotency.PayloadMismatch.String() {
		t.Fatalf("reused id with other slots: %+v", r)
	}
	if h.calls.Load() != 1 {
		t.Fatal("the tool ran for a reused id")
	}

	// After the record's expiry the copy is gone with it: the store decides (and the
	// turn runs again, as it would with no copy).
	clock.Advance(time.Hour + time.Second)
	m.Handle(ctx, tn)
	if st.creates != 2 || h.calls.Load() != 2 {
		t.Fatalf("after expiry: %d creates, %d tool calls; want 2 and 2", st.creates, h.calls.Load())
	}

	// Switched off: every redelivery asks the store.
	off := idempotency.New(st, h, idempotency.Options{Now: clock.Now, LocalCache: -1})
	tn2 := turn()
	tn2.Deadline = time.Time{}
	off.Handle(ctx, tn2)
	off.Handle(ctx, tn2)
	if st.creates != 4 {
		t.Fatalf("local copy off: %d creates, want 4", st.creates)
	}
}

// The copy is bounded: the least recently used turn leaves first.
func TestLocalCopyIsBounded(t *testing.T) {
	st := &countingStore{Store: memstore.New(nil)}
	h := &tool{}
	m := idempotency.New(st, h, idempotency.Options{LocalCache: 2})
	ctx := context.Background()
	a, b, c := turn(), turn(), turn()
	for _, tn := range []conversation.Turn{a, b, a, c} { // a is used again, so b is the oldest when c arrives
		m.Handle(ctx, tn)
	}
	creates := st.creates
	m.Handle(ctx, a)
	m.Handle(ctx, c)
	if st.creates != creates {
		t.Fatalf("a and c should answer from the copy; %d more store calls", st.creates-creates)
	}
	m.Handle(ctx, b)
	if st.creates != creates+1 {
		t.Fatalf("b should have been evicted and asked of the store; %d more store calls", st.creates-creates)
	}
	if h.calls.Load() != 3 {
		t.Fatalf("tool called %d times, want 3 (one per turn)", h.calls.Load())
	}
}

// Deliveries of a turn this process is running wait for it in memory: one claim in the
// store, one handler call, every delivery the same reply; a different payload under the
// same id is refused; a panic still releases the waiting deliveries.
// It runs in a synctest bubble: synctest.Wait returns once every delivery is blocked,
// so the test knows the waiting deliveries have joined instead of sleeping for it.
func TestDeliveriesToTheProcessRunningTheTurnWaitInMemory(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		st := &countingStore{Store: memstore.New(nil)}
		release := make(chan struct{})
		started := make(chan struct{}, 1)
		panics := false
		h := &tool{reply: func(ctx context.Context, tn conversation.Turn) conversation.Reply {
			select {
			case started <- struct{}{}:
			default:
			}
			<-release
			if panics {
				panic("handler bug")
			}
			return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ticket #1"}}
		}}
		m := idempotency.New(st, h, idempotency.Options{})
		tn := turn()
		const n = 20
		replies := make(chan conversation.Reply, n)
		go func() { replies <- handle(m, tn) }()
		<-started
		var wg sync.WaitGroup
		for range n - 1 {
			wg.Add(1)
			go func() { defer wg.Done(); replies <- handle(m, tn) }()
		}
		other := tn
		other.Slots = map[string]string{"email": "ada@example.com", "subject": "Something else"}
		if r := handle(m, other); r.Text() != idempotency.PayloadMismatch.String() {
			t.Fatalf("different payload under a running turn's id: %+v", r)
		}
		// Every other delivery has joined the running turn and waits for it in memory:
		// none can arrive after the first has landed and answer from its copy instead.
		synctest.Wait()
		if h.calls.Load() != 1 || st.creates != 1 {
			t.Fatalf("%d handler calls, %d store claims while the first delivery runs; want 1 and 1", h.calls.Load(), st.creates)
		}
		close(release)
		wg.Wait()
		for range n {
			if r := <-replies; r.Text() != "ticket #1" {
				t.Fatalf("reply %+v", r)
			}
		}
		if h.calls.Load() != 1 || st.creates != 1 {
			t.Fatalf("%d handler calls, %d store claims; want 1 and 1", h.calls.Load(), st.creates)
		}

		// A panicking first delivery releases the deliveries waiting for it with an apology.
		panics = true
		release = make(chan struct{})
		tp := turn()
		first := make(chan any, 1)
		go func() {
			defer func() { first <- recover() }()
			handle(m, tp)
		}()
		<-started
		waiter := make(chan conversation.Reply, 1)
		go func() {
			// Should the waiter run the turn itself (it must not: it joined the first),
			// it would meet the same panic.
			defer func() {
				if recover() != nil {
					waiter <- conversation.Reply{Outcome: conversation.OutcomeFailed}
				}
			}()
			waiter <- handle(m, tp)
		}()
		synctest.Wait() // the waiter has joined the first delivery and waits for it
		start := time.Now()
		close(release)
		if p := <-first; p == nil {
			t.Fatal("the first delivery's panic was swallowed")
		}
		select {
		case r := <-waiter:
			// The apology for the interrupted turn, at once: not the "still working"
			// a waiter gets when its own deadline comes first.
			if r.Outcome != conversation.OutcomeFailed || r.Text() != idempotency.Interrupted.String() {
				t.Fatalf("waiter after a panic: %+v, want the interrupted apology", r)
			}
			if waited := time.Since(start); waited != 0 {
				t.Fatalf("waiter released %s after the panic, want at once", waited)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a delivery waiting for a panicked one was never released")
		}
	})
}
