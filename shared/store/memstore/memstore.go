// Package memstore is a store.Store held in process memory: for tests, benchmarks and
// single-process runs that need no persistence. It passes the same contract suite as
// the DynamoDB and embedded backends.
package memstore

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/store"
)

// Store is an in-memory store.Store, safe for concurrent use.
type Store struct {
	now func() time.Time

	mu   sync.Mutex
	recs map[string]store.Record
}

var _ store.Store = (*Store)(nil)

// New returns an empty store using now as its clock (time.Now when nil).
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{now: now, recs: map[string]store.Record{}}
}

// Records are stored at the precision the table keeps (seconds for expiration,
// milliseconds for the other times), so code tested here behaves as on DynamoDB.
func normalize(rec store.Record) store.Record {
	if !rec.Expiration.IsZero() {
		rec.Expiration = time.Unix(rec.Expiration.Unix(), 0)
	}
	if !rec.InProgressExpiration.IsZero() {
		rec.InProgressExpiration = time.UnixMilli(rec.InProgressExpiration.UnixMilli())
	}
	if !rec.FetchedAt.IsZero() {
		rec.FetchedAt = time.UnixMilli(rec.FetchedAt.UnixMilli())
	}
	rec.Data = bytes.Clone(rec.Data)
	return rec
}

func clone(rec store.Record) store.Record {
	rec.Data = bytes.Clone(rec.Data)
	return rec
}

// Create implements store.Store.
func (s *Store) Create(ctx context.Context, rec store.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.recs[rec.Key]; ok && !old.Replaceable(s.now()) {
		return &store.ExistsError{Record: clone(old)}
	}
	s.recs[rec.Key] = normalize(rec)
	return nil
}

// CreateGuarded implements store.Store.
func (s *Store) CreateGuarded(ctx context.Context, rec store.Record, guard string) error {
	if guard == "" {
		return s.Create(ctx, rec)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if guard == rec.Key {
		return fmt.Errorf("memstore: create %s: the guard is the record's own key", rec.Key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if old, ok := s.recs[rec.Key]; ok && !old.Replaceable(now) {
		return &store.ExistsError{Record: clone(old)}
	}
	if g, ok := s.recs[guard]; ok && !g.Expired(now) {
		return &store.GuardedError{Record: clone(g)}
	}
	s.recs[rec.Key] = normalize(rec)
	return nil
}

// Complete implements store.Store.
func (s *Store) Complete(ctx context.Context, rec store.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rec = normalize(rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.recs[rec.Key]
	old.Key = rec.Key
	old.Status = store.StatusCompleted
	old.Expiration = rec.Expiration
	old.PayloadHash = rec.PayloadHash
	old.Data = rec.Data
	s.recs[rec.Key] = old
	return nil
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) (store.Record, error) {
	if err := ctx.Err(); err != nil {
		return store.Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[key]
	if !ok || rec.Expired(s.now()) {
		return store.Record{}, store.ErrNotFound
	}
	return clone(rec), nil
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, rec store.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.recs[rec.Key] = normalize(rec)
	s.mu.Unlock()
	return nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.recs, key)
	s.mu.Unlock()
	return nil
}

// Len is the number of records held, expired ones included.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}
