package intents_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	. "github.com/switchboard-dev/switchboard/shared/intents"
	// Every handler: these tests drive each intent through Service.Handle.
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers"
)

// fake is an in-memory implementation of every connector interface for unit tests of
// the intent logic; the real backends are tested against their real stand-ins.
type fake struct {
	mu        sync.Mutex
	customers map[string]connector.Customer
	tickets   []connector.Ticket
	payments  []connector.Payment
	articles  []connector.Article
	err       error         // returned by every call when set
	delay     time.Duration // every call waits this long (honouring ctx)
	// meet, when set, makes every call wait until `meet` calls are in flight together
	// (or ctx ends): a set of calls made one after another never gets past it.
	meet    int
	arrived chan struct{}
	met     chan struct{}
	creates atomic.Int32
	stale   time.Time // when set, lookups report a stale value fetched then
	filed   []connector.NewTicket
	updates atomic.Int32
}

func (f *fake) wait(ctx context.Context) error {
	if f.meet > 0 {
		f.mu.Lock()
		if f.arrived == nil {
			f.arrived, f.met = make(chan struct{}, f.meet), make(chan struct{})
		}
		f.arrived <- struct{}{}
		if len(f.arrived) == f.meet {
			close(f.met)
		}
		f.mu.Unlock()
		select {
		case <-f.met:
		case <-ctx.Done():
			return &connector.Error{Kind: connector.KindUnavailable, Tool: "fake", Err: ctx.Err()}
		}
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return &connector.Error{Kind: connector.KindUnavailable, Tool: "fake", Err: ctx.Err()}
		}
	}
	return f.err
}

func (f *fake) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	if err := f.wait(ctx); err != nil {
		return connector.Customer{}, err
	}
	if !f.stale.IsZero() {
		connector.NoteStale(ctx, f.stale)
	}
	c, ok := f.customers[strings.ToLower(email)]
	if !ok {
		return c, connector.NotFound("fake", "find_customer")
	}
	return c, nil
}

func (f *fake) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	f.creates.Add(1)
	if err := f.wait(ctx); err != nil {
		return connector.Ticket{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filed = append(f.filed, t)
	for _, x := range f.tickets {
		if x.ExternalID == t.ExternalID {
			return x, nil
		}
	}
	tk := connector.Ticket{ID: "1043", Subject: t.Subject, Status: connector.TicketOpen, Priority: t.Priority,
		RequesterEmail: t.RequesterEmail, ExternalID: t.ExternalID}
	f.tickets = append(f.tickets, tk)
	return tk, nil
}

func (f *fake) OpenTickets(ctx context.Context, email string) ([]connector.Ticket, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	var out []connector.Ticket
	for _, t := range f.tickets {
		if strings.EqualFold(t.RequesterEmail, email) && t.Status.IsOpen() {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *fake) FindPayment(ctx context.Context, ref string) (connector.Payment, error) {
	if err := f.wait(ctx); err != nil {
		return connector.Payment{}, err
	}
	for _, p := range f.payments {
		if p.ID == ref || p.OrderNumber == ref {
			return p, nil
		}
	}
	return connector.Payment{}, connector.NotFound("fake", "find_payment")
}

func (f *fake) RecentPayments(ctx context.Context, email string, limit int) ([]connector.Payment, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	var out []connector.Payment
	for _, p := range f.payments {
		if strings.EqualFold(p.CustomerEmail, email) && len(out) < limit {
			out = append(out, p)
		}
	}
	return out, nil
}

func (f *fake) SearchArticles(ctx context.Context, q string, limit int) ([]connector.Article, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	var out []connector.Article
	for _, a := range f.articles {
		if strings.Contains(strings.ToLower(a.Title), strings.ToLower(q)) && len(out) < limit {
			out = append(out, a)
		}
	}
	return out, nil
}

var day1 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func newFake() *fake {
	f := &fake{
		customers: map[string]connector.Customer{"ada@example.com": {ID: "c1", Email: "ada@example.com",
			FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines Ltd", Plan: "Enterprise", Status: "active"}},
		tickets: []connector.Ticket{{ID: "1001", Subject: "Invoice copy", Status: connector.TicketOpen,
			RequesterEmail: "ada@example.com"}},
		payments: []connector.Payment{
			{ID: "pi_demo_ada_1", OrderNumber: "ORD-1001", CustomerEmail: "ada@example.com", Amount: 4900,
				Currency: "usd", Status: connector.PaymentPaid, CreatedAt: day1},
			{ID: "pi_demo_bob_1", CustomerEmail: "bob@example.com", Amount: 1000, Currency: "eur",
				Status: connector.PaymentRefunded, CreatedAt: day1},
		},
	}
	for _, t := range []string{"Reset your password", "Change your password", "Update billing", "Password rules"} {
		f.articles = append(f.articles, connector.Article{ID: t, Title: t, Snippet: "How to " + strings.ToLower(t) + ".",
			URL: "https://help.example.com/" + strings.ReplaceAll(strings.ToLower(t), " ", "-")})
	}
	return f
}

func svc(f *fake) *Service {
	return New(Deps{Customers: f, Tickets: f, Payments: f, KB: f, SupportEmail: "help@example.com",
		Now: func() time.Time { return day1.Add(time.Hour) }})
}

// turn is a turn from the owner of the email slot, verified by token: these tests are
// about the intents' own logic; policy_test.go covers anonymous and other callers.
func turn(in conversation.Intent, slots map[string]string) conversation.Turn {
	t := conversation.Turn{Platform: conversation.DialogflowES, Intent: in, Slots: slots,
		SessionID: "s1", TurnID: "t1", Phase: conversation.PhaseFulfill}
	if e := strings.ToLower(strings.TrimSpace(slots["email"])); e != "" {
		t.Caller = conversation.Caller{Method: conversation.VerifiedToken, Email: e}
	}
	return t
}

func TestHandle(t *testing.T) {
	t.Parallel()
	down := &connector.Error{Kind: connector.KindUnavailable, Tool: "fake", StatusCode: 503}
	tests := []struct {
		name    string
		turn    conversation.Turn
		err     error
		outcome conversation.Outcome
		elicit  string
		want    []string // substrings the reply must contain
		never   []string // substrings it must not contain
	}{
		{name: "lookup found", turn: turn(conversation.LookupCustomer, map[string]string{"email": " ADA@Example.com "}),
			outcome: conversation.OutcomeFulfilled,
			want: []string{"Ada Lovelace", "Analytical Engines Ltd", "Enterprise plan", "active", "1 open ticket",
				"49.00 USD", "paid"}},
		{name: "lookup not found", turn: turn(conversation.LookupCustomer, map[string]string{"email": "nobody@example.com"}),
			outcome: conversation.OutcomeFulfilled, want: []string{"can only share account details"},
			never: []string{"nobody@example.com", "couldn't find"}},
		{name: "lookup missing email", turn: turn(conversation.LookupCustomer, nil),
			outcome: conversation.OutcomeElicitSlot, elicit: "email", want: []string{"email address"}},
		{name: "lookup malformed email", turn: turn(conversation.LookupCustomer, map[string]string{"email": "ada-at-example"}),
			outcome: conversation.OutcomeElicitSlot, elicit: "email", want: []string{"valid email"}},
		{name: "lookup backend down", turn: turn(conversation.LookupCustomer, map[string]string{"email": "ada@example.com"}),
			err: down, outcome: conversation.OutcomeFailed, want: []string{"Sorry", "help@example.com"},
			never: []string{"I found"}},
		{name: "create ticket", turn: turn(conversation.CreateTicket, map[string]string{"email": "ada@example.com",
			"subject": "Printer on fire", "priority": "urgent"}),
			outcome: conversation.OutcomeFulfilled, want: []string{"#1043", "Printer on fire", "urgent"}},
		{name: "create ticket missing subject", turn: turn(conversation.CreateTicket, map[string]string{"email": "ada@example.com"}),
			outcome: conversation.OutcomeElicitSlot, elicit: "subject"},
		{name: "create ticket bad priority", turn: turn(conversation.CreateTicket, map[string]string{"email": "ada@example.com",
			"subject": "Printer", "priority": "whenever"}), outcome: conversation.OutcomeElicitSlot, elicit: "priority"},
		{name: "create ticket helpdesk down", turn: turn(conversation.CreateTicket, map[string]string{"email": "ada@example.com",
			"subject": "Printer on fire"}), err: down, outcome: conversation.OutcomeFailed,
			want: []string{"nothing has been filed", "help@example.com"}, never: []string{"I've created"}},
		{name: "create ticket rejected", turn: turn(conversation.CreateTicket, map[string]string{"email": "ada@example.com",
			"subject": "Printer on fire"}), err: &connector.Error{Kind: connector.KindInvalidInput, StatusCode: 422},
			outcome: conversation.OutcomeFailed, want: []string{"nothing was filed"}},
		{name: "payment paid", turn: turn(conversation.VerifyPayment, map[string]string{"email": "ada@example.com",
			"payment_reference": "pi_demo_ada_1"}), outcome: conversation.OutcomeFulfilled,
			want: []string{"ORD-1001", "49.00 USD", "2 November 2026", "paid"}},
		{name: "payment by order number", turn: turn(conversation.VerifyPayment, map[string]string{"email": "ada@example.com",
			"payment_reference": "#ORD-1001"}), outcome: conversation.OutcomeFulfilled, want: []string{"paid"}},
		{name: "payment of someone else", turn: turn(conversation.VerifyPayment, map[string]string{"email": "ada@example.com",
			"payment_reference": "pi_demo_bob_1"}), outcome: conversation.OutcomeFulfilled,
			want: []string{"couldn't find a payment"}, never: []string{"refunded", "10.00", "EUR"}},
		{name: "payment not found", turn: turn(conversation.VerifyPayment, map[string]string{"email": "ada@example.com",
			"payment_reference": "pi_nope_9"}), outcome: conversation.OutcomeFulfilled, want: []string{"couldn't find a payment"}},
		{name: "payment bad reference", turn: turn(conversation.VerifyPayment, map[string]string{"email": "ada@example.com",
			"payment_reference": "'; drop table"}), outcome: conversation.OutcomeElicitSlot, elicit: "payment_reference"},
		{name: "payment missing email", turn: turn(conversation.VerifyPayment, map[string]string{"payment_reference": "pi_demo_ada_1"}),
			outcome: conversation.OutcomeElicitSlot, elicit: "email"},
		{name: "payment backend down", turn: turn(conversation.VerifyPayment, map[string]string{"email": "ada@example.com",
			"payment_reference": "pi_demo_ada_1"}), err: down, outcome: conversation.OutcomeFailed,
			never: []string{"paid", "pending"}},
		{name: "kb top 3", turn: turn(conversation.SearchKB, map[string]string{"query": "password"}),
			outcome: conversation.OutcomeFulfilled,
			want:    []string{"1. Reset your password", "2. Change your password", "3. Password rules", "https://help.example.com/"}},
		{name: "kb nothing", turn: turn(conversation.SearchKB, map[string]string{"query": "quantum teleport"}),
			outcome: conversation.OutcomeFulfilled, want: []string{"couldn't find any help articles"}},
		{name: "kb missing query", turn: turn(conversation.SearchKB, nil), outcome: conversation.OutcomeElicitSlot, elicit: "query"},
		{name: "kb down", turn: turn(conversation.SearchKB, map[string]string{"query": "password"}), err: down,
			outcome: conversation.OutcomeFailed},
		{name: "unknown intent", turn: turn("order_pizza", nil), outcome: conversation.OutcomeUnknownIntent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			f.err = tc.err
			r := svc(f).Handle(context.Background(), tc.turn)
			if r.Outcome != tc.outcome {
				t.Fatalf("outcome = %s, want %s (%q)", r.Outcome, tc.outcome, r.Messages)
			}
			if r.SlotToElicit != tc.elicit {
				t.Errorf("slot to elicit = %q, want %q", r.SlotToElicit, tc.elicit)
			}
			text := r.Text()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("reply %q lacks %q", text, w)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(text, n) {
					t.Errorf("reply %q must not contain %q", text, n)
				}
			}
			if len(r.Messages) == 0 {
				t.Error("reply has no message")
			}
			if r.Fallback {
				t.Error("a whole answer marked Fallback")
			}
		})
	}
}

func TestInvalidSlotIsCleared(t *testing.T) {
	t.Parallel()
	r := svc(newFake()).Handle(context.Background(), turn(conversation.LookupCustomer, map[string]string{"email": "nope"}))
	v, ok := r.SetSlots["email"]
	if !ok || v != nil {
		t.Fatalf("invalid email should be cleared with a nil slot, got %v", r.SetSlots)
	}
}

func TestValidatePhaseMakesNoBusinessCall(t *testing.T) {
	t.Parallel()
	f := newFake()
	tr := turn(conversation.CreateTicket, map[string]string{"email": "ada@example.com", "subject": "Printer on fire"})
	tr.Phase = conversation.PhaseValidate
	r := svc(f).Handle(context.Background(), tr)
	if r.Outcome != conversation.OutcomeDelegate {
		t.Fatalf("outcome = %s, want delegate", r.Outcome)
	}
	if n := f.creates.Load(); n != 0 {
		t.Fatalf("validation made %d create calls", n)
	}
}

func TestCreateTicketRetryIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := svc(f)
	tr := turn(conversation.CreateTicket, map[string]string{"email": "ada@example.com", "subject": "Printer on fire"})
	a := s.Handle(context.Background(), tr)
	b := s.Handle(context.Background(), tr)
	if a.Text() != b.Text() || len(f.tickets) != 2 { // seed ticket + one new
		t.Fatalf("retry made another ticket: %d tickets; %q vs %q", len(f.tickets), a.Text(), b.Text())
	}
	other := tr
	other.TurnID = "t2"
	s.Handle(context.Background(), other)
	if len(f.tickets) != 3 {
		t.Fatalf("a new turn should file a new ticket, have %d", len(f.tickets))
	}
}

func TestCreateTicketTimeoutNeverClaimsEither(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.delay = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r := svc(f).Handle(ctx, turn(conversation.CreateTicket, map[string]string{"email": "ada@example.com", "subject": "Printer"}))
	if r.Outcome != conversation.OutcomeFailed || !strings.Contains(r.Text(), "couldn't confirm") {
		t.Fatalf("got %s %q", r.Outcome, r.Text())
	}
}

func TestLookupRunsToolsInParallel(t *testing.T) {
	t.Parallel()
	f := newFake()
	// Each of the three tool calls waits until all three are in flight: calls made one
	// after another never get past the first, which fails when the watchdog ends the
	// turn. Passing depends on no clock; the watchdog only bounds a failing run.
	f.meet = 3
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := svc(f).Handle(ctx, turn(conversation.LookupCustomer, map[string]string{"email": "ada@example.com"}))
	if r.Outcome != conversation.OutcomeFulfilled || ctx.Err() != nil {
		t.Fatalf("outcome %s (%v): the three tools did not run in parallel", r.Outcome, ctx.Err())
	}
}

func TestLookupPartialFailureIsHonest(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := New(Deps{Customers: f, Tickets: failing{}, Payments: f, SupportEmail: "help@example.com"})
	r := s.Handle(context.Background(), turn(conversation.LookupCustomer, map[string]string{"email": "ada@example.com"}))
	if r.Outcome != conversation.OutcomeFulfilled || !strings.Contains(r.Text(), "couldn't check open tickets") ||
		strings.Contains(r.Text(), "no open tickets") {
		t.Fatalf("got %q", r.Text())
	}
	// A part left out is a degraded answer: the reply says so in its outcome too.
	if !r.Fallback {
		t.Error("partial answer not marked Fallback")
	}
}

func TestStaleAnswerSaysItsAge(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.stale = day1.Add(time.Hour - 12*time.Minute)
	r := svc(f).Handle(context.Background(), turn(conversation.LookupCustomer, map[string]string{"email": "ada@example.com"}))
	if !strings.Contains(r.Text(), "as of 12 minutes ago") {
		t.Fatalf("stale reply should say its age: %q", r.Text())
	}
	if !r.Fallback {
		t.Error("stale answer not marked Fallback")
	}
}

func TestNilDependencyIsAnHonestFailure(t *testing.T) {
	t.Parallel()
	r := New(Deps{}).Handle(context.Background(), turn(conversation.VerifyPayment,
		map[string]string{"email": "ada@example.com", "payment_reference": "pi_demo_ada_1"}))
	if r.Outcome != conversation.OutcomeFailed {
		t.Fatalf("outcome %s", r.Outcome)
	}
}

type failing struct{}

func (failing) CreateTicket(context.Context, connector.NewTicket) (connector.Ticket, error) {
	return connector.Ticket{}, errors.New("boom")
}
func (failing) OpenTickets(context.Context, string) ([]connector.Ticket, error) {
	return nil, &connector.Error{Kind: connector.KindUnavailable}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	en := i18n.For("en")
	if got := en.Money(4900, "usd"); got != "49.00 USD" {
		t.Error(got)
	}
	if got := en.Money(500, "jpy"); got != "500 JPY" {
		t.Error(got)
	}
	if got := en.Ago(12*time.Minute + 10*time.Second); got != "12 minutes ago" {
		t.Error(got)
	}
	// oneLine (a knowledge-base snippet): shared/intents/searchkb/handler's TestOneLine.
}

// panicky panics on every open-tickets lookup, like a connector with a nil-map bug.
type panicky struct{ *fake }

func (panicky) OpenTickets(context.Context, string) ([]connector.Ticket, error) {
	panic("connector bug")
}

// TestLookupSurvivesAPanickingConnector: a panic in one of the fan-out calls (on its
// own goroutine, where the engine cannot recover it) becomes that call's error; the
// process lives and the customer is still answered.
func TestLookupSurvivesAPanickingConnector(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := New(Deps{Customers: f, Tickets: panicky{f}, Payments: f, KB: f})
	r := s.Handle(context.Background(), turn(conversation.LookupCustomer, map[string]string{SlotEmail: "ada@example.com"}))
	if r.Outcome != conversation.OutcomeFulfilled || !strings.Contains(r.Text(), "Ada") {
		t.Fatalf("reply = %+v, want Ada's account despite the tickets panic", r)
	}
}

// A turn in a language with a catalog is answered in it; one without is answered in
// English and says so, for the fallback metric.
func TestReplyLanguage(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := New(Deps{Customers: f, Tickets: f, Payments: f, KB: f})
	for _, tt := range []struct {
		locale, lang string
		fallback     bool
		prompt       string
	}{
		{"de-DE", "de", false, "Welche E-Mail-Adresse ist für das Konto hinterlegt?"},
		{"pt_BR", "pt-BR", false, "Qual é o endereço de e-mail da conta?"},
		{"ko", "en", true, "What is the email address on the account?"},
	} {
		tu := turn(conversation.LookupCustomer, nil)
		tu.Locale = tt.locale
		r := s.Handle(context.Background(), tu)
		if r.Language != tt.lang || r.LanguageFallback != tt.fallback || r.Text() != tt.prompt {
			t.Errorf("%s: reply = %+v", tt.locale, r)
		}
	}
}
