package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

func TestSeedCoverage(t *testing.T) {
	t.Parallel()
	s, err := parseSeed(seedJSON)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Customers) < 7 || len(s.Articles) < 20 {
		t.Errorf("seed has %d customers and %d articles, want at least 7 and 20", len(s.Customers), len(s.Articles))
	}
	statuses := map[connector.PaymentStatus]bool{}
	for _, p := range s.Payments {
		statuses[p.Status] = true
	}
	for _, st := range []connector.PaymentStatus{connector.PaymentPaid, connector.PaymentPending,
		connector.PaymentFailed, connector.PaymentRefunded} {
		if !statuses[st] {
			t.Errorf("no seed payment is %s", st)
		}
	}
	ticketStatuses := map[connector.TicketStatus]bool{}
	for _, tk := range s.Tickets {
		ticketStatuses[tk.Status] = true
	}
	if len(ticketStatuses) != 6 {
		t.Errorf("seed tickets cover statuses %v, want all six", ticketStatuses)
	}
	password := false
	for _, a := range s.Articles {
		password = password || strings.Contains(strings.ToLower(a.Title), "reset your password")
	}
	if !password {
		t.Error("no seed article about resetting a password")
	}
	// Customers whose tickets or payments refer to nobody would make the demo lie.
	known := map[string]bool{}
	for _, c := range s.Customers {
		known[c.Email] = true
	}
	for _, tk := range s.Tickets {
		if !known[tk.RequesterEmail] {
			t.Errorf("seed ticket %s is for unknown customer %s", tk.Key, tk.RequesterEmail)
		}
	}
	for _, p := range s.Payments {
		if !known[p.CustomerEmail] {
			t.Errorf("seed payment %s is for unknown customer %s", p.ID, p.CustomerEmail)
		}
	}
}

func TestParseSeedRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"unknown field":      `{"customers":[{"email":"a@example.com","plann":"Pro"}]}`,
		"duplicate email":    `{"customers":[{"email":"a@example.com"},{"email":"A@example.com"}]}`,
		"bad ticket status":  `{"tickets":[{"key":"k","requester_email":"a@example.com","subject":"s","status":"done","priority":"low"}]}`,
		"bad priority":       `{"tickets":[{"key":"k","requester_email":"a@example.com","subject":"s","status":"open","priority":"p1"}]}`,
		"duplicate key":      `{"tickets":[{"key":"k","requester_email":"a@x","subject":"s","status":"open","priority":"low"},{"key":"k","requester_email":"a@x","subject":"s","status":"open","priority":"low"}]}`,
		"bad payment status": `{"payments":[{"id":"pi_1","customer_email":"a@example.com","currency":"usd","status":"succeeded"}]}`,
		"order equals an id": `{"payments":[{"id":"pi_1","customer_email":"a@x","currency":"usd","status":"paid"},{"id":"pi_2","order_number":"PI_1","customer_email":"a@x","currency":"usd","status":"paid"}]}`,
		"bad currency":       `{"payments":[{"id":"pi_1","customer_email":"a@example.com","currency":"dollars","status":"paid"}]}`,
		"article without id": `{"articles":[{"slug":"s","title":"t","body":"b"}]}`,
		"not json":           `{`,
	}
	for name, raw := range tests {
		if _, err := parseSeed([]byte(raw)); err == nil {
			t.Errorf("%s: parseSeed accepted %s", name, raw)
		}
	}
}

func TestMatchExpr(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"reset password", `"reset" OR "password"`},
		{"How do I reset my Password?", `"reset" OR "password"`},
		{`" OR 1=1 --`, `"1"`},
		{`NEAR(`, `"near"`},
		{`*`, ``},
		{`password*`, `"password"`},
		{`title:password`, `"title" OR "password"`},
		{`pass"word`, `"pass" OR "word"`},
		{`-reset ^password`, `"reset" OR "password"`},
		{"AND OR NOT", ``},
		{"AND OR NEAR", `"near"`},
		{"reset reset RESET", `"reset"`},
		{"Zoë café", `"zoë" OR "café"`},
		{"", ""},
		{"\x00\x01", ""},
		// At most maxTerms words; "a" and "i" are stop words.
		{"a b c d e f g h i j k l m n o p q r s t u v w x y z",
			`"b" OR "c" OR "d" OR "e" OR "f" OR "g" OR "h" OR "j" OR "k" OR "l" OR "m" OR "n" OR "o" OR "p" OR "q" OR "r"`},
	}
	for _, tt := range tests {
		if got := matchExpr(tt.in); got != tt.want {
			t.Errorf("matchExpr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	long := "This sentence has the \x02word\x03 and then goes on " + strings.Repeat("and on ", 40) + "forever."
	tests := []struct{ in, want string }{
		{"First one. Second has \x02reset\x03 in it. Third.", "Second has reset in it."},
		{"One \x02a\x03. Two \x02a\x03 and \x02b\x03. Three \x02b\x03.", "Two a and b."},
		{"Only a title matched. Nothing here.", "Only a title matched."},
		{"Ends with a marked \x02word\x03. Next.", "Ends with a marked word."},
		{"Version 2.5 is \x02out\x03", "Version 2.5 is out"},
		{"Line\none \x02x\x03.\tTwo.", "Line one x."},
		{"", ""},
	}
	for _, tt := range tests {
		if got := snippet(tt.in, MaxSnippet); got != tt.want {
			t.Errorf("snippet(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	got := snippet(long, MaxSnippet)
	if n := utf8.RuneCountInString(got); n > MaxSnippet || !strings.HasSuffix(got, "…") ||
		!strings.HasPrefix(got, "This sentence has the word") || strings.Contains(got, "  ") {
		t.Errorf("snippet of a long sentence = %q (%d runes)", got, n)
	}
}

// TestReseed checks that a changed seed.json updates the seed rows in place, leaves
// created tickets alone, and duplicates nothing.
func TestReseed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	created, err := b.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "keep@example.com", Subject: "Keep me",
		ExternalID: "keep-1"})
	if err != nil {
		t.Fatal(err)
	}
	// Pretend an older seed was applied: stale version, a changed row, a stray article.
	for _, q := range []string{
		`UPDATE meta SET value = 'older' WHERE key = 'seed_version'`,
		`UPDATE customers SET plan = 'Free' WHERE email = 'ada@example.com'`,
		`INSERT INTO articles (id, slug, title, body, url) VALUES (999, 'gone', 'Gone', 'Removed article.', 'x')`,
	} {
		if _, err := b.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	before := counts(t, b)
	b.Close()

	b = reopen(t, path)
	c, err := b.FindCustomerByEmail(ctx, "ada@example.com")
	if err != nil || c.Plan != "Enterprise" {
		t.Errorf("after reseed Ada = %+v, %v; want the seed's plan back", c, err)
	}
	if got := counts(t, b); got != [4]int{before[0], before[1], before[2], before[3] - 1} {
		t.Errorf("row counts (customers, tickets, payments, articles) = %v, before %v; want the stray article gone only",
			got, before)
	}
	if arts, _ := b.SearchArticles(ctx, "removed", 5); len(arts) != 0 {
		t.Errorf("the search index still finds a removed article: %+v", arts)
	}
	again, err := b.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "keep@example.com", Subject: "Keep me",
		ExternalID: "keep-1"})
	if err != nil || again.ID != created.ID {
		t.Errorf("after reseed the created ticket is #%s, %v; want #%s", again.ID, err, created.ID)
	}

	// An unchanged seed is not applied again.
	b.Close()
	b = reopen(t, path)
	if got := counts(t, b); got != [4]int{before[0], before[1], before[2], before[3] - 1} {
		t.Errorf("row counts after a plain reopen = %v", got)
	}
}

func reopen(t *testing.T, path string) *Backend {
	t.Helper()
	b, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func counts(t *testing.T, b *Backend) [4]int {
	t.Helper()
	var out [4]int
	for i, table := range []string{"customers", "tickets", "payments", "articles"} {
		if err := b.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestQueryPlans guards the indexes the hot lookups rely on: a full scan would still
// pass every other test, just slowly.
func TestQueryPlans(t *testing.T) {
	t.Parallel()
	b, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tests := []struct{ query, wantIndex string }{
		{`SELECT ` + customerColumns + ` FROM customers WHERE email = 'x'`, "sqlite_autoindex_customers_1"},
		{`SELECT ` + ticketColumns + ` FROM tickets WHERE requester_email = 'x'
			AND status IN ('new', 'open', 'pending', 'hold') ORDER BY created_at DESC, id DESC`, "tickets_requester"},
		{`SELECT ` + paymentColumns + ` FROM payments WHERE customer_email = 'x'
			ORDER BY created_at DESC, id DESC LIMIT 3`, "payments_customer"},
		{`SELECT ` + paymentColumns + ` FROM payments WHERE order_number = 'x'`, "sqlite_autoindex_payments_2"},
	}
	for _, tt := range tests {
		rows, err := b.db.Query(`EXPLAIN QUERY PLAN ` + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if !strings.Contains(joined, tt.wantIndex) || strings.Contains(joined, "TEMP B-TREE") {
			t.Errorf("plan for %q = %s; want index %s and no sort", tt.query, joined, tt.wantIndex)
		}
	}
}

// TestMigrateAddsAddressColumns: a database file made before customers had address
// columns gets them when opened, whether or not the seed is applied again, and keeps
// its rows.
func TestMigrateAddsAddressColumns(t *testing.T) {
	t.Parallel()
	for _, reseed := range []bool{false, true} {
		t.Run(map[bool]string{false: "same seed", true: "older seed"}[reseed], func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "demo.db")
			b, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			// Make it the file an earlier release left: no address columns.
			for _, c := range addedCustomerColumns {
				if _, err := b.db.ExecContext(ctx, `ALTER TABLE customers DROP COLUMN `+c.name); err != nil {
					t.Fatal(err)
				}
			}
			if reseed {
				if _, err := b.db.ExecContext(ctx, `UPDATE meta SET value = 'older' WHERE key = 'seed_version'`); err != nil {
					t.Fatal(err)
				}
			}
			before := counts(t, b)
			b.Close()

			b = reopen(t, path)
			if got := counts(t, b); got != before {
				t.Errorf("row counts after the migration = %v, want %v", got, before)
			}
			c, err := b.FindCustomerByEmail(ctx, "ada@example.com")
			if err != nil {
				t.Fatalf("FindCustomerByEmail after the migration: %v", err)
			}
			wantAddr := connector.Address{}
			if reseed {
				wantAddr = connector.Address{Street: "12 St James's Square", City: "London", Region: "Greater London",
					PostalCode: "SW1Y 4LB", Country: "United Kingdom"}
			}
			if c.Address != wantAddr || c.Phone != "+44 20 7946 0018" {
				t.Errorf("Ada after the migration = %+v, want address %+v", c, wantAddr)
			}
			addr := connector.Address{Street: "1 New Street", City: "Newtown"}
			got, err := b.UpdateCustomer(ctx, "ada@example.com", connector.ContactChange{Address: &addr})
			if err != nil || got.Address != addr {
				t.Errorf("UpdateCustomer after the migration = %+v, %v; want address %+v", got, err, addr)
			}
		})
	}
}

// TestReseedKeepsChangedContactDetails: a newer seed puts the seed's values back on
// seeded customers, except the phone and address a customer changed themselves.
func TestReseedKeepsChangedContactDetails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	addr := connector.Address{Street: "5 Moved Lane", City: "Elsewhere", Country: "United Kingdom"}
	changed, err := b.UpdateCustomer(ctx, "ada@example.com", connector.ContactChange{Phone: "+44 7700 900123", Address: &addr})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE meta SET value = 'older' WHERE key = 'seed_version'`,
		`UPDATE customers SET plan = 'Free' WHERE email = 'ada@example.com'`,
		`UPDATE customers SET phone = '0', city = 'Nowhere' WHERE email = 'grace.hopper@example.com'`,
	} {
		if _, err := b.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	b.Close()

	b = reopen(t, path)
	ada, err := b.FindCustomerByEmail(ctx, "ada@example.com")
	if err != nil || ada.Plan != "Enterprise" || ada.Phone != changed.Phone || ada.Address != addr {
		t.Errorf("after reseed Ada = %+v, %v; want the seed's plan and her own phone and address", ada, err)
	}
	grace, err := b.FindCustomerByEmail(ctx, "grace.hopper@example.com")
	if err != nil || grace.Phone != "+1 202 555 0143" || grace.Address.City != "Arlington" {
		t.Errorf("after reseed Grace = %+v, %v; want the seed's phone and city back", grace, err)
	}
}
