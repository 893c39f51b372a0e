package embedded_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/embedded"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
)

func open(t testing.TB, path string, now func() time.Time) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(context.Background(), path, embedded.Options{Now: now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return open(t, filepath.Join(t.TempDir(), "store.db"), now)
	})
}

// Two handles on one file stand in for two processes (serve and a CLI invoke): the
// conditional create must hold across them.
func TestCreateIsAtomicAcrossHandles(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nested", "dir", "store.db")
	a := open(t, path, time.Now)
	b := open(t, path, time.Now)
	ctx := context.Background()
	rec := store.Record{Key: store.Key("fn", "idem", "x"), Status: store.StatusInProgress,
		Expiration: time.Now().Add(time.Hour), InProgressExpiration: time.Now().Add(time.Minute)}
	errs := make(chan error, 2)
	go func() { errs <- a.Create(ctx, rec) }()
	go func() { errs <- b.Create(ctx, rec) }()
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) {
		t.Fatalf("creates = %v, %v; want exactly one success", e1, e2)
	}
	if e := errors.Join(e1, e2); !errors.Is(e, store.ErrExists) {
		t.Fatalf("loser error = %v, want ErrExists", e)
	}
}

func TestOpenSweepsExpiredRecords(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	clock := storetest.NewClock(time.Now())
	s := open(t, path, clock.Now)
	ctx := context.Background()
	key := store.Key("fn", "cache", "old")
	if err := s.Put(ctx, store.Record{Key: key, Data: []byte("x"), FetchedAt: clock.Now(), Expiration: clock.Now().Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Second)
	s2 := open(t, path, clock.Now)
	// A clock that went backwards would make the record live again if it survived the
	// sweep; Get through a handle with the old time proves it was physically deleted.
	if _, err := s2.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get after sweep = %v, want ErrNotFound", err)
	}
	s3 := open(t, path, func() time.Time { return clock.Now().Add(-time.Hour) })
	if _, err := s3.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired record survived the sweep: %v", err)
	}
}

func TestOpenRejectsEmptyPath(t *testing.T) {
	t.Parallel()
	if _, err := embedded.Open(context.Background(), "", embedded.Options{}); err == nil {
		t.Fatal("Open(\"\") succeeded")
	}
}
