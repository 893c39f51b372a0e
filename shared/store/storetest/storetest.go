package storetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/store"
)

// Clock is a settable clock for expiry tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Factory returns a backend whose notion of "now" is the given function. It is called
// once per subtest; backends may share one table or file, since keys are unique.
type Factory func(t *testing.T, now func() time.Time) store.Store

// Run runs the contract suite against the backend f builds.
func Run(t *testing.T, f Factory) {
	t.Helper()
	// A fixed, recent start keeps real DynamoDB semantics (TTL in the near future) and
	// makes precision loss visible: the nanoseconds must be dropped, not rounded.
	start := time.Now().Truncate(time.Second).Add(123456789 * time.Nanosecond)
	setup := func(t *testing.T) (context.Context, store.Store, *Clock, string) {
		t.Helper()
		clock := NewClock(start)
		s := f(t, clock.Now)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		t.Cleanup(cancel)
		key := store.Key("contract", "idem", t.Name(), start.String())
		return ctx, s, clock, key
	}
	inProgress := func(key string, now time.Time) store.Record {
		return store.Record{
			Key:                  key,
			Status:               store.StatusInProgress,
			Expiration:           now.Add(time.Hour),
			InProgressExpiration: now.Add(5 * time.Second),
			PayloadHash:          store.Hash("payload"),
		}
	}

	t.Run("create then get returns the record at stored precision", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		rec := inProgress(key, clock.Now())
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		got, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		assertRecord(t, got, rec)
	})

	t.Run("create over a live record returns it", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		first := inProgress(key, clock.Now())
		if err := s.Create(ctx, first); err != nil {
			t.Fatalf("first Create: %v", err)
		}
		second := first
		second.PayloadHash = store.Hash("other payload")
		err := s.Create(ctx, second)
		var ex *store.ExistsError
		if !errors.As(err, &ex) || !errors.Is(err, store.ErrExists) {
			t.Fatalf("second Create = %v, want *ExistsError", err)
		}
		assertRecord(t, ex.Record, first)
	})

	t.Run("expired record is gone for readers and replaceable", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		rec := inProgress(key, clock.Now())
		rec.Status = store.StatusCompleted
		rec.Expiration = clock.Now().Add(10 * time.Second)
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		clock.Advance(9 * time.Second)
		if _, err := s.Get(ctx, key); err != nil {
			t.Fatalf("Get before expiry: %v", err)
		}
		clock.Advance(time.Second)
		if _, err := s.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get at expiry = %v, want ErrNotFound", err)
		}
		again := inProgress(key, clock.Now())
		if err := s.Create(ctx, again); err != nil {
			t.Fatalf("Create over expired record: %v", err)
		}
		got, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		assertRecord(t, got, again)
	})

	t.Run("in-progress lock expiry lets another caller take over", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		rec := inProgress(key, clock.Now())
		rec.InProgressExpiration = clock.Now().Add(1500 * time.Millisecond)
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		clock.Advance(1499 * time.Millisecond)
		if err := s.Create(ctx, inProgress(key, clock.Now())); !errors.Is(err, store.ErrExists) {
			t.Fatalf("Create before lock expiry = %v, want ErrExists", err)
		}
		clock.Advance(time.Millisecond)
		if err := s.Create(ctx, inProgress(key, clock.Now())); err != nil {
			t.Fatalf("Create after lock expiry: %v", err)
		}
	})

	t.Run("completed record is not taken over when its old lock time passes", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		rec := inProgress(key, clock.Now())
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		done := rec
		done.Data = []byte(`{"outcome":"fulfilled"}`)
		if err := s.Complete(ctx, done); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		clock.Advance(time.Minute) // past InProgressExpiration, before Expiration
		err := s.Create(ctx, inProgress(key, clock.Now()))
		var ex *store.ExistsError
		if !errors.As(err, &ex) {
			t.Fatalf("Create over completed record = %v, want *ExistsError", err)
		}
		if ex.Record.Status != store.StatusCompleted || !bytes.Equal(ex.Record.Data, done.Data) {
			t.Fatalf("existing record = %+v, want the completed one", ex.Record)
		}
	})

	t.Run("complete stores data, hash and new expiration", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		rec := inProgress(key, clock.Now())
		if err := s.Create(ctx, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		done := rec
		done.Status = store.StatusCompleted
		done.Data = []byte(`{"outcome":"fulfilled","messages":["Ticket #42 created."]}`)
		done.Expiration = clock.Now().Add(2 * time.Hour)
		if err := s.Complete(ctx, done); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		got, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if got.Status != store.StatusCompleted || !bytes.Equal(got.Data, done.Data) ||
			got.PayloadHash != done.PayloadHash || got.Expiration.Unix() != done.Expiration.Unix() {
			t.Fatalf("after Complete got %+v, want %+v", got, done)
		}
	})

	t.Run("complete of a missing key creates it", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		done := store.Record{Key: key, Data: []byte(`{}`), PayloadHash: "h", Expiration: clock.Now().Add(time.Hour)}
		if err := s.Complete(ctx, done); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		got, err := s.Get(ctx, key)
		if err != nil || got.Status != store.StatusCompleted || got.PayloadHash != "h" {
			t.Fatalf("Get = %+v, %v; want COMPLETED with hash h", got, err)
		}
	})

	t.Run("delete frees the key and tolerates missing keys", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		if err := s.Create(ctx, inProgress(key, clock.Now())); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete of missing key: %v", err)
		}
		if err := s.Create(ctx, inProgress(key, clock.Now())); err != nil {
			t.Fatalf("Create after Delete: %v", err)
		}
	})

	t.Run("get of a missing key is ErrNotFound", func(t *testing.T) {
		ctx, s, _, key := setup(t)
		if _, err := s.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get = %v, want ErrNotFound", err)
		}
	})

	t.Run("put overwrites cache entries and keeps fetch time", func(t *testing.T) {
		ctx, s, clock, _ := setup(t)
		key := store.Key("contract", "cache", t.Name(), start.String())
		first := store.Record{Key: key, Data: []byte(`{"v":1}`), FetchedAt: clock.Now(), Expiration: clock.Now().Add(24 * time.Hour)}
		if err := s.Put(ctx, first); err != nil {
			t.Fatalf("Put: %v", err)
		}
		clock.Advance(3 * time.Second)
		second := store.Record{Key: key, Data: []byte(`{"v":2}`), FetchedAt: clock.Now(), Expiration: clock.Now().Add(24 * time.Hour)}
		if err := s.Put(ctx, second); err != nil {
			t.Fatalf("second Put: %v", err)
		}
		got, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		assertRecord(t, got, second)
	})

	t.Run("payloads up to 32 KiB round-trip byte for byte", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		data := []byte(strings.Repeat("é\x00\"{}", 32<<10/7))
		rec := store.Record{Key: key, Data: data, FetchedAt: clock.Now(), Expiration: clock.Now().Add(time.Hour)}
		if err := s.Put(ctx, rec); err != nil {
			t.Fatalf("Put: %v", err)
		}
		got, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if !bytes.Equal(got.Data, data) {
			t.Fatalf("data changed in the round trip (%d bytes in, %d out)", len(data), len(got.Data))
		}
	})

	t.Run("create guarded: a free guard lets the record be written, and is not written", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		guard := key + "-guard"
		rec := inProgress(key, clock.Now())
		if err := s.CreateGuarded(ctx, rec, guard); err != nil {
			t.Fatalf("CreateGuarded: %v", err)
		}
		got, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		assertRecord(t, got, rec)
		if _, err := s.Get(ctx, guard); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get(guard) = %v, want ErrNotFound: the guard is only read", err)
		}
	})

	t.Run("create guarded: a live guard refuses with its record and nothing is written", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		guard := key + "-guard"
		held := store.Record{Key: guard, Status: store.StatusUnknown, Expiration: clock.Now().Add(24 * time.Hour), Data: []byte(`{"external_id":"x"}`)}
		if err := s.Put(ctx, held); err != nil {
			t.Fatalf("Put guard: %v", err)
		}
		err := s.CreateGuarded(ctx, inProgress(key, clock.Now()), guard)
		var ge *store.GuardedError
		if !errors.As(err, &ge) || !errors.Is(err, store.ErrGuarded) || errors.Is(err, store.ErrExists) {
			t.Fatalf("CreateGuarded = %v, want *GuardedError", err)
		}
		assertRecord(t, ge.Record, held)
		if _, err := s.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get(key) = %v, want ErrNotFound: a refused create writes nothing", err)
		}
		// Once the guard expires, it holds nothing.
		clock.Advance(24 * time.Hour)
		if err := s.CreateGuarded(ctx, inProgress(key, clock.Now()), guard); err != nil {
			t.Fatalf("CreateGuarded past the guard's expiry: %v", err)
		}
	})

	t.Run("create guarded: the record's own key wins over the guard", func(t *testing.T) {
		ctx, s, clock, key := setup(t)
		guard := key + "-guard"
		first := inProgress(key, clock.Now())
		if err := s.Create(ctx, first); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if err := s.Put(ctx, store.Record{Key: guard, Status: store.StatusUnknown, Expiration: clock.Now().Add(time.Hour)}); err != nil {
			t.Fatalf("Put guard: %v", err)
		}
		err := s.CreateGuarded(ctx, inProgress(key, clock.Now()), guard)
		var ex *store.ExistsError
		if !errors.As(err, &ex) {
			t.Fatalf("CreateGuarded = %v, want *ExistsError", err)
		}
		assertRecord(t, ex.Record, first)
		// An in-progress record whose owner ran out of time is replaceable, guarded or not.
		clock.Advance(6 * time.Second)
		if err := s.Delete(ctx, guard); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateGuarded(ctx, inProgress(key, clock.Now()), guard); err != nil {
			t.Fatalf("CreateGuarded over an expired lock: %v", err)
		}
	})

	for _, c := range []struct {
		name   string
		create func(ctx context.Context, s store.Store, rec store.Record) error
	}{
		{"concurrent creates of one key: exactly one wins", func(ctx context.Context, s store.Store, rec store.Record) error {
			return s.Create(ctx, rec)
		}},
		{"concurrent guarded creates of one key: exactly one wins", func(ctx context.Context, s store.Store, rec store.Record) error {
			return s.CreateGuarded(ctx, rec, rec.Key+"-guard")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, s, clock, key := setup(t)
			won, lost, other := Race(20, func() error { return c.create(ctx, s, inProgress(key, clock.Now())) }, store.ErrExists)
			if won != 1 || lost != 19 || len(other) > 0 {
				t.Fatalf("won=%d lost=%d errors=%v; want exactly one winner", won, lost, other)
			}
		})
	}

	t.Run("a cancelled context is an error, not a miss", func(t *testing.T) {
		_, s, _, key := setup(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Get(ctx, key); err == nil || errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get with cancelled ctx = %v, want a context error", err)
		}
	})
}

func assertRecord(t *testing.T, got, want store.Record) {
	t.Helper()
	if got.Key != want.Key || got.Status != want.Status || got.PayloadHash != want.PayloadHash || !bytes.Equal(got.Data, want.Data) {
		t.Fatalf("record = %+v, want %+v", got, want)
	}
	if got.Expiration.Unix() != want.Expiration.Unix() {
		t.Errorf("Expiration = %v, want %v (second precision)", got.Expiration, want.Expiration)
	}
	if got.InProgressExpiration.UnixMilli() != want.InProgressExpiration.UnixMilli() {
		t.Errorf("InProgressExpiration = %v, want %v (millisecond precision)", got.InProgressExpiration, want.InProgressExpiration)
	}
	if got.FetchedAt.UnixMilli() != want.FetchedAt.UnixMilli() {
		t.Errorf("FetchedAt = %v, want %v (millisecond precision)", got.FetchedAt, want.FetchedAt)
	}
}

// Race runs f n times at once and counts the calls that returned nil (won), an error
// matching refused (lost), and any other error.
func Race(n int, f func() error, refused error) (won, lost int, other []error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, refused):
				lost++
			default:
				other = append(other, err)
			}
		}()
	}
	wg.Wait()
	return won, lost, other
}
