package demo

import (
	"context"
	"crypto/sha256"
	"database/sql"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

//go:embed seed.json
var seedJSON []byte

// ArticleBaseURL is where the demo help center's articles live; an article's URL is
// ArticleBaseURL + "<id>-<slug>".
const ArticleBaseURL = "https://help.example.com/articles/"

// TicketBaseURL is where a demo ticket can be viewed; a ticket's URL is
// TicketBaseURL + id.
const TicketBaseURL = "https://support.example.com/requests/"

// LinkHosts are the hosts the demo backend's links may point to: its help center's
// and its helpdesk's. An article stored with a link elsewhere, or not https, is
// returned without one.
var LinkHosts = []string{"help.example.com", "support.example.com"}

type seedData struct {
	Customers []seedCustomer `json:"customers"`
	Tickets   []seedTicket   `json:"tickets"`
	Payments  []seedPayment  `json:"payments"`
	Articles  []seedArticle  `json:"articles"`
}

type seedCustomer struct {
	Email     string    `json:"email"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Company   string    `json:"company"`
	Phone     string    `json:"phone"`
	Plan      string    `json:"plan"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	// Address is the postal address; absent for a customer the demo holds none for.
	Address connector.Address `json:"address"`
}

type seedTicket struct {
	// Key identifies a seed ticket across seed versions, so re-seeding updates it in
	// place instead of filing it again.
	Key            string                 `json:"key"`
	RequesterEmail string                 `json:"requester_email"`
	RequesterName  string                 `json:"requester_name"`
	Subject        string                 `json:"subject"`
	Description    string                 `json:"description"`
	Status         connector.TicketStatus `json:"status"`
	Priority       connector.Priority     `json:"priority"`
	CreatedAt      time.Time              `json:"created_at"`
}

type seedPayment struct {
	ID            string                  `json:"id"`
	OrderNumber   string                  `json:"order_number"`
	CustomerEmail string                  `json:"customer_email"`
	Amount        int64                   `json:"amount"`
	Currency      string                  `json:"currency"`
	Status        connector.PaymentStatus `json:"status"`
	Description   string                  `json:"description"`
	CreatedAt     time.Time               `json:"created_at"`
}

type seedArticle struct {
	ID    int64  `json:"id"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

func (a seedArticle) url() string { return fmt.Sprintf("%s%d-%s", ArticleBaseURL, a.ID, a.Slug) }

// parseSeed decodes and checks seed data, so a typo in seed.json fails loudly at Open
// instead of producing a customer nobody can find.
func parseSeed(raw []byte) (seedData, error) {
	var s seedData
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("demo seed: %w", err)
	}
	emails := map[string]bool{}
	for i := range s.Customers {
		c := &s.Customers[i]
		c.Email = normEmail(c.Email)
		if c.Email == "" || emails[c.Email] {
			return s, fmt.Errorf("demo seed: customer %d: empty or duplicate email", i)
		}
		emails[c.Email] = true
	}
	keys := map[string]bool{}
	for i := range s.Tickets {
		t := &s.Tickets[i]
		t.RequesterEmail = normEmail(t.RequesterEmail)
		switch {
		case t.Key == "" || keys[t.Key]:
			return s, fmt.Errorf("demo seed: ticket %d: empty or duplicate key", i)
		case t.RequesterEmail == "" || t.Subject == "":
			return s, fmt.Errorf("demo seed: ticket %q: requester and subject are required", t.Key)
		case !validStatus(t.Status):
			return s, fmt.Errorf("demo seed: ticket %q: unknown status %q", t.Key, t.Status)
		case !t.Priority.Valid():
			return s, fmt.Errorf("demo seed: ticket %q: unknown priority %q", t.Key, t.Priority)
		}
		keys[t.Key] = true
	}
	refs := map[string]bool{}
	for i := range s.Payments {
		p := &s.Payments[i]
		p.CustomerEmail = normEmail(p.CustomerEmail)
		p.Currency = strings.ToLower(p.Currency)
		order := strings.ToLower(p.OrderNumber)
		switch {
		case p.ID == "" || refs[strings.ToLower(p.ID)]:
			return s, fmt.Errorf("demo seed: payment %d: empty or duplicate id", i)
		case order != "" && refs[order]:
			return s, fmt.Errorf("demo seed: payment %q: duplicate order number", p.ID)
		case p.CustomerEmail == "" || len(p.Currency) != 3:
			return s, fmt.Errorf("demo seed: payment %q: customer email and a 3-letter currency are required", p.ID)
		}
		switch p.Status {
		case connector.PaymentPaid, connector.PaymentPending, connector.PaymentFailed, connector.PaymentRefunded:
		default:
			return s, fmt.Errorf("demo seed: payment %q: unknown status %q", p.ID, p.Status)
		}
		refs[strings.ToLower(p.ID)] = true
		if order != "" {
			refs[order] = true
		}
	}
	ids := map[int64]bool{}
	for _, a := range s.Articles {
		if a.ID <= 0 || ids[a.ID] || a.Slug == "" || a.Title == "" || a.Body == "" {
			return s, fmt.Errorf("demo seed: article %d: positive unique id, slug, title and body are required", a.ID)
		}
		ids[a.ID] = true
	}
	return s, nil
}

func validStatus(s connector.TicketStatus) bool {
	return s.IsOpen() || s == connector.TicketSolved || s == connector.TicketClosed
}

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

const schema = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS customers (
	id         INTEGER PRIMARY KEY,
	email      TEXT NOT NULL UNIQUE COLLATE NOCASE, -- stored lower-cased
	first_name TEXT NOT NULL DEFAULT '',
	last_name  TEXT NOT NULL DEFAULT '',
	company    TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	plan       TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL DEFAULT 0, -- Unix nanoseconds, UTC
	-- The postal address and when the customer last changed their contact details
	-- (UpdateCustomer). addressColumns adds these to a file made before they existed.
	street             TEXT NOT NULL DEFAULT '',
	city               TEXT NOT NULL DEFAULT '',
	region             TEXT NOT NULL DEFAULT '',
	postal_code        TEXT NOT NULL DEFAULT '',
	country            TEXT NOT NULL DEFAULT '',
	contact_updated_at INTEGER NOT NULL DEFAULT 0 -- Unix nanoseconds; 0: never changed
);

-- AUTOINCREMENT so a ticket number is never reused, even after deletions.
CREATE TABLE IF NOT EXISTS tickets (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	subject         TEXT NOT NULL,
	description     TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL,
	priority        TEXT NOT NULL,
	requester_email TEXT NOT NULL COLLATE NOCASE,
	requester_name  TEXT NOT NULL DEFAULT '',
	external_id     TEXT UNIQUE, -- NULL when created without an idempotency key
	seed_key        TEXT UNIQUE, -- NULL for tickets created through CreateTicket
	created_at      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tickets_requester ON tickets (requester_email, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS payments (
	id             TEXT PRIMARY KEY,
	order_number   TEXT UNIQUE COLLATE NOCASE,
	customer_email TEXT NOT NULL COLLATE NOCASE,
	amount         INTEGER NOT NULL,
	currency       TEXT NOT NULL,
	status         TEXT NOT NULL,
	description    TEXT NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_customer ON payments (customer_email, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS articles (
	id    INTEGER PRIMARY KEY,
	slug  TEXT NOT NULL,
	title TEXT NOT NULL,
	body  TEXT NOT NULL,
	url   TEXT NOT NULL
);
-- External-content FTS5 index over articles; porter stemming lets "resetting"
-- find "reset".
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5 (
	title, body,
	content = 'articles', content_rowid = 'id',
	tokenize = 'porter unicode61'
);
`

// firstTicketID makes the first seeded ticket #1001, so ticket numbers look like a
// real helpdesk's rather than 1, 2, 3.
const firstTicketID = 1001

// migrate creates the schema and applies the seed, once per seed version, in one
// immediate transaction: two processes opening the same file cannot both seed, and a
// crash mid-seed leaves nothing half-written. Seed rows are upserted by their natural
// keys, so a newer seed.json updates them in place and tickets created through
// CreateTicket are never touched.
func migrate(ctx context.Context, db *sql.DB) error {
	s, err := parseSeed(seedJSON)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(seedJSON)
	version := hex.EncodeToString(sum[:])

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("demo: begin seed: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("demo: create schema: %w", err)
	}
	if err := addMissingColumns(ctx, tx, "customers", addedCustomerColumns); err != nil {
		return err
	}
	var have string
	err = tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'seed_version'`).Scan(&have)
	switch {
	case err == nil && have == version:
		return tx.Commit()
	case err != nil && err != sql.ErrNoRows:
		return fmt.Errorf("demo: read seed version: %w", err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO sqlite_sequence (name, seq) SELECT 'tickets', ?
		 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tickets')`, firstTicketID-1); err != nil {
		return fmt.Errorf("demo: ticket numbering: %w", err)
	}
	// Contact details a customer changed through UpdateCustomer (contact_updated_at set)
	// are theirs: a newer seed does not put the seed's phone and address back.
	for _, c := range s.Customers {
		a := c.Address
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO customers (email, first_name, last_name, company, phone, plan, status, created_at,
				street, city, region, postal_code, country)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (email) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
				company = excluded.company, plan = excluded.plan,
				status = excluded.status, created_at = excluded.created_at,
				phone = iif(contact_updated_at = 0, excluded.phone, phone),
				street = iif(contact_updated_at = 0, excluded.street, street),
				city = iif(contact_updated_at = 0, excluded.city, city),
				region = iif(contact_updated_at = 0, excluded.region, region),
				postal_code = iif(contact_updated_at = 0, excluded.postal_code, postal_code),
				country = iif(contact_updated_at = 0, excluded.country, country)`,
			c.Email, c.FirstName, c.LastName, c.Company, c.Phone, c.Plan, c.Status, c.CreatedAt.UnixNano(),
			a.Street, a.City, a.Region, a.PostalCode, a.Country); err != nil {
			return fmt.Errorf("demo: seed customer: %w", err)
		}
	}
	for _, t := range s.Tickets {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO tickets (subject, description, status, priority, requester_email, requester_name, seed_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (seed_key) DO UPDATE SET subject = excluded.subject, description = excluded.description,
				status = excluded.status, priority = excluded.priority, requester_email = excluded.requester_email,
				requester_name = excluded.requester_name, created_at = excluded.created_at`,
			t.Subject, t.Description, string(t.Status), string(t.Priority), t.RequesterEmail, t.RequesterName,
			t.Key, t.CreatedAt.UnixNano()); err != nil {
			return fmt.Errorf("demo: seed ticket %s: %w", t.Key, err)
		}
	}
	for _, p := range s.Payments {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO payments (id, order_number, customer_email, amount, currency, status, description, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET order_number = excluded.order_number,
				customer_email = excluded.customer_email, amount = excluded.amount, currency = excluded.currency,
				status = excluded.status, description = excluded.description, created_at = excluded.created_at`,
			p.ID, nullable(p.OrderNumber), p.CustomerEmail, p.Amount, p.Currency, string(p.Status), p.Description,
			p.CreatedAt.UnixNano()); err != nil {
			return fmt.Errorf("demo: seed payment %s: %w", p.ID, err)
		}
	}
	// The knowledge base belongs to the seed entirely: replace it and rebuild the index.
	if _, err := tx.ExecContext(ctx, `DELETE FROM articles`); err != nil {
		return fmt.Errorf("demo: clear articles: %w", err)
	}
	for _, a := range s.Articles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO articles (id, slug, title, body, url) VALUES (?, ?, ?, ?, ?)`,
			a.ID, a.Slug, a.Title, a.Body, a.url()); err != nil {
			return fmt.Errorf("demo: seed article %d: %w", a.ID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')`); err != nil {
		return fmt.Errorf("demo: index articles: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('seed_version', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, version); err != nil {
		return fmt.Errorf("demo: record seed version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("demo: commit seed: %w", err)
	}
	return nil
}

// addedCustomerColumns are the customers columns added after the first release, with
// their definitions: CREATE TABLE IF NOT EXISTS leaves an older file's table as it
// was, so migrate adds them.
var addedCustomerColumns = []struct{ name, def string }{
	{"street", "TEXT NOT NULL DEFAULT ''"},
	{"city", "TEXT NOT NULL DEFAULT ''"},
	{"region", "TEXT NOT NULL DEFAULT ''"},
	{"postal_code", "TEXT NOT NULL DEFAULT ''"},
	{"country", "TEXT NOT NULL DEFAULT ''"},
	{"contact_updated_at", "INTEGER NOT NULL DEFAULT 0"},
}

// addMissingColumns adds to table the columns it lacks (ALTER TABLE ADD COLUMN), inside
// migrate's transaction.
func addMissingColumns(ctx context.Context, tx *sql.Tx, table string, cols []struct{ name, def string }) error {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return fmt.Errorf("demo: read the columns of %s: %w", table, err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("demo: read the columns of %s: %w", table, err)
		}
		have[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("demo: read the columns of %s: %w", table, err)
	}
	for _, c := range cols {
		if have[c.name] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+table+` ADD COLUMN `+c.name+` `+c.def); err != nil {
			return fmt.Errorf("demo: add column %s.%s: %w", table, c.name, err)
		}
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
