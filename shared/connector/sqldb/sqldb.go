package sqldb

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

//go:embed schema.sql
var schemaSQL string

// migrateLockID is the pg_advisory_xact_lock key Migrate holds; any constant works as
// long as every Switchboard process uses the same one.
const migrateLockID int64 = 0x5357_4244_0001 // "SWBD" v1

// Options configure DB. The zero value of every field but DSN is the documented
// default.
type Options struct {
	// DSN is a libpq connection string or URL (postgres://user:pass@host:5432/db). It
	// holds a password: never log it.
	DSN string
	// DSNFunc, used when DSN is empty, supplies the DSN when the first query needs
	// the pool (from a secret store): Open then makes no call, and a store that is
	// down fails that query (with the func's error) instead of the process start.
	DSNFunc func(ctx context.Context) (string, error)
	// MaxConns caps the pool. A Lambda instance serves one request at a time, so a
	// handful of connections per instance is plenty, and with hundreds of warm
	// instances a larger pool would exhaust the server's max_connections. Default 2.
	MaxConns int32
	// MaxConnIdleTime closes connections idle this long, so a function that went
	// quiet does not hold server slots. Default 5m.
	MaxConnIdleTime time.Duration
	// MaxConnLifetime recycles connections (e.g. after a failover). Default 30m.
	MaxConnLifetime time.Duration
	// StatementTimeout is set as the session's statement_timeout, so a query the
	// client gave up on does not keep running on the server. Default 3s; negative
	// disables it.
	StatementTimeout time.Duration
	// ConnectTimeout bounds one connection attempt. Default 3s.
	ConnectTimeout time.Duration
	// Schema, when set, becomes the search_path: the tables (or views) live there.
	Schema string
	// Password, when set, supplies the password of every new connection (from a
	// secret store), so a rotated password reaches the next connection without a
	// restart. After the server refused the credentials (SQLSTATE class 28) the next
	// connection asks with refresh true: drop any cached copy and fetch it again.
	Password func(ctx context.Context, refresh bool) (string, error)
	// TicketBaseURL + id is a ticket's URL; empty leaves Ticket.URL empty.
	TicketBaseURL string
	Logger        *slog.Logger
}

// DB implements connector.CustomerDirectory, connector.CustomerUpdater,
// connector.Helpdesk and connector.Pinger.
// It is safe for concurrent use; create one per process and Close it on shutdown.
type DB struct {
	mu   sync.Mutex
	pool atomic.Pointer[pgxpool.Pool] // nil until a lazy DSN is known
	opts Options
	log  *slog.Logger
	// authFailed makes the next connection refresh the password.
	authFailed atomic.Bool
}

var (
	_ connector.CustomerDirectory = (*DB)(nil)
	_ connector.CustomerUpdater   = (*DB)(nil)
	_ connector.Helpdesk          = (*DB)(nil)
	_ connector.Pinger            = (*DB)(nil)
)

// Open builds the pool. It does not connect: the first query does, so a cold start
// pays for a connection only when an intent needs the database. With DSNFunc instead of
// DSN it does not even read the DSN: the first query does.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.DSN == "" && opts.DSNFunc == nil {
		return nil, errors.New("sqldb: no DSN configured")
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 2
	}
	if opts.MaxConnIdleTime <= 0 {
		opts.MaxConnIdleTime = 5 * time.Minute
	}
	if opts.MaxConnLifetime <= 0 {
		opts.MaxConnLifetime = 30 * time.Minute
	}
	if opts.StatementTimeout == 0 {
		opts.StatementTimeout = 3 * time.Second
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 3 * time.Second
	}
	d := &DB{opts: opts, log: opts.Logger}
	if d.log == nil {
		d.log = slog.Default()
	}
	if opts.DSN != "" {
		pool, err := d.newPool(ctx, opts.DSN)
		if err != nil {
			return nil, err
		}
		d.pool.Store(pool)
	}
	return d, nil
}

// getPool returns the pool, building it from DSNFunc on first use. A failure is
// returned (classified) and tried again by the next query.
func (d *DB) getPool(ctx context.Context, op string) (*pgxpool.Pool, error) {
	if p := d.pool.Load(); p != nil {
		return p, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.pool.Load(); p != nil {
		return p, nil
	}
	dsn, err := d.opts.DSNFunc(ctx)
	if err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) {
			return nil, err // the func classified it (a secret store that is down)
		}
		return nil, &connector.Error{Kind: connector.KindUnauthorized, Tool: Tool, Op: op, Err: err}
	}
	p, err := d.newPool(ctx, dsn)
	if err != nil {
		return nil, &connector.Error{Kind: connector.KindInvalidInput, Tool: Tool, Op: op, Err: err}
	}
	d.pool.Store(p)
	return p, nil
}

// newPool configures a pool on dsn; it does not connect.
func (d *DB) newPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	opts := d.opts
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included: say only that it
		// did not parse.
		return nil, errors.New("sqldb: the DSN does not parse as a PostgreSQL connection string or URL")
	}
	cfg.MaxConns = opts.MaxConns
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = opts.MaxConnIdleTime
	cfg.MaxConnLifetime = opts.MaxConnLifetime
	cfg.MaxConnLifetimeJitter = opts.MaxConnLifetime / 10
	cfg.HealthCheckPeriod = time.Minute
	// A thawed Lambda may hold connections the server or a NAT dropped while it was
	// frozen; pgxpool pings connections idle over a second before use, and this bounds
	// that ping.
	cfg.PingTimeout = time.Second
	cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "switchboard"
	if opts.Password != nil {
		cfg.BeforeConnect = func(ctx context.Context, cc *pgx.ConnConfig) error {
			pw, err := opts.Password(ctx, d.authFailed.Swap(false))
			if err != nil {
				var ce *connector.Error
				if errors.As(err, &ce) {
					return err // the hook classified it (a secret store that is down)
				}
				return &connector.Error{Kind: connector.KindUnauthorized, Tool: Tool, Op: "connect", Err: err}
			}
			if pw != "" { // "" keeps the DSN's own (trust or certificate auth)
				cc.Password = pw
			}
			return nil
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sqldb: %w", err)
	}
	return pool, nil
}

// Close closes every connection.
func (d *DB) Close() {
	if p := d.pool.Load(); p != nil {
		p.Close()
	}
}

// Pool exposes the pool for wiring that needs it (metrics, shared use); nil while a
// lazy DSN has not been read.
func (d *DB) Pool() *pgxpool.Pool { return d.pool.Load() }

// Migrate creates the tables and indexes of schema.sql when they are missing, in one
// transaction under an advisory lock: concurrent cold starts serialize instead of
// failing on each other's CREATE, and a failure leaves nothing half-made.
func (d *DB) Migrate(ctx context.Context) error {
	const op = "migrate"
	pool, err := d.getPool(ctx, op)
	if err != nil {
		return err
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return d.fail(ctx, op, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockID); err != nil {
		return d.fail(ctx, op, err)
	}
	// Exec without arguments uses the simple protocol, which runs the whole
	// multi-statement file.
	if _, err := tx.Exec(ctx, schemaSQL); err != nil {
		return d.fail(ctx, op, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return d.fail(ctx, op, err)
	}
	return nil
}

// Ping proves the credentials and the schema: it reads one customer's id and address
// columns (no customer is fine), so a table or view without the address columns
// (schema version 1) is reported.
func (d *DB) Ping(ctx context.Context) error {
	var id string
	pool, err := d.getPool(ctx, "ping")
	if err != nil {
		return err
	}
	err = pool.QueryRow(ctx, "SELECT id::text, street, city, region, postal_code, country FROM customers LIMIT 1").
		Scan(&id, nil, nil, nil, nil, nil)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return d.fail(ctx, "ping", err)
	}
	return nil
}

// fail maps err and remembers a refusal of the credentials, so the next connection
// fetches the password again (it may have been rotated).
func (d *DB) fail(ctx context.Context, op string, err error) error {
	e := mapError(ctx, op, err)
	if connector.KindOf(e) == connector.KindUnauthorized {
		d.authFailed.Store(true)
	}
	return e
}

func invalid(op, field, msg string) error {
	return &connector.Error{Kind: connector.KindInvalidInput, Tool: Tool, Op: op, Field: field, Err: errors.New(msg)}
}
