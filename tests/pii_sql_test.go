package tests

import (
	"context"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/shared/connector/sqldb"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// faultySQL stands in front of a PostgreSQL database the SQL connector serves
// customers and tickets from, and misbehaves on cue like faulty does for the HTTP
// tools: a dropped connection (transport), no answer (timeout), or — for the echo
// faults — server-side code that quotes the personal data it was given in its error
// messages (a company's own trigger or view raising 'no customer <email>'), which
// PostgreSQL then sends back in the error the connector receives.
type faultySQL struct {
	mode    atomic.Value // string
	faulted atomic.Int64
	dsn     string // the proxy's DSN, for the connector
	admin   *pgx.Conn

	mu    sync.Mutex
	conns map[net.Conn]bool // connections being proxied
}

func newFaultySQL(t *testing.T) *faultySQL {
	t.Helper()
	dsn := testenv.Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := sqldb.Open(ctx, sqldb.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	// customers becomes a view whose email column goes through echo_guard, and tickets
	// get a trigger: both raise, quoting the email, while the fault is on.
	for _, stmt := range []string{
		`CREATE TABLE switchboard_fault (echo boolean NOT NULL)`,
		`INSERT INTO switchboard_fault VALUES (false)`,
		`ALTER TABLE customers RENAME TO customers_raw`,
		`CREATE FUNCTION echo_guard(e text) RETURNS text LANGUAGE plpgsql AS $$
		 BEGIN
		   IF (SELECT echo FROM switchboard_fault) THEN RAISE EXCEPTION 'no customer record readable for %', e; END IF;
		   RETURN e;
		 END $$`,
		`CREATE VIEW customers AS SELECT id, echo_guard(email) AS email, first_name, last_name, company, phone, plan, status, created_at FROM customers_raw`,
		`CREATE FUNCTION echo_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN
		   IF (SELECT echo FROM switchboard_fault) THEN RAISE EXCEPTION 'cannot file a ticket for % (%)', NEW.requester_email, NEW.description; END IF;
		   RETURN NEW;
		 END $$`,
		`CREATE TRIGGER echo_ticket BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION echo_ticket()`,
	} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	for _, e := range seededEmails {
		if _, err := admin.Exec(ctx, `INSERT INTO customers_raw (email, first_name, last_name, company, plan, phone) VALUES ($1, $2, $3, $4, $5, $6)`,
			e, leakFirst, leakLast, leakCompany, leakPlan, leakPhone); err != nil {
			t.Fatal(err)
		}
	}

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &faultySQL{admin: admin, conns: map[net.Conn]bool{}}
	f.mode.Store(faultNone)
	var conns sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close(); conns.Wait() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer conns.Done()
				defer c.Close()
				switch f.mode.Load().(string) {
				case faultTransport:
					f.faulted.Add(1)
					return
				case faultTimeout:
					f.faulted.Add(1)
					select {
					case <-done:
					case <-time.After(30 * time.Second):
					}
					return
				}
				up, err := net.Dial("tcp", u.Host)
				if err != nil {
					return
				}
				defer up.Close()
				f.mu.Lock()
				f.conns[c] = true
				f.mu.Unlock()
				defer func() { f.mu.Lock(); delete(f.conns, c); f.mu.Unlock() }()
				go func() { _, _ = io.Copy(up, c); up.Close() }()
				_, _ = io.Copy(c, up)
			}()
		}
	}()
	pu := *u
	pu.Host = l.Addr().String()
	f.dsn = pu.String()
	return f
}

// set switches the fault: transport and timeout at the proxy, the echo faults in the
// database.
func (f *faultySQL) set(t *testing.T, mode string) {
	t.Helper()
	echo := strings.HasPrefix(mode, "echo")
	if _, err := f.admin.Exec(context.Background(), `UPDATE switchboard_fault SET echo = $1`, echo); err != nil {
		t.Fatal(err)
	}
	if echo {
		f.faulted.Add(1)
	}
	f.mode.Store(mode)
	if mode == faultTransport || mode == faultTimeout {
		// The connector's pool would go on using the connections it already has:
		// drop them, so its next query meets the fault.
		f.mu.Lock()
		for c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
	}
}
