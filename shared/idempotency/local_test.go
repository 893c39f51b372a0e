package idempotency_test

import (
	"context"
	"strings"
	"testing"
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
	if r := m.Handle(ctx, other); r.Outcome != conversation.OutcomeFailed || !strings.Contains(r.Text(), "different request") {
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
