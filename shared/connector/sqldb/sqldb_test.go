package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/sqldb"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fixtures describes testdata/seed.sql (the demo backend's customers and tickets).
func fixtures() connectortest.Fixtures {
	return connectortest.Fixtures{
		KnownCustomer:        connectortest.AdaWithAddress(),
		UnknownEmail:         "nobody@example.com",
		UpdateEmail:          "edsger.dijkstra@example.nl",
		Requester:            "helpdesk.contract@example.com",
		OpenTicketEmail:      "grace.hopper@example.com",
		OpenTicketSubjects:   []string{"Add two more seats to our plan", "Webhook deliveries failing with 401"},
		ClosedTicketSubjects: []string{"SSO login loops back to the sign-in page"},
		NoTicketsEmail:       "katherine.johnson@example.com",
	}
}

func ctxT(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// seeded opens a fresh database on the test PostgreSQL server, migrates and seeds it.
func seeded(t *testing.T, o sqldb.Options) (*sqldb.DB, string) {
	t.Helper()
	dsn := testenv.Postgres(t)
	o.DSN = dsn
	db, err := sqldb.Open(ctxT(t), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctxT(t)); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	seed, err := os.ReadFile(filepath.Join("testdata", "seed.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctxT(t), string(seed)); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return db, dsn
}

func TestContract(t *testing.T) {
	db, _ := seeded(t, sqldb.Options{TicketBaseURL: "https://helpdesk.example.com/tickets/"})
	t.Run("CustomerDirectory", func(t *testing.T) { connectortest.TestCustomerDirectory(t, db, fixtures()) })
	t.Run("CustomerUpdater", func(t *testing.T) { connectortest.TestCustomerUpdater(t, db, fixtures()) })
	t.Run("Helpdesk", func(t *testing.T) { connectortest.TestHelpdesk(t, db, fixtures()) })
}

func TestMigrateIsIdempotentUnderConcurrentColdStarts(t *testing.T) {
	db, dsn := seeded(t, sqldb.Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			other, err := sqldb.Open(ctxT(t), sqldb.Options{DSN: dsn})
			if err != nil {
				errs <- err
				return
			}
			defer other.Close()
			errs <- other.Migrate(ctxT(t))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
	}
	if _, err := db.FindCustomerByEmail(ctxT(t), connectortest.AdaEmail); err != nil {
		t.Fatalf("seed lost after re-migrating: %v", err)
	}
}

// TestInjection: the inputs are bind parameters, so SQL in them is data. Every hostile
// email finds nothing (or exactly its own row), and the tables survive.
func TestInjection(t *testing.T) {
	db, _ := seeded(t, sqldb.Options{})
	ctx := ctxT(t)
	hostile := []string{
		`' OR '1'='1`,
		`' OR 1=1 --`,
		`ada@example.com' --`,
		`ada@example.com' OR email LIKE '%`,
		`x'; DROP TABLE customers; --`,
		`x"; DROP TABLE tickets; --`,
		`%`,
		`_%@example.com`,
		`\'; SELECT pg_sleep(60); --`,
		`$1`,
	}
	for _, email := range hostile {
		t.Run(email, func(t *testing.T) {
			// Were the pg_sleep(60) input run as SQL, the lookup would outlast this
			// deadline and fail instead of finding nothing.
			lookup, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			c, err := db.FindCustomerByEmail(lookup, email)
			if !errors.Is(err, connector.ErrNotFound) {
				t.Errorf("FindCustomerByEmail(%q) = %+v, %v; want not found", email, c, err)
			}
			ts, err := db.OpenTickets(ctx, email)
			if err != nil || len(ts) != 0 {
				t.Errorf("OpenTickets(%q) = %v, %v; want none", email, ts, err)
			}
		})
	}
	// Stored verbatim, read back verbatim.
	subject := `Robert'); DROP TABLE tickets; -- "quoted" \ backslash`
	tk, err := db.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "bobby.tables@example.com", Subject: subject,
		ExternalID: `ext' OR '1'='1`})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Subject != subject || tk.ExternalID != `ext' OR '1'='1` {
		t.Errorf("ticket = %+v, want the subject and external id stored verbatim", tk)
	}
	again, err := db.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "bobby.tables@example.com", Subject: "other",
		ExternalID: `ext' OR '1'='1`})
	if err != nil || again.ID != tk.ID {
		t.Errorf("retry with the hostile external id = #%s, %v; want #%s", again.ID, err, tk.ID)
	}
	var customers, tickets int
	if err := db.Pool().QueryRow(ctx, "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM tickets)").Scan(&customers, &tickets); err != nil {
		t.Fatalf("tables gone after hostile input: %v", err)
	}
	if customers != 9 || tickets != 12 {
		t.Errorf("customers=%d tickets=%d, want 9 and 12 (seed + one)", customers, tickets)
	}
}

// TestPoolReuse: a warm process serves many lookups from its few pooled connections
// instead of connecting per call (what a warm Lambda relies on).
func TestPoolReuse(t *testing.T) {
	db, _ := seeded(t, sqldb.Options{MaxConns: 2})
	ctx := ctxT(t)
	for range 50 {
		if _, err := db.FindCustomerByEmail(ctx, connectortest.AdaEmail); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, _ = db.OpenTickets(ctx, "grace.hopper@example.com")
			} else {
				_, _ = db.FindCustomerByEmail(ctx, connectortest.AdaEmail)
			}
		}()
	}
	wg.Wait()
	st := db.Pool().Stat()
	if st.TotalConns() > 2 || st.NewConnsCount() > 2 {
		t.Errorf("after 90 queries: total conns %d, new conns %d; want at most MaxConns=2 ever opened",
			st.TotalConns(), st.NewConnsCount())
	}
	var backends int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'switchboard'`).Scan(&backends); err != nil {
		t.Fatal(err)
	}
	if backends > 2 {
		t.Errorf("server sees %d switchboard connections to this database, want at most 2", backends)
	}
}

func TestDatabaseDown(t *testing.T) {
	dsn := testenv.Postgres(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	closedPort := testenv.FreePort(t)
	for _, tc := range []struct {
		name string
		dsn  string
		want *connector.Error
	}{
		{"nothing listening", fmt.Sprintf("postgres://switchboard@127.0.0.1:%d/x?sslmode=disable", closedPort), connector.ErrUnavailable},
		{"unknown role", fmt.Sprintf("postgres://no_such_role:pw-SECRET@%s:%d/%s?sslmode=disable", cfg.Host, cfg.Port, cfg.Database), connector.ErrUnauthorized},
		{"unknown database", fmt.Sprintf("postgres://switchboard@%s:%d/no_such_db?sslmode=disable", cfg.Host, cfg.Port), connector.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqldb.Open(ctxT(t), sqldb.Options{DSN: tc.dsn, ConnectTimeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			caller := ctxT(t) // 30s: the failure must come from the database, not this deadline
			_, err = db.FindCustomerByEmail(caller, connectortest.AdaEmail)
			if !errors.Is(err, tc.want) {
				t.Errorf("FindCustomerByEmail: err = %v (kind %s), want %s", err, connector.KindOf(err), tc.want.Kind)
			}
			if caller.Err() != nil {
				t.Errorf("failed only at the caller's 30s deadline (%v), want the connect timeout to bound it", caller.Err())
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error quotes the password: %v", err)
			}
			if perr := db.Ping(ctxT(t)); !errors.Is(perr, tc.want) {
				t.Errorf("Ping: err = %v, want %s", perr, tc.want.Kind)
			}
		})
	}
	if _, err := sqldb.Open(context.Background(), sqldb.Options{DSN: "postgres://u:pw-SECRET@host:notaport/db"}); err == nil ||
		strings.Contains(err.Error(), "SECRET") {
		t.Errorf("Open with a malformed DSN: err = %v, want an error without the password", err)
	}
}

// TestSlowQuery: a query stuck behind a lock is abandoned at the caller's deadline (and
// by statement_timeout on the server), reported as unavailable, and the pool recovers.
func TestSlowQuery(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     sqldb.Options
		deadline time.Duration
		wantCtx  bool
	}{
		{"caller deadline", sqldb.Options{StatementTimeout: -1}, 300 * time.Millisecond, true},
		// The caller's deadline is far beyond statement_timeout, so an answer before it
		// can only be the server's timeout.
		{"statement_timeout", sqldb.Options{StatementTimeout: 300 * time.Millisecond}, 30 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, dsn := seeded(t, tc.opts)
			locker, err := pgx.Connect(ctxT(t), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer locker.Close(context.Background())
			tx, err := locker.Begin(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctxT(t), "LOCK TABLE customers IN ACCESS EXCLUSIVE MODE"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), tc.deadline)
			defer cancel()
			_, err = db.FindCustomerByEmail(ctx, connectortest.AdaEmail)
			if !errors.Is(err, connector.ErrUnavailable) {
				t.Fatalf("err = %v (kind %s), want unavailable", err, connector.KindOf(err))
			}
			if tc.wantCtx && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want it to match context.DeadlineExceeded", err)
			}
			if !tc.wantCtx && (ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded)) {
				t.Errorf("err = %v (caller context: %v), want statement_timeout to end the query before the caller's deadline", err, ctx.Err())
			}
			if err := tx.Rollback(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FindCustomerByEmail(ctxT(t), connectortest.AdaEmail); err != nil {
				t.Errorf("after the lock is released: %v", err)
			}
		})
	}
}

func TestPingOnEmptyAndMissingSchema(t *testing.T) {
	dsn := testenv.Postgres(t)
	db, err := sqldb.Open(ctxT(t), sqldb.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(ctxT(t)); err == nil {
		t.Errorf("Ping before Migrate (no customers table) = nil, want an error")
	}
	if err := db.Migrate(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctxT(t)); err != nil {
		t.Errorf("Ping on an empty customers table: %v, want nil", err)
	}
}

// TestMigrateAddsAddressColumns: a database at schema version 1 (customers without the
// address columns) is brought to version 2 by Migrate, keeping its rows; before that,
// Ping reports the missing columns and a lookup is a typed error, not a crash.
func TestMigrateAddsAddressColumns(t *testing.T) {
	db, _ := seeded(t, sqldb.Options{})
	ctx := ctxT(t)
	if _, err := db.Pool().Exec(ctx, `ALTER TABLE customers DROP COLUMN street, DROP COLUMN city,
		DROP COLUMN region, DROP COLUMN postal_code, DROP COLUMN country;
		DELETE FROM switchboard_schema WHERE version = 2`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); !errors.Is(err, connector.ErrUnavailable) || !strings.Contains(err.Error(), "42703") {
		t.Errorf("Ping on a version-1 table: err = %v, want unavailable with SQLSTATE 42703", err)
	}
	if _, err := db.FindCustomerByEmail(ctx, connectortest.AdaEmail); !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("FindCustomerByEmail on a version-1 table: err = %v, want unavailable", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from version 1: %v", err)
	}
	rows, err := db.Pool().Query(ctx, "SELECT version FROM switchboard_schema ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil || len(versions) != 2 || versions[1] != 2 {
		t.Errorf("schema versions after Migrate = %v, %v; want [1 2]", versions, err)
	}
	c, err := db.FindCustomerByEmail(ctx, connectortest.AdaEmail)
	if err != nil || c.Phone != "+44 20 7946 0018" || !c.Address.IsZero() {
		t.Fatalf("Ada after Migrate = %+v, %v; want her row, with no address yet", c, err)
	}
	addr := connector.Address{Street: "1 New Street", City: "Newtown"}
	got, err := db.UpdateCustomer(ctx, connectortest.AdaEmail, connector.ContactChange{Address: &addr})
	if err != nil || got.Address != addr || got.Phone != c.Phone {
		t.Errorf("UpdateCustomer after Migrate = %+v, %v; want address %+v and the phone kept", got, err, addr)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after Migrate: %v", err)
	}
}

// TestUpdateThroughAView: a company's own table exposed as a view named customers (as
// the package documents) is updated through the view, NULLs read as empty.
func TestUpdateThroughAView(t *testing.T) {
	dsn := testenv.Postgres(t)
	db, err := sqldb.Open(ctxT(t), sqldb.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := ctxT(t)
	if _, err := db.Pool().Exec(ctx, `
		CREATE TABLE crm_people (person_no integer PRIMARY KEY, mail text NOT NULL, given text, family text,
			tel varchar(40), addr_line text, town text, county text, postcode varchar(20), nation text);
		INSERT INTO crm_people VALUES (7, 'Mary.Somerville@Example.com', 'Mary', 'Somerville', NULL, NULL, 'Burntisland', NULL, NULL, NULL);
		CREATE VIEW customers AS SELECT person_no AS id, mail AS email, given AS first_name, family AS last_name,
			NULL::text AS company, tel AS phone, NULL::text AS plan, NULL::text AS status, NULL::timestamptz AS created_at,
			addr_line AS street, town AS city, county AS region, postcode AS postal_code, nation AS country
		FROM crm_people`); err != nil {
		t.Fatal(err)
	}
	before, err := db.FindCustomerByEmail(ctx, "mary.somerville@example.com")
	if err != nil || before.ID != "7" || before.Address != (connector.Address{City: "Burntisland"}) || before.Phone != "" {
		t.Fatalf("FindCustomerByEmail through the view = %+v, %v", before, err)
	}
	addr := connector.Address{Street: "2 Chelsea Walk", City: "London", Country: "United Kingdom"}
	got, err := db.UpdateCustomer(ctx, "MARY.SOMERVILLE@example.com", connector.ContactChange{Phone: "+44 20 7946 0555", Address: &addr})
	if err != nil || got.ID != "7" || got.Phone != "+44 20 7946 0555" || got.Address != addr || got.FirstName != "Mary" {
		t.Fatalf("UpdateCustomer through the view = %+v, %v", got, err)
	}
	var town, county *string
	if err := db.Pool().QueryRow(ctx, "SELECT town, county FROM crm_people WHERE person_no = 7").Scan(&town, &county); err != nil ||
		town == nil || *town != "London" || county == nil || *county != "" {
		t.Errorf("the company's table holds town %v, county %v (%v); want London and the county cleared", town, county, err)
	}
}

// TestPasswordHook: every new connection asks the hook for the password; after the
// server refuses the credentials, the next connection asks for a refreshed one (the
// secret may have been rotated); a failing hook is a typed unauthorized error.
func TestPasswordHook(t *testing.T) {
	dsn := testenv.Postgres(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var calls []bool
	hook := func(_ context.Context, refresh bool) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, refresh)
		return "pw-SECRET", nil
	}
	bad := fmt.Sprintf("postgres://no_such_role@%s:%d/%s?sslmode=disable", cfg.Host, cfg.Port, cfg.Database)
	db, err := sqldb.Open(ctxT(t), sqldb.Options{DSN: bad, Password: hook})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		if _, err := db.FindCustomerByEmail(ctxT(t), connectortest.AdaEmail); !errors.Is(err, connector.ErrUnauthorized) ||
			strings.Contains(err.Error(), "SECRET") {
			t.Fatalf("err = %v, want unauthorized without the password", err)
		}
	}
	mu.Lock()
	got := fmt.Sprint(calls)
	mu.Unlock()
	if got != "[false true]" {
		t.Errorf("hook calls (refresh flags) = %s, want [false true]", got)
	}

	good, err := sqldb.Open(ctxT(t), sqldb.Options{DSN: dsn, Password: hook})
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	if err := good.Migrate(ctxT(t)); err != nil {
		t.Fatalf("with a password hook (trust auth ignores it): %v", err)
	}

	failing, err := sqldb.Open(ctxT(t), sqldb.Options{DSN: dsn, Password: func(context.Context, bool) (string, error) {
		return "", errors.New("secrets: secret sql (aws): unavailable")
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer failing.Close()
	if _, err := failing.FindCustomerByEmail(ctxT(t), connectortest.AdaEmail); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("hook failure: err = %v, want unauthorized", err)
	}
}

// With DSNFunc, Open reads nothing; the first query reads the DSN (once), a failure to
// read it fails that query with the func's classification and is tried again by the
// next one.
func TestLazyDSN(t *testing.T) {
	_, dsn := seeded(t, sqldb.Options{})
	var calls atomic.Int32
	var down atomic.Bool
	down.Store(true)
	db, err := sqldb.Open(ctxT(t), sqldb.Options{DSNFunc: func(ctx context.Context) (string, error) {
		calls.Add(1)
		if down.Load() {
			return "", &connector.Error{Kind: connector.KindUnavailable, Tool: sqldb.Tool, Op: "credentials", Err: errors.New("secret store down")}
		}
		return dsn, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if calls.Load() != 0 || db.Pool() != nil {
		t.Fatalf("Open read the DSN (%d calls) or built a pool", calls.Load())
	}
	if _, err := db.FindCustomerByEmail(ctxT(t), "ada@example.com"); connector.KindOf(err) != connector.KindUnavailable {
		t.Fatalf("store down: %v, want unavailable", err)
	}
	down.Store(false)
	c, err := db.FindCustomerByEmail(ctxT(t), "ada@example.com")
	if err != nil || c.Email != "ada@example.com" {
		t.Fatalf("after the store came back: %+v, %v", c, err)
	}
	if _, err := db.OpenTickets(ctxT(t), "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("DSN read %d times, want 2 (the failed try, then once)", calls.Load())
	}
}
