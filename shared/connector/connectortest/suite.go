package connectortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// concurrentCreates is how many CreateTicket calls race with one ExternalID.
const concurrentCreates = 20

func need(t *testing.T, suite string, fields map[string]bool) {
	t.Helper()
	for name, ok := range fields {
		if !ok {
			t.Fatalf("%s: Fixtures.%s is required", suite, name)
		}
	}
}

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// token makes the suite's ticket keys unique per run, so a persistent stand-in (a
// database file reused across runs) starts every run clean.
func token(t *testing.T) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// checkKind fails unless err is a *connector.Error of the wanted kind that names its
// tool, reachable with both errors.Is and errors.As.
func checkKind(t *testing.T, what string, err error, want *connector.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: err = %v, want one matching %s", what, err, want.Kind)
		return
	}
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Tool == "" {
		t.Errorf("%s: err = %#v, want a *connector.Error naming its Tool", what, err)
	}
}

func upperEmail(s string) string { return strings.ToUpper(s) }

// mixedEmail capitalises each dot- or @-separated part: "ada.l@example.com" ->
// "Ada.L@Example.Com".
func mixedEmail(s string) string {
	b := []byte(strings.ToLower(s))
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '.' || c == '@'
	}
	return string(b)
}

// sameCustomer compares everything but ID; times are compared as instants.
func sameCustomer(got, want connector.Customer) bool {
	if !got.CreatedAt.Equal(want.CreatedAt) {
		return false
	}
	got.ID, want.ID = "", ""
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	return got == want
}

// TestCustomerDirectory checks a CustomerDirectory: the known customer comes back as
// Fixtures.KnownCustomer whatever the case of the email, an unknown email is a typed
// not-found error, a cancelled context is honoured, and concurrent lookups agree.
func TestCustomerDirectory(t *testing.T, dir connector.CustomerDirectory, fx Fixtures) {
	need(t, "TestCustomerDirectory", map[string]bool{
		"KnownCustomer.Email": fx.KnownCustomer.Email != "",
		"UnknownEmail":        fx.UnknownEmail != "",
	})
	want := fx.KnownCustomer

	t.Run("known email", func(t *testing.T) {
		got, err := dir.FindCustomerByEmail(ctxFor(t), want.Email)
		if err != nil {
			t.Fatalf("FindCustomerByEmail(%q): %v", want.Email, err)
		}
		if got.ID == "" {
			t.Errorf("ID is empty; want the tool's identifier")
		}
		if !sameCustomer(got, want) {
			t.Errorf("FindCustomerByEmail(%q) =\n  %+v\nwant (ID aside)\n  %+v", want.Email, got, want)
		}
	})

	t.Run("case-insensitive email", func(t *testing.T) {
		for _, email := range []string{upperEmail(want.Email), mixedEmail(want.Email)} {
			got, err := dir.FindCustomerByEmail(ctxFor(t), email)
			if err != nil {
				t.Errorf("FindCustomerByEmail(%q): %v", email, err)
				continue
			}
			if !sameCustomer(got, want) {
				t.Errorf("FindCustomerByEmail(%q) = %+v, want %+v", email, got, want)
			}
		}
	})

	t.Run("unknown email is not found", func(t *testing.T) {
		_, err := dir.FindCustomerByEmail(ctxFor(t), fx.UnknownEmail)
		checkKind(t, "FindCustomerByEmail("+fx.UnknownEmail+")", err, connector.ErrNotFound)
	})

	t.Run("cancelled context", func(t *testing.T) {
		_, err := dir.FindCustomerByEmail(cancelled(), want.Email)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("FindCustomerByEmail with a cancelled context: err = %v, want one matching context.Canceled", err)
		}
	})

	t.Run("concurrent lookups", func(t *testing.T) {
		ctx := ctxFor(t)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := want.Email
				if i%2 == 1 {
					email = upperEmail(email)
				}
				got, err := dir.FindCustomerByEmail(ctx, email)
				if err == nil && !sameCustomer(got, want) {
					err = errors.New("got " + got.Email + ", want " + want.Email)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent FindCustomerByEmail: %v", err)
			}
		}
	})
}

// TestHelpdesk checks a Helpdesk: CreateTicket fills in defaults, is idempotent on
// ExternalID (sequentially and under 20 concurrent calls), rejects empty input with a
// typed error; OpenTickets lists only open tickets, newest first, whatever the case of
// the email.
func TestHelpdesk(t *testing.T, h connector.Helpdesk, fx Fixtures) {
	need(t, "TestHelpdesk", map[string]bool{
		"Requester":                    fx.Requester != "",
		"OpenTicketEmail":              fx.OpenTicketEmail != "",
		"Requester != OpenTicketEmail": !strings.EqualFold(fx.Requester, fx.OpenTicketEmail),
	})
	run := token(t)

	t.Run("create fills defaults", func(t *testing.T) {
		nt := connector.NewTicket{
			RequesterEmail: fx.Requester,
			RequesterName:  "Contract Test",
			Subject:        "Contract test ticket " + run,
			Description:    "Filed by the connector contract suite.",
			ExternalID:     "contract-defaults-" + run,
		}
		tk, err := h.CreateTicket(ctxFor(t), nt)
		if err != nil {
			t.Fatalf("CreateTicket: %v", err)
		}
		switch {
		case tk.ID == "":
			t.Errorf("ID is empty")
		case tk.Subject != nt.Subject:
			t.Errorf("Subject = %q, want %q", tk.Subject, nt.Subject)
		case !tk.Status.IsOpen():
			t.Errorf("Status = %q, want an open status", tk.Status)
		case tk.Priority != connector.PriorityNormal:
			t.Errorf("Priority = %q, want the default %q", tk.Priority, connector.PriorityNormal)
		case !strings.EqualFold(tk.RequesterEmail, fx.Requester):
			t.Errorf("RequesterEmail = %q, want %q", tk.RequesterEmail, fx.Requester)
		case tk.ExternalID != nt.ExternalID:
			t.Errorf("ExternalID = %q, want %q", tk.ExternalID, nt.ExternalID)
		}
	})

	t.Run("create keeps priority", func(t *testing.T) {
		tk, err := h.CreateTicket(ctxFor(t), connector.NewTicket{
			RequesterEmail: fx.Requester,
			Subject:        "Contract test urgent ticket " + run,
			Priority:       connector.PriorityUrgent,
			ExternalID:     "contract-priority-" + run,
		})
		if err != nil {
			t.Fatalf("CreateTicket: %v", err)
		}
		if tk.Priority != connector.PriorityUrgent {
			t.Errorf("Priority = %q, want %q", tk.Priority, connector.PriorityUrgent)
		}
	})

	t.Run("same external id returns the first ticket", func(t *testing.T) {
		ctx := ctxFor(t)
		nt := connector.NewTicket{
			RequesterEmail: fx.Requester,
			Subject:        "Contract test retried ticket " + run,
			ExternalID:     "contract-retry-" + run,
		}
		first, err := h.CreateTicket(ctx, nt)
		if err != nil {
			t.Fatalf("first CreateTicket: %v", err)
		}
		retry := nt
		retry.Subject += " (retry)"
		second, err := h.CreateTicket(ctx, retry)
		if err != nil {
			t.Fatalf("second CreateTicket: %v", err)
		}
		if second.ID != first.ID || second.Subject != first.Subject {
			t.Errorf("second CreateTicket = #%s %q, want the first ticket #%s %q",
				second.ID, second.Subject, first.ID, first.Subject)
		}
		countListed(t, h, fx.Requester, first.ID, 1)
	})

	t.Run("concurrent creates with one external id file one ticket", func(t *testing.T) {
		ctx := ctxFor(t)
		nt := connector.NewTicket{
			RequesterEmail: fx.Requester,
			Subject:        "Contract test concurrent ticket " + run,
			ExternalID:     "contract-concurrent-" + run,
		}
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			ids   = make(chan string, concurrentCreates)
			errs  = make(chan error, concurrentCreates)
		)
		for range concurrentCreates {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tk, err := h.CreateTicket(ctx, nt)
				if err != nil {
					errs <- err
					return
				}
				ids <- tk.ID
			}()
		}
		close(start)
		wg.Wait()
		close(ids)
		close(errs)
		for err := range errs {
			t.Errorf("concurrent CreateTicket: %v", err)
		}
		distinct := map[string]int{}
		var id string
		for got := range ids {
			distinct[got]++
			id = got
		}
		if len(distinct) != 1 {
			t.Fatalf("%d concurrent CreateTicket calls with one ExternalID returned tickets %v, want one ticket",
				concurrentCreates, distinct)
		}
		countListed(t, h, fx.Requester, id, 1)
	})

	t.Run("created tickets are listed newest first", func(t *testing.T) {
		ctx := ctxFor(t)
		older, err := h.CreateTicket(ctx, connector.NewTicket{RequesterEmail: fx.Requester,
			Subject: "Contract test older " + run, ExternalID: "contract-older-" + run})
		if err != nil {
			t.Fatalf("CreateTicket: %v", err)
		}
		newer, err := h.CreateTicket(ctx, connector.NewTicket{RequesterEmail: fx.Requester,
			Subject: "Contract test newer " + run, ExternalID: "contract-newer-" + run})
		if err != nil {
			t.Fatalf("CreateTicket: %v", err)
		}
		ts, err := h.OpenTickets(ctx, fx.Requester)
		if err != nil {
			t.Fatalf("OpenTickets: %v", err)
		}
		checkNewestFirst(t, ts)
		io, in := index(ts, older.ID), index(ts, newer.ID)
		switch {
		case io < 0 || in < 0:
			t.Errorf("OpenTickets(%q) = %v, want it to include #%s and #%s", fx.Requester, ticketIDs(ts),
				older.ID, newer.ID)
		// Tools that keep creation times in whole seconds may tie; a tie says nothing.
		case newer.CreatedAt.After(older.CreatedAt) && in > io:
			t.Errorf("OpenTickets(%q) = %v lists #%s before the newer #%s; want newest first", fx.Requester,
				ticketIDs(ts), older.ID, newer.ID)
		}
	})

	t.Run("invalid input", func(t *testing.T) {
		for name, nt := range map[string]connector.NewTicket{
			"empty subject":   {RequesterEmail: fx.Requester, Subject: "  ", ExternalID: "contract-nosubject-" + run},
			"empty requester": {Subject: "Contract test without requester", ExternalID: "contract-norequester-" + run},
		} {
			_, err := h.CreateTicket(ctxFor(t), nt)
			checkKind(t, "CreateTicket with "+name, err, connector.ErrInvalidInput)
		}
	})

	t.Run("open tickets only", func(t *testing.T) {
		ts, err := h.OpenTickets(ctxFor(t), fx.OpenTicketEmail)
		if err != nil {
			t.Fatalf("OpenTickets(%q): %v", fx.OpenTicketEmail, err)
		}
		var subjects []string
		for _, tk := range ts {
			subjects = append(subjects, tk.Subject)
			if !tk.Status.IsOpen() {
				t.Errorf("OpenTickets listed #%s %q with status %q", tk.ID, tk.Subject, tk.Status)
			}
			for _, closed := range fx.ClosedTicketSubjects {
				if tk.Subject == closed {
					t.Errorf("OpenTickets listed the closed ticket %q", closed)
				}
			}
		}
		if strings.Join(subjects, "\n") != strings.Join(fx.OpenTicketSubjects, "\n") {
			t.Errorf("OpenTickets(%q) subjects = %q, want %q (newest first)", fx.OpenTicketEmail, subjects,
				fx.OpenTicketSubjects)
		}
		checkNewestFirst(t, ts)
	})

	t.Run("case-insensitive email", func(t *testing.T) {
		ctx := ctxFor(t)
		want, err := h.OpenTickets(ctx, fx.OpenTicketEmail)
		if err != nil {
			t.Fatalf("OpenTickets: %v", err)
		}
		for _, email := range []string{upperEmail(fx.OpenTicketEmail), mixedEmail(fx.OpenTicketEmail)} {
			got, err := h.OpenTickets(ctx, email)
			if err != nil {
				t.Errorf("OpenTickets(%q): %v", email, err)
				continue
			}
			if strings.Join(ticketIDs(got), ",") != strings.Join(ticketIDs(want), ",") {
				t.Errorf("OpenTickets(%q) = %v, want %v", email, ticketIDs(got), ticketIDs(want))
			}
		}
	})

	if fx.NoTicketsEmail != "" {
		t.Run("requester without tickets", func(t *testing.T) {
			ts, err := h.OpenTickets(ctxFor(t), fx.NoTicketsEmail)
			if err != nil && !errors.Is(err, connector.ErrNotFound) {
				t.Fatalf("OpenTickets(%q): %v, want no tickets", fx.NoTicketsEmail, err)
			}
			if len(ts) != 0 {
				t.Errorf("OpenTickets(%q) = %v, want none", fx.NoTicketsEmail, ticketIDs(ts))
			}
		})
	}

	t.Run("cancelled context", func(t *testing.T) {
		_, err := h.OpenTickets(cancelled(), fx.OpenTicketEmail)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("OpenTickets with a cancelled context: err = %v, want one matching context.Canceled", err)
		}
	})
}

func countListed(t *testing.T, h connector.Helpdesk, email, id string, want int) {
	t.Helper()
	ts, err := h.OpenTickets(ctxFor(t), email)
	if err != nil {
		t.Fatalf("OpenTickets(%q): %v", email, err)
	}
	n := 0
	for _, tk := range ts {
		if tk.ID == id {
			n++
		}
	}
	if n != want {
		t.Errorf("OpenTickets(%q) lists #%s %d times, want %d", email, id, n, want)
	}
}

func checkNewestFirst(t *testing.T, ts []connector.Ticket) {
	t.Helper()
	for i := 1; i < len(ts); i++ {
		if ts[i].CreatedAt.After(ts[i-1].CreatedAt) {
			t.Errorf("ticket #%s (%s) is listed after the older #%s (%s); want newest first",
				ts[i].ID, ts[i].CreatedAt, ts[i-1].ID, ts[i-1].CreatedAt)
		}
	}
}

func ticketIDs(ts []connector.Ticket) []string {
	ids := make([]string, len(ts))
	for i, tk := range ts {
		ids[i] = tk.ID
	}
	return ids
}

func index(ts []connector.Ticket, id string) int {
	for i, tk := range ts {
		if tk.ID == id {
			return i
		}
	}
	return -1
}

// samePayment compares the fields set in want (ID, CustomerEmail and Status always).
func samePayment(got, want connector.Payment) bool {
	switch {
	case got.ID != want.ID, !strings.EqualFold(got.CustomerEmail, want.CustomerEmail), got.Status != want.Status:
		return false
	case want.OrderNumber != "" && got.OrderNumber != want.OrderNumber,
		want.Amount != 0 && got.Amount != want.Amount,
		want.Currency != "" && got.Currency != want.Currency,
		want.Description != "" && got.Description != want.Description,
		!want.CreatedAt.IsZero() && !got.CreatedAt.Equal(want.CreatedAt):
		return false
	}
	return true
}

// TestPayments checks a Payments: FindPayment by id and by order number, a typed
// not-found error, and RecentPayments newest first, limited, for the owner only,
// whatever the case of the email.
func TestPayments(t *testing.T, p connector.Payments, fx Fixtures) {
	need(t, "TestPayments", map[string]bool{
		"PaymentRef":            fx.PaymentRef != "",
		"Payment.ID":            fx.Payment.ID != "",
		"Payment.CustomerEmail": fx.Payment.CustomerEmail != "",
		"Payment.Status":        fx.Payment.Status != "",
		"UnknownPaymentRef":     fx.UnknownPaymentRef != "",
	})
	want := fx.Payment

	t.Run("find by id", func(t *testing.T) {
		got, err := p.FindPayment(ctxFor(t), fx.PaymentRef)
		if err != nil {
			t.Fatalf("FindPayment(%q): %v", fx.PaymentRef, err)
		}
		if !samePayment(got, want) {
			t.Errorf("FindPayment(%q) =\n  %+v\nwant\n  %+v", fx.PaymentRef, got, want)
		}
		if got.Currency != strings.ToLower(got.Currency) || len(got.Currency) != 3 {
			t.Errorf("Currency = %q, want a lower-case ISO 4217 code", got.Currency)
		}
	})

	if fx.OrderNumber != "" {
		t.Run("find by order number", func(t *testing.T) {
			got, err := p.FindPayment(ctxFor(t), fx.OrderNumber)
			if err != nil {
				t.Fatalf("FindPayment(%q): %v", fx.OrderNumber, err)
			}
			if !samePayment(got, want) {
				t.Errorf("FindPayment(%q) = %+v, want %+v", fx.OrderNumber, got, want)
			}
		})
	}

	t.Run("unknown reference is not found", func(t *testing.T) {
		_, err := p.FindPayment(ctxFor(t), fx.UnknownPaymentRef)
		checkKind(t, "FindPayment("+fx.UnknownPaymentRef+")", err, connector.ErrNotFound)
	})

	t.Run("recent payments of the owner", func(t *testing.T) {
		ctx := ctxFor(t)
		ps, err := p.RecentPayments(ctx, want.CustomerEmail, 10)
		if err != nil {
			t.Fatalf("RecentPayments(%q): %v", want.CustomerEmail, err)
		}
		found := false
		for _, got := range ps {
			found = found || got.ID == want.ID
			if !strings.EqualFold(got.CustomerEmail, want.CustomerEmail) {
				t.Errorf("RecentPayments(%q) includes %s of %q", want.CustomerEmail, got.ID, got.CustomerEmail)
			}
		}
		if !found {
			t.Errorf("RecentPayments(%q) = %v, want it to include %s", want.CustomerEmail, paymentIDs(ps), want.ID)
		}
		upper, err := p.RecentPayments(ctx, upperEmail(want.CustomerEmail), 10)
		if err != nil {
			t.Fatalf("RecentPayments(%q): %v", upperEmail(want.CustomerEmail), err)
		}
		if strings.Join(paymentIDs(upper), ",") != strings.Join(paymentIDs(ps), ",") {
			t.Errorf("RecentPayments(%q) = %v, want %v as for the lower-case email",
				upperEmail(want.CustomerEmail), paymentIDs(upper), paymentIDs(ps))
		}
	})

	if fx.MultiPaymentEmail != "" {
		t.Run("newest first and limit honoured", func(t *testing.T) {
			ctx := ctxFor(t)
			all, err := p.RecentPayments(ctx, fx.MultiPaymentEmail, 10)
			if err != nil {
				t.Fatalf("RecentPayments: %v", err)
			}
			if len(all) < 2 {
				t.Fatalf("RecentPayments(%q, 10) = %v, want at least 2 (see Fixtures.MultiPaymentEmail)",
					fx.MultiPaymentEmail, paymentIDs(all))
			}
			for i := 1; i < len(all); i++ {
				if all[i].CreatedAt.After(all[i-1].CreatedAt) {
					t.Errorf("payment %s (%s) is listed after the older %s (%s); want newest first",
						all[i].ID, all[i].CreatedAt, all[i-1].ID, all[i-1].CreatedAt)
				}
			}
			one, err := p.RecentPayments(ctx, fx.MultiPaymentEmail, 1)
			if err != nil {
				t.Fatalf("RecentPayments: %v", err)
			}
			if len(one) != 1 || one[0].ID != all[0].ID {
				t.Errorf("RecentPayments(%q, 1) = %v, want just the newest, %s", fx.MultiPaymentEmail,
					paymentIDs(one), all[0].ID)
			}
		})
	}

	t.Run("cancelled context", func(t *testing.T) {
		_, err := p.FindPayment(cancelled(), fx.PaymentRef)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("FindPayment with a cancelled context: err = %v, want one matching context.Canceled", err)
		}
	})
}

func paymentIDs(ps []connector.Payment) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// TestKnowledgeBase checks a KnowledgeBase: the known best hit comes first, the limit
// is honoured, articles are well formed (one-line plain-text snippet, absolute URL),
// no match is an empty result without error, and hostile text never errors.
func TestKnowledgeBase(t *testing.T, kb connector.KnowledgeBase, fx Fixtures) {
	need(t, "TestKnowledgeBase", map[string]bool{
		"KBQuery":        fx.KBQuery != "",
		"KBTopTitle":     fx.KBTopTitle != "",
		"KBBroadQuery":   fx.KBBroadQuery != "",
		"KBNoMatchQuery": fx.KBNoMatchQuery != "",
	})

	t.Run("best hit first", func(t *testing.T) {
		arts, err := kb.SearchArticles(ctxFor(t), fx.KBQuery, 3)
		if err != nil {
			t.Fatalf("SearchArticles(%q): %v", fx.KBQuery, err)
		}
		if len(arts) == 0 || arts[0].Title != fx.KBTopTitle {
			t.Fatalf("SearchArticles(%q) = %v, want %q first", fx.KBQuery, titles(arts), fx.KBTopTitle)
		}
	})

	t.Run("articles are well formed", func(t *testing.T) {
		arts, err := kb.SearchArticles(ctxFor(t), fx.KBBroadQuery, 10)
		if err != nil {
			t.Fatalf("SearchArticles(%q): %v", fx.KBBroadQuery, err)
		}
		if len(arts) < 3 {
			t.Fatalf("SearchArticles(%q) = %v, want at least 3 (see Fixtures.KBBroadQuery)", fx.KBBroadQuery, titles(arts))
		}
		seen := map[string]bool{}
		for i, a := range arts {
			if a.ID == "" || a.Title == "" || seen[a.ID] {
				t.Errorf("article %d = %+v: want a unique ID and a title", i, a)
			}
			seen[a.ID] = true
			// A link is https on an allowed host, or none (plaintext.AllowedHost).
			if u, err := url.Parse(a.URL); a.URL != "" && (err != nil || !u.IsAbs() || u.Scheme != "https") {
				t.Errorf("article %s URL = %q, want an absolute https URL or none", a.ID, a.URL)
			}
			if strings.ContainsAny(a.Snippet, "\r\n<>") || utf8.RuneCountInString(a.Snippet) > MaxSnippetRunes {
				t.Errorf("article %s snippet = %q, want one line of plain text of at most %d runes",
					a.ID, a.Snippet, MaxSnippetRunes)
			}
			if i > 0 && a.Score > arts[i-1].Score {
				t.Errorf("article %s scores %v, more than the one before it (%v); want best first",
					a.ID, a.Score, arts[i-1].Score)
			}
		}
	})

	t.Run("limit honoured", func(t *testing.T) {
		ctx := ctxFor(t)
		for _, limit := range []int{1, 2} {
			arts, err := kb.SearchArticles(ctx, fx.KBBroadQuery, limit)
			if err != nil {
				t.Fatalf("SearchArticles(%q, %d): %v", fx.KBBroadQuery, limit, err)
			}
			if len(arts) != limit {
				t.Errorf("SearchArticles(%q, %d) returned %d articles, want %d", fx.KBBroadQuery, limit,
					len(arts), limit)
			}
		}
	})

	t.Run("no match is empty", func(t *testing.T) {
		arts, err := kb.SearchArticles(ctxFor(t), fx.KBNoMatchQuery, 5)
		if err != nil {
			t.Fatalf("SearchArticles(%q): %v, want no error", fx.KBNoMatchQuery, err)
		}
		if len(arts) != 0 {
			t.Errorf("SearchArticles(%q) = %v, want none", fx.KBNoMatchQuery, titles(arts))
		}
	})

	t.Run("hostile queries", func(t *testing.T) {
		ctx := ctxFor(t)
		for _, q := range HostileQueries {
			arts, err := kb.SearchArticles(ctx, q, 3)
			if err != nil {
				t.Errorf("SearchArticles(%q): %v, want no error", q, err)
			}
			if len(arts) > 3 {
				t.Errorf("SearchArticles(%q, 3) returned %d articles", q, len(arts))
			}
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		_, err := kb.SearchArticles(cancelled(), fx.KBQuery, 3)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("SearchArticles with a cancelled context: err = %v, want one matching context.Canceled", err)
		}
	})
}

func titles(arts []connector.Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.Title
	}
	return out
}
