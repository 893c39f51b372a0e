package demo_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
)

// demoFixtures describes seed.json for the contract suite.
func demoFixtures() connectortest.Fixtures {
	return connectortest.Fixtures{
		KnownCustomer: ada(),
		UnknownEmail:  "nobody@example.com",
		UpdateEmail:   "edsger.dijkstra@example.nl",

		Requester:            "helpdesk.contract@example.com",
		OpenTicketEmail:      "grace.hopper@example.com",
		OpenTicketSubjects:   []string{"Add two more seats to our plan", "Webhook deliveries failing with 401"},
		ClosedTicketSubjects: []string{"SSO login loops back to the sign-in page"},
		NoTicketsEmail:       "katherine.johnson@example.com",

		PaymentRef: "pi_demo_ada_1",
		Payment: connector.Payment{
			ID:            "pi_demo_ada_1",
			OrderNumber:   "ORD-1001",
			CustomerEmail: connectortest.AdaEmail,
			Amount:        120000,
			Currency:      "gbp",
			Status:        connector.PaymentPaid,
			Description:   "Enterprise plan, annual",
			CreatedAt:     time.Date(2025, time.January, 15, 10, 0, 0, 0, time.UTC),
		},
		OrderNumber:       "ORD-1001",
		UnknownPaymentRef: "pi_does_not_exist",
		MultiPaymentEmail: "grace.hopper@example.com",

		KBQuery:        "how do I reset my password",
		KBTopTitle:     "How to reset your password",
		KBBroadQuery:   "payment",
		KBNoMatchQuery: "xylophone giraffe quasar",
	}
}

// ada is the canonical customer with the address seed.json gives her.
func ada() connector.Customer {
	c := connectortest.AdaCustomer()
	c.Address = connectortest.AdaAddress()
	return c
}

func open(t testing.TB, path string) *demo.Backend {
	t.Helper()
	b, err := demo.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func runContract(t *testing.T, b *demo.Backend) {
	fx := demoFixtures()
	t.Run("CustomerDirectory", func(t *testing.T) { connectortest.TestCustomerDirectory(t, b, fx) })
	t.Run("CustomerUpdater", func(t *testing.T) { connectortest.TestCustomerUpdater(t, b, fx) })
	t.Run("Helpdesk", func(t *testing.T) { connectortest.TestHelpdesk(t, b, fx) })
	t.Run("Payments", func(t *testing.T) { connectortest.TestPayments(t, b, fx) })
	t.Run("KnowledgeBase", func(t *testing.T) { connectortest.TestKnowledgeBase(t, b, fx) })
}

func TestContractInMemory(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", ":memory:"} {
		t.Run("path="+path, func(t *testing.T) { runContract(t, open(t, path)) })
	}
}

func TestContractFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nested", "dir", "demo.db")
	ctx := context.Background()
	b, err := demo.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	runContract(t, b)
	tk, err := b.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "Restart@Example.com",
		Subject: "Survives a restart", ExternalID: "restart-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// The second run sees the ticket, does not re-seed, and passes the contract again.
	b2 := open(t, path)
	ts, err := b2.OpenTickets(ctx, "restart@example.com")
	if err != nil || len(ts) != 1 || ts[0].ID != tk.ID || ts[0].Subject != "Survives a restart" {
		t.Fatalf("after reopen OpenTickets = %+v, %v; want ticket #%s", ts, err, tk.ID)
	}
	again, err := b2.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "restart@example.com",
		Subject: "Survives a restart", ExternalID: "restart-1"})
	if err != nil || again.ID != tk.ID {
		t.Fatalf("after reopen CreateTicket with the same ExternalID = #%s, %v; want #%s", again.ID, err, tk.ID)
	}
	ada, err := b2.OpenTickets(ctx, connectortest.AdaEmail)
	if err != nil || len(ada) != 1 {
		t.Fatalf("after reopen Ada has open tickets %+v, %v; want exactly one (seed not duplicated)", ada, err)
	}
	runContract(t, b2)
}

func TestAda(t *testing.T) {
	t.Parallel()
	b := open(t, "")
	ctx := context.Background()
	c, err := b.FindCustomerByEmail(ctx, "ADA@example.COM")
	if err != nil {
		t.Fatal(err)
	}
	want := ada()
	want.ID = c.ID
	if c != want {
		t.Errorf("Ada = %+v, want %+v", c, want)
	}
	ts, err := b.OpenTickets(ctx, connectortest.AdaEmail)
	if err != nil || len(ts) != 1 {
		t.Fatalf("Ada's open tickets = %+v, %v; want exactly one", ts, err)
	}
	if ts[0].Status != connector.TicketOpen || ts[0].Priority != connector.PriorityHigh ||
		ts[0].URL != demo.TicketBaseURL+ts[0].ID {
		t.Errorf("Ada's open ticket = %+v", ts[0])
	}
	ps, err := b.RecentPayments(ctx, connectortest.AdaEmail, 5)
	if err != nil || len(ps) != 1 || ps[0].ID != "pi_demo_ada_1" || ps[0].Status != connector.PaymentPaid {
		t.Fatalf("Ada's payments = %+v, %v; want only pi_demo_ada_1, paid", ps, err)
	}
}

func TestFindPayment(t *testing.T) {
	t.Parallel()
	b := open(t, "")
	tests := []struct {
		ref    string
		wantID string
		want   connector.PaymentStatus
		err    error
	}{
		{"pi_demo_ada_1", "pi_demo_ada_1", connector.PaymentPaid, nil},
		{"  pi_demo_ada_1 ", "pi_demo_ada_1", connector.PaymentPaid, nil},
		{"ORD-1001", "pi_demo_ada_1", connector.PaymentPaid, nil},
		{"ord-1001", "pi_demo_ada_1", connector.PaymentPaid, nil},
		{"#ORD-1001", "pi_demo_ada_1", connector.PaymentPaid, nil},
		{"ORD-1010", "pi_demo_margaret_1", connector.PaymentPending, nil},
		{"ORD-1006", "pi_demo_alan_2", connector.PaymentFailed, nil},
		{"ORD-1003", "pi_demo_charles_1", connector.PaymentRefunded, nil},
		{"pi_demo_edsger_2", "pi_demo_edsger_2", connector.PaymentRefunded, nil},
		// Stripe ids are case-sensitive; only order numbers fold case.
		{"PI_DEMO_ADA_1", "", "", connector.ErrNotFound},
		{"ORD-9999", "", "", connector.ErrNotFound},
		{"' OR 1=1 --", "", "", connector.ErrNotFound},
		{"", "", "", connector.ErrInvalidInput},
		{" # ", "", "", connector.ErrInvalidInput},
	}
	for _, tt := range tests {
		p, err := b.FindPayment(context.Background(), tt.ref)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("FindPayment(%q) err = %v, want %v", tt.ref, err, tt.err)
			}
			continue
		}
		if err != nil || p.ID != tt.wantID || p.Status != tt.want {
			t.Errorf("FindPayment(%q) = %s %s, %v; want %s %s", tt.ref, p.ID, p.Status, err, tt.wantID, tt.want)
		}
	}
}

func TestRecentPaymentsOrderAndLimit(t *testing.T) {
	t.Parallel()
	b := open(t, "")
	ctx := context.Background()
	tests := []struct {
		email string
		limit int
		want  []string
	}{
		{"grace.hopper@example.com", 10, []string{"pi_demo_grace_3", "pi_demo_grace_2", "pi_demo_grace_1"}},
		{"Grace.Hopper@Example.com", 2, []string{"pi_demo_grace_3", "pi_demo_grace_2"}},
		{"grace.hopper@example.com", 0, []string{"pi_demo_grace_3", "pi_demo_grace_2", "pi_demo_grace_1"}},
		{"edsger.dijkstra@example.nl", 10, []string{"pi_demo_edsger_2", "pi_demo_edsger_1"}},
		{"katherine.johnson@example.com", 10, []string{}},
		{"nobody@example.com", 10, []string{}},
	}
	for _, tt := range tests {
		ps, err := b.RecentPayments(ctx, tt.email, tt.limit)
		if err != nil {
			t.Errorf("RecentPayments(%q, %d): %v", tt.email, tt.limit, err)
			continue
		}
		got := []string{}
		for _, p := range ps {
			got = append(got, p.ID)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || ps == nil {
			t.Errorf("RecentPayments(%q, %d) = %v (nil=%v), want %v", tt.email, tt.limit, got, ps == nil, tt.want)
		}
	}
	if _, err := b.RecentPayments(ctx, " ", 1); !errors.Is(err, connector.ErrInvalidInput) {
		t.Errorf("RecentPayments with no email: err = %v, want invalid input", err)
	}
}

func TestCreateTicket(t *testing.T) {
	t.Parallel()
	b := open(t, "")
	ctx := context.Background()
	first, err := b.CreateTicket(ctx, connector.NewTicket{RequesterEmail: " New.Person@Example.com ",
		Subject: "  Printer on fire  ", Description: "Smoke everywhere."})
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != "1012" || first.RequesterEmail != "new.person@example.com" || first.Subject != "Printer on fire" ||
		first.Status != connector.TicketOpen || first.Priority != connector.PriorityNormal || first.ExternalID != "" ||
		time.Since(first.CreatedAt) > time.Minute || first.URL != demo.TicketBaseURL+"1012" {
		t.Errorf("first created ticket = %+v; want #1012 after the 11 seeded tickets, normalized, open, normal", first)
	}
	// Without an ExternalID every call files a new ticket.
	second, err := b.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "new.person@example.com",
		Subject: "Printer on fire"})
	if err != nil || second.ID != "1013" {
		t.Errorf("second ticket = #%s, %v; want #1013", second.ID, err)
	}

	invalid := map[string]connector.NewTicket{
		"requester_email": {Subject: "x"},
		"subject":         {RequesterEmail: "a@example.com", Subject: " \t"},
		"priority":        {RequesterEmail: "a@example.com", Subject: "x", Priority: "whenever"},
	}
	for field, nt := range invalid {
		_, err := b.CreateTicket(ctx, nt)
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != connector.KindInvalidInput || ce.Field != field || ce.Tool != demo.Tool {
			t.Errorf("CreateTicket(%+v) err = %v, want invalid input on %s", nt, err, field)
		}
	}
	if _, err := b.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "not-an-email", Subject: "x"}); !errors.Is(err, connector.ErrInvalidInput) {
		t.Errorf("CreateTicket with a malformed email: err = %v, want invalid input", err)
	}

	// A cancelled caller files nothing.
	_, err = b.CreateTicket(cancelledCtx(), connector.NewTicket{RequesterEmail: "late@example.com", Subject: "Too late"})
	if !errors.Is(err, context.Canceled) || connector.KindOf(err) != connector.KindUnavailable {
		t.Errorf("CreateTicket with a cancelled context: err = %v", err)
	}
	if ts, _ := b.OpenTickets(ctx, "late@example.com"); len(ts) != 0 {
		t.Errorf("a cancelled CreateTicket filed %+v", ts)
	}
}

func TestSearchArticles(t *testing.T) {
	t.Parallel()
	b := open(t, "")
	ctx := context.Background()
	tests := []struct {
		query    string
		wantTop  string
		snippetH string // a word the snippet must contain
	}{
		{"I forgot my password", "How to reset your password", "password"},
		{"resetting passwords", "How to reset your password", "forgotten your password"},
		{"PASSWORD RESET", "How to reset your password", ""},
		{"refund", "Refund policy", "refund"},
		{"my card was declined", "What to do when a payment fails", "declined"},
		{"two-factor", "Turn on two-factor authentication", ""},
		{"lost my phone", "Lost your phone or authenticator app", ""},
		{"webhook 401", "Set up webhooks", "webhooks send"},
		{"429 too many requests", "API rate limits", "429"},
		{"SAML", "Configure single sign-on with SAML", "identity provider"},
		{`"password" OR 1=1 --`, "How to reset your password", ""},
	}
	for _, tt := range tests {
		arts, err := b.SearchArticles(ctx, tt.query, 3)
		if err != nil {
			t.Errorf("SearchArticles(%q): %v", tt.query, err)
			continue
		}
		if len(arts) == 0 || arts[0].Title != tt.wantTop {
			t.Errorf("SearchArticles(%q) top = %v, want %q", tt.query, arts, tt.wantTop)
			continue
		}
		a := arts[0]
		if !strings.HasPrefix(a.URL, demo.ArticleBaseURL+a.ID+"-") || a.Score <= 0 {
			t.Errorf("SearchArticles(%q) top = %+v: want URL %s%s-<slug> and a positive score", tt.query, a,
				demo.ArticleBaseURL, a.ID)
		}
		if tt.snippetH != "" && !strings.Contains(strings.ToLower(a.Snippet), tt.snippetH) {
			t.Errorf("SearchArticles(%q) snippet = %q, want the sentence with %q", tt.query, a.Snippet, tt.snippetH)
		}
	}

	for _, q := range []string{"", "   ", "*", "how do I", "the and of", "?!", "zzzzqx"} {
		arts, err := b.SearchArticles(ctx, q, 3)
		if err != nil || arts == nil || len(arts) != 0 {
			t.Errorf("SearchArticles(%q) = %v, %v; want an empty non-nil slice and no error", q, arts, err)
		}
	}

	all, err := b.SearchArticles(ctx, "settings", 0)
	if err != nil || len(all) != demo.DefaultLimit {
		t.Errorf("SearchArticles(settings, 0) returned %d, %v; want DefaultLimit=%d", len(all), err, demo.DefaultLimit)
	}
}

func TestClosedBackend(t *testing.T) {
	t.Parallel()
	b, err := demo.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := b.Ping(context.Background()); !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("Ping after Close: %v, want unavailable", err)
	}
	if _, err := b.FindCustomerByEmail(context.Background(), connectortest.AdaEmail); !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("FindCustomerByEmail after Close: %v, want unavailable", err)
	}
}

func TestSeparateInMemoryBackends(t *testing.T) {
	t.Parallel()
	a, b := open(t, ""), open(t, ":memory:")
	ctx := context.Background()
	if _, err := a.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "only-a@example.com", Subject: "x"}); err != nil {
		t.Fatal(err)
	}
	if ts, err := b.OpenTickets(ctx, "only-a@example.com"); err != nil || len(ts) != 0 {
		t.Errorf("a ticket created in one in-memory backend shows in another: %+v, %v", ts, err)
	}
}

func TestConcurrentOpenOfOneFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "demo.db")
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			b, err := demo.Open(context.Background(), path)
			if err == nil {
				err = b.Close()
			}
			errs <- err
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	b := open(t, path)
	ts, err := b.OpenTickets(context.Background(), "grace.hopper@example.com")
	if err != nil || len(ts) != 2 {
		t.Errorf("after concurrent opens Grace has %d open tickets, %v; want 2 (seeded once)", len(ts), err)
	}
}

func cancelledCtx() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func BenchmarkFindCustomer(b *testing.B) {
	be := open(b, "")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := be.FindCustomerByEmail(ctx, "Ada@Example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFindCustomerParallel(b *testing.B) {
	be := open(b, "")
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := be.FindCustomerByEmail(ctx, "ada@example.com"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkOpenTickets(b *testing.B) {
	be := open(b, "")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if ts, err := be.OpenTickets(ctx, "grace.hopper@example.com"); err != nil || len(ts) != 2 {
			b.Fatal(ts, err)
		}
	}
}

func BenchmarkFindPayment(b *testing.B) {
	be := open(b, "")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := be.FindPayment(ctx, "ORD-1001"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchArticles(b *testing.B) {
	be := open(b, "")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		arts, err := be.SearchArticles(ctx, "how do I reset my password", 3)
		if err != nil || len(arts) == 0 {
			b.Fatal(arts, err)
		}
	}
}

func BenchmarkCreateTicketIdempotent(b *testing.B) {
	be := open(b, "")
	ctx := context.Background()
	nt := connector.NewTicket{RequesterEmail: "bench@example.com", Subject: "Bench", ExternalID: "bench-1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := be.CreateTicket(ctx, nt); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTicketProvenance: a ticket filed for an unproven requester is stored with the
// unverified mark and read back as Unverified; the requester's own ticket is not.
func TestTicketProvenance(t *testing.T) {
	t.Parallel()
	b := open(t, ":memory:")
	ctx := context.Background()
	anon, err := b.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "ada@example.com",
		Subject: "[Reset your password](https://evil.example/login)", Description: "hello", Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	if !anon.Unverified || !strings.HasPrefix(anon.Description, connector.UnverifiedPrefix) {
		t.Errorf("created %+v: want the unverified mark", anon)
	}
	ts, err := b.OpenTickets(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	marks := map[string]bool{}
	for _, tk := range ts {
		marks[tk.ID] = tk.Unverified
	}
	if !marks[anon.ID] {
		t.Errorf("OpenTickets read %s back without the mark: %v", anon.ID, marks)
	}
	for id, u := range marks {
		if id != anon.ID && u {
			t.Errorf("seeded ticket %s reads as unverified", id)
		}
	}
}
