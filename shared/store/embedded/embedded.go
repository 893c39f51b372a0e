package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/switchboard-dev/switchboard/shared/store"
)

// Options configure the embedded store. The zero value is the default.
type Options struct {
	// Now is the clock used for expiry (time.Now when nil).
	Now func() time.Time
}

// Store is a store.Store over one SQLite file.
type Store struct {
	db  *sql.DB
	now func() time.Time
	// writeMu queues this process's writers in Go. SQLite admits one writer at a
	// time; without the queue, concurrent turns would meet SQLITE_BUSY and sleep in
	// its busy handler (milliseconds each). busy_timeout still arbitrates between
	// processes sharing the file.
	writeMu sync.Mutex
	st      statements
}

// statements are prepared once: preparing a statement costs as much as running it.
type statements struct {
	get, put, complete, del *sql.Stmt
}

var _ store.Store = (*Store)(nil)

const schema = `CREATE TABLE IF NOT EXISTS records (
	id                     TEXT PRIMARY KEY,
	status                 TEXT NOT NULL DEFAULT '',
	expiration             INTEGER,
	in_progress_expiration INTEGER,
	validation             TEXT NOT NULL DEFAULT '',
	data                   BLOB,
	fetched_at             INTEGER
) WITHOUT ROWID`

// Open opens (creating if needed) the database file at path and its directory. Expired
// records are swept on open, since nothing else deletes them.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("embedded: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
	}
	q := url.Values{}
	// A writer waits for another process's lock instead of failing at once, and
	// BEGIN IMMEDIATE makes Create's read-then-write atomic across processes too.
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	// One writer at a time is all SQLite allows; a small pool still lets reads overlap.
	db.SetMaxOpenConns(4)
	s := &Store{db: db, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("embedded: create schema in %s: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM records WHERE expiration IS NOT NULL AND expiration <= ?`, s.now().Unix()); err != nil {
		db.Close()
		return nil, fmt.Errorf("embedded: sweep %s: %w", path, err)
	}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&s.st.get, `SELECT ` + columns + ` FROM records WHERE id = ?`},
		{&s.st.put, `INSERT OR REPLACE INTO records (id, ` + columns + `) VALUES (?, ?, ?, ?, ?, ?, ?)`},
		{&s.st.complete, `INSERT INTO records (id, status, expiration, validation, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, expiration = excluded.expiration,
			validation = excluded.validation, data = excluded.data`},
		{&s.st.del, `DELETE FROM records WHERE id = ?`},
	} {
		if *p.dst, err = db.PrepareContext(ctx, p.query); err != nil {
			db.Close()
			return nil, fmt.Errorf("embedded: prepare: %w", err)
		}
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	for _, st := range []*sql.Stmt{s.st.get, s.st.put, s.st.complete, s.st.del} {
		st.Close()
	}
	return s.db.Close()
}

const columns = `status, expiration, in_progress_expiration, validation, data, fetched_at`

type scanner interface{ Scan(dest ...any) error }

func scanRecord(key string, row scanner) (store.Record, error) {
	var (
		rec                 store.Record
		status, hash        string
		exp, ipe, fetchedAt sql.NullInt64
		data                []byte
	)
	if err := row.Scan(&status, &exp, &ipe, &hash, &data, &fetchedAt); err != nil {
		return rec, err
	}
	rec.Key = key
	rec.Status = store.Status(status)
	rec.PayloadHash = hash
	rec.Data = data
	if exp.Valid {
		rec.Expiration = time.Unix(exp.Int64, 0)
	}
	if ipe.Valid {
		rec.InProgressExpiration = time.UnixMilli(ipe.Int64)
	}
	if fetchedAt.Valid {
		rec.FetchedAt = time.UnixMilli(fetchedAt.Int64)
	}
	return rec, nil
}

func seconds(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

func millis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func (s *Store) write(ctx context.Context, put *sql.Stmt, rec store.Record) error {
	_, err := put.ExecContext(ctx,
		rec.Key, string(rec.Status), seconds(rec.Expiration), millis(rec.InProgressExpiration), rec.PayloadHash, rec.Data, millis(rec.FetchedAt))
	return err
}

// Create implements store.Store.
func (s *Store) Create(ctx context.Context, rec store.Record) error {
	return s.CreateGuarded(ctx, rec, "")
}

// CreateGuarded implements store.Store: both reads and the write run in one
// BEGIN IMMEDIATE transaction, so they are atomic across processes too.
func (s *Store) CreateGuarded(ctx context.Context, rec store.Record, guard string) error {
	if guard == rec.Key {
		return fmt.Errorf("embedded: create %s: the guard is the record's own key", rec.Key)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("embedded: create %s: %w", rec.Key, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	get := tx.StmtContext(ctx, s.st.get)
	now := s.now()
	old, err := scanRecord(rec.Key, get.QueryRowContext(ctx, rec.Key))
	switch {
	case err == nil && !old.Replaceable(now):
		return &store.ExistsError{Record: old}
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("embedded: create %s: %w", rec.Key, err)
	}
	if guard != "" {
		g, err := scanRecord(guard, get.QueryRowContext(ctx, guard))
		switch {
		case err == nil && !g.Expired(now):
			return &store.GuardedError{Record: g}
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("embedded: create %s: guard: %w", rec.Key, err)
		}
	}
	if err := s.write(ctx, tx.StmtContext(ctx, s.st.put), rec); err != nil {
		return fmt.Errorf("embedded: create %s: %w", rec.Key, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("embedded: create %s: %w", rec.Key, err)
	}
	return nil
}

// Complete implements store.Store.
func (s *Store) Complete(ctx context.Context, rec store.Record) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.st.complete.ExecContext(ctx, rec.Key, string(store.StatusCompleted), seconds(rec.Expiration), rec.PayloadHash, rec.Data)
	if err != nil {
		return fmt.Errorf("embedded: complete %s: %w", rec.Key, err)
	}
	return nil
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) (store.Record, error) {
	rec, err := scanRecord(key, s.st.get.QueryRowContext(ctx, key))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && rec.Expired(s.now())) {
		return store.Record{}, store.ErrNotFound
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("embedded: get %s: %w", key, err)
	}
	return rec, nil
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, rec store.Record) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.write(ctx, s.st.put, rec); err != nil {
		return fmt.Errorf("embedded: put %s: %w", rec.Key, err)
	}
	return nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.st.del.ExecContext(ctx, key); err != nil {
		return fmt.Errorf("embedded: delete %s: %w", key, err)
	}
	return nil
}
