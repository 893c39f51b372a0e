package demo

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"

	"modernc.org/sqlite" // registers the "sqlite" database/sql driver (pure Go)
	sqlite3 "modernc.org/sqlite/lib"
)

// Tool is the name the demo backend reports in its connector errors.
const Tool = "demo"

// Limits for list and search calls: a limit of 0 or less means DefaultLimit, and no
// call returns more than MaxLimit items.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// maxReaders bounds the read connections: lookups take microseconds, so a few
// connections serve any realistic concurrency on a laptop.
const maxReaders = 4

// Backend is the demo business backend. It implements connector.CustomerDirectory,
// connector.CustomerUpdater, connector.Helpdesk, connector.Payments, connector.KnowledgeBase and
// connector.Pinger, and is safe for concurrent use.
type Backend struct {
	db *sql.DB
	// keep pins one connection for an in-memory database, which SQLite frees when
	// its last connection closes.
	keep *sql.Conn
	// writeMu serializes writes so concurrent ticket creations queue in Go rather than
	// spinning in SQLite's busy handler.
	writeMu sync.Mutex
	st      statements

	closeOnce sync.Once
	closeErr  error
}

var (
	_ connector.CustomerDirectory = (*Backend)(nil)
	_ connector.CustomerUpdater   = (*Backend)(nil)
	_ connector.Helpdesk          = (*Backend)(nil)
	_ connector.Payments          = (*Backend)(nil)
	_ connector.KnowledgeBase     = (*Backend)(nil)
	_ connector.Pinger            = (*Backend)(nil)
)

// Open opens (creating if needed) the demo database at path and seeds it. A path of ""
// or ":memory:" opens a private in-memory database; any other path is a file whose
// parent directory is created. Seeding happens once per seed version, so tickets
// created in an earlier run persist and seed rows are never duplicated.
func Open(ctx context.Context, path string) (*Backend, error) {
	dsn, memory, err := dataSource(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("demo: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxReaders + 1)
	db.SetMaxIdleConns(maxReaders + 1)
	b := &Backend{db: db}
	if memory {
		if b.keep, err = db.Conn(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("demo: open in-memory database: %w", err)
		}
	}
	if err := migrateRetrying(ctx, db); err != nil {
		b.Close()
		return nil, err
	}
	if err := b.st.prepare(ctx, db); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// dataSource builds the driver DSN. Every connection gets a busy timeout (writers
// from another process wait instead of failing) and immediate write transactions (so
// a seeding transaction never has to upgrade a read lock, which can deadlock).
func dataSource(path string) (dsn string, memory bool, err error) {
	params := "_pragma=busy_timeout(5000)&_txlock=immediate"
	if path == "" || path == ":memory:" {
		// memdb lets several connections share one in-memory database with normal
		// locking; the random name keeps two Backends in one process apart.
		var r [8]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", false, fmt.Errorf("demo: name in-memory database: %w", err)
		}
		return "file:/switchboard-demo-" + hex.EncodeToString(r[:]) + "?vfs=memdb&" + params, true, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false, fmt.Errorf("demo: database path %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return "", false, fmt.Errorf("demo: create directory for %s: %w", path, err)
	}
	// A file: URI with an escaped path, so a '?' or '#' in a directory name cannot be
	// mistaken for the start of the parameters. WAL lets readers run while a ticket is
	// written; NORMAL sync is durable across application crashes in WAL mode.
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	return "file:" + u.EscapedPath() + "?" + params +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)", false, nil
}

// Close releases the database. Calls after the first return the first result.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() {
		errs := []error{b.st.close()}
		if b.keep != nil {
			errs = append(errs, b.keep.Close())
		}
		errs = append(errs, b.db.Close())
		b.closeErr = errors.Join(errs...)
	})
	return b.closeErr
}

// Ping proves the database answers by reading one customer.
func (b *Backend) Ping(ctx context.Context) error {
	var id int64
	err := b.st.ping.QueryRowContext(ctx).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return &connector.Error{Kind: connector.KindUnavailable, Tool: Tool, Op: "ping",
			Err: errors.New("the demo database holds no customers")}
	}
	return fail("ping", err)
}

// fail wraps a database error as a connector error. Every failure of an embedded
// database (cancelled context, closed backend, disk trouble) means the tool cannot
// answer now, which is KindUnavailable; the cause stays reachable for errors.Is, so a
// deadline is still recognisable as context.DeadlineExceeded.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return &connector.Error{Kind: connector.KindUnavailable, Tool: Tool, Op: op, Err: err}
}

func invalid(op, field, msg string) error {
	return &connector.Error{Kind: connector.KindInvalidInput, Tool: Tool, Op: op, Field: field, Err: errors.New(msg)}
}

func clampLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}

// statements are prepared once; database/sql re-prepares each lazily on every pooled
// connection, so a lookup costs one bind and one step.
type statements struct {
	ping, customer, updateCustomer, openTickets, ticketByExternalID, insertTicket *sql.Stmt
	payment, recentPayments, search                                               *sql.Stmt
}

func (s *statements) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&s.ping, `SELECT id FROM customers LIMIT 1`},
		{&s.customer, `SELECT ` + customerColumns + ` FROM customers WHERE email = ?`},
		{&s.updateCustomer, updateCustomer},
		{&s.openTickets, `SELECT ` + ticketColumns + ` FROM tickets
			WHERE requester_email = ? AND status IN ('new', 'open', 'pending', 'hold')
			ORDER BY created_at DESC, id DESC`},
		{&s.ticketByExternalID, `SELECT ` + ticketColumns + ` FROM tickets WHERE external_id = ?`},
		{&s.insertTicket, `INSERT INTO tickets
			(subject, description, status, priority, requester_email, requester_name, external_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (external_id) DO NOTHING
			RETURNING ` + ticketColumns},
		{&s.payment, `SELECT ` + paymentColumns + ` FROM payments WHERE id = ?1
			UNION ALL
			SELECT ` + paymentColumns + ` FROM payments WHERE order_number = ?1 AND id <> ?1
			LIMIT 1`},
		{&s.recentPayments, `SELECT ` + paymentColumns + ` FROM payments
			WHERE customer_email = ? ORDER BY created_at DESC, id DESC LIMIT ?`},
		{&s.search, searchQuery},
	} {
		st, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			return fmt.Errorf("demo: prepare %q: %w", p.query, err)
		}
		*p.dst = st
	}
	return nil
}

func (s *statements) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.ping, s.customer, s.updateCustomer, s.openTickets, s.ticketByExternalID, s.insertTicket,
		s.payment, s.recentPayments, s.search} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// migrateRetrying runs migrate, again on SQLITE_BUSY. Several processes (or Backends)
// opening one new file at once race to switch it to WAL mode; SQLite answers some of
// those lock transitions with SQLITE_BUSY without calling the busy handler, so the
// busy_timeout alone does not cover them. The seed is one transaction, so a retry is
// safe.
func migrateRetrying(ctx context.Context, db *sql.DB) error {
	for attempt := 1; ; attempt++ {
		err := migrate(ctx, db)
		var se *sqlite.Error
		if err == nil || attempt == 10 || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 20 * time.Millisecond):
		}
	}
}
