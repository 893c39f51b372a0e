package intents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// Deps are the business tools the intents talk to. Any of them may be nil when the
// deployment does not enable the intents that need it; such an intent then answers
// with an honest "not available here" reply.
type Deps struct {
	Customers connector.CustomerDirectory
	Tickets   connector.Helpdesk
	Payments  connector.Payments
	KB        connector.KnowledgeBase
	// SupportEmail is the manual alternative offered whenever a tool fails.
	SupportEmail string
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
	// Log receives the note that a turn's locale has no catalog (slog.Default when nil).
	Log *slog.Logger
}

// Service answers the four intents. It implements conversation.Handler.
type Service struct {
	d Deps
}

// New returns a Service over d.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.SupportEmail == "" {
		d.SupportEmail = "support@example.com"
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{d: d}
}

// KBResults is how many articles a knowledge-base answer lists.
const KBResults = 3

// Handle validates the turn's slots and, in the fulfil phase, answers the intent, in
// the language of the turn's locale.
func (s *Service) Handle(ctx context.Context, t conversation.Turn) conversation.Reply {
	p := Printer(ctx, s.d.Log, t)
	r := s.handle(ctx, p, t)
	r.Language, r.LanguageFallback = p.Language(), p.Fallback
	return r
}

// Printer returns the Printer for the turn's locale, logging when the locale has no
// catalog and the reply falls back to English.
func Printer(ctx context.Context, log *slog.Logger, t conversation.Turn) *i18n.Printer {
	p := i18n.For(t.Locale)
	if p.Fallback && log != nil {
		log.LogAttrs(ctx, slog.LevelInfo, "locale fallback",
			slog.String("locale", t.Locale), slog.String("language", p.Language()),
			slog.String("platform", string(t.Platform)), slog.String("intent", string(t.Intent)))
	}
	return p
}

func (s *Service) handle(ctx context.Context, p *i18n.Printer, t conversation.Turn) conversation.Reply {
	if _, known := specs[t.Intent]; !known {
		return conversation.Reply{
			Outcome:  conversation.OutcomeUnknownIntent,
			Messages: []string{p.T("reply.unknown_intent")},
		}
	}
	slots, elicit := validate(p, t.Intent, t)
	if elicit != nil {
		return *elicit
	}
	if t.Phase == conversation.PhaseValidate {
		return conversation.Reply{Outcome: conversation.OutcomeDelegate}
	}
	ctx, fresh := connector.WithFreshness(ctx)
	a := answer{Service: s, p: p}
	var r conversation.Reply
	switch t.Intent {
	case conversation.LookupCustomer:
		r = a.lookupCustomer(ctx, slots)
	case conversation.CreateTicket:
		r = a.createTicket(ctx, t, slots)
	case conversation.VerifyPayment:
		r = a.verifyPayment(ctx, slots)
	case conversation.SearchKB:
		r = a.searchKB(ctx, slots)
	}
	if at, stale := fresh.Oldest(); stale && len(r.Messages) > 0 {
		r.Messages = append(r.Messages, p.T("reply.stale", p.Ago(s.d.Now().Sub(at))))
	}
	return r
}

// answer is one turn's answer: the service and the turn's language.
type answer struct {
	*Service
	p *i18n.Printer
}

func (s answer) failed(msg string) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{msg}}
}

func (s answer) fulfilled(msgs ...string) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: msgs}
}

// unavailable is the honest apology for a tool failure, with the manual alternative.
// what is the catalog key of what cannot be done ("what.check_payments").
func (s answer) unavailable(what string) conversation.Reply {
	return s.failed(s.p.T("reply.unavailable", s.p.T(what), s.d.SupportEmail))
}

// lookupCustomer reads the customer, their open tickets and their last payment in
// parallel: the three tools share one budget, so the answer takes as long as the
// slowest, not the sum.
func (s answer) lookupCustomer(ctx context.Context, slots map[string]string) conversation.Reply {
	if s.d.Customers == nil {
		return s.unavailable("what.look_up_accounts")
	}
	email := slots[SlotEmail]
	var (
		cust     connector.Customer
		tickets  []connector.Ticket
		tErr     error
		payments []connector.Payment
		pErr     error
	)
	// resilience.Parallel turns a panicking connector into that call's error: a panic
	// on one of these goroutines could not be recovered by the engine.
	fns := []func(context.Context) error{func(ctx context.Context) (err error) {
		cust, err = s.d.Customers.FindCustomerByEmail(ctx, email)
		return err
	}}
	if s.d.Tickets != nil {
		fns = append(fns, func(ctx context.Context) error {
			ctx, cancel := secondary(ctx)
			defer cancel()
			tickets, tErr = s.d.Tickets.OpenTickets(ctx, email)
			return tErr
		})
	}
	if s.d.Payments != nil {
		fns = append(fns, func(ctx context.Context) error {
			ctx, cancel := secondary(ctx)
			defer cancel()
			payments, pErr = s.d.Payments.RecentPayments(ctx, email, 1)
			return pErr
		})
	}
	errs := resilience.Parallel(ctx, fns...)
	custErr := errs[0]
	if s.d.Tickets != nil {
		tErr = errs[1]
	}
	if s.d.Payments != nil {
		pErr = errs[len(errs)-1]
	}

	switch {
	case errors.Is(custErr, connector.ErrNotFound):
		return s.fulfilled(s.p.T("lookup.not_found", email))
	case custErr != nil:
		return s.unavailable("what.look_up_your_account")
	}

	who := orDefault(cust.Name(), email)
	if cust.Company != "" {
		who = s.p.T("lookup.who_company", who, cust.Company)
	}
	var found string
	switch {
	case cust.Plan != "" && cust.Status != "":
		found = s.p.T("lookup.found_plan_status", who, cust.Plan, cust.Status)
	case cust.Plan != "":
		found = s.p.T("lookup.found_plan", who, cust.Plan)
	case cust.Status != "":
		found = s.p.T("lookup.found_status", who, cust.Status)
	default:
		found = s.p.T("lookup.found", who)
	}
	msgs := []string{found}
	switch {
	case s.d.Tickets == nil:
	case tErr != nil:
		msgs = append(msgs, s.p.T("lookup.tickets_unknown"))
	default:
		msgs = append(msgs, s.openTicketsLine(tickets))
	}
	switch {
	case s.d.Payments == nil:
	case errors.Is(pErr, connector.ErrNotFound):
	case pErr != nil:
		msgs = append(msgs, s.p.T("lookup.payments_unknown"))
	case len(payments) > 0:
		p := payments[0]
		msgs = append(msgs, s.p.T("lookup.last_payment",
			s.p.Money(p.Amount, p.Currency), s.p.Date(p.CreatedAt), s.statusWord(p.Status)))
	}
	return s.fulfilled(msgs...)
}

// SecondaryShare is the part of a lookup's remaining budget the secondary tools
// (tickets, payments) may use: a slow secondary tool misses its share and the
// customer's record is answered alone, instead of the whole turn running out.
const SecondaryShare = 0.75

// secondary bounds a secondary tool's call to SecondaryShare of ctx's remaining time.
func secondary(ctx context.Context) (context.Context, context.CancelFunc) {
	d, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Duration(float64(time.Until(d))*SecondaryShare))
}

func (s answer) openTicketsLine(ts []connector.Ticket) string {
	switch len(ts) {
	case 0:
		return s.p.T("lookup.tickets_none")
	case 1:
		return s.p.T("lookup.tickets_one", ts[0].ID, ts[0].Subject)
	default:
		return s.p.T("lookup.tickets_many", len(ts), ts[0].ID, ts[0].Subject)
	}
}

// createTicket files a ticket keyed by the turn, so a platform retry of the same turn
// finds the first ticket instead of filing a second. It never claims success it did
// not see.
func (s answer) createTicket(ctx context.Context, t conversation.Turn, slots map[string]string) conversation.Reply {
	if s.d.Tickets == nil {
		return s.unavailable("what.create_tickets")
	}
	prio, _ := connector.ParsePriority(slots[SlotPriority])
	nt := connector.NewTicket{
		RequesterEmail: slots[SlotEmail],
		Subject:        slots[SlotSubject],
		Description:    orDefault(slots[SlotDescription], slots[SlotSubject]),
		Priority:       prio,
		ExternalID:     ExternalID(t, slots),
	}
	tk, err := s.d.Tickets.CreateTicket(ctx, nt)
	switch {
	case err == nil:
		r := s.fulfilled(s.p.T("ticket.created", tk.ID, tk.Subject,
			s.priorityWord(connector.Priority(orDefault(string(tk.Priority), string(prio)))), nt.RequesterEmail))
		r.Rich = &conversation.Rich{
			Ticket: &conversation.TicketCard{Number: tk.ID, Subject: tk.Subject, Link: tk.URL,
				Title: s.p.T("ticket.card_title", tk.ID)},
			OpenLabel: s.p.T("ticket.open"),
		}
		return r
	case connector.KindOf(err) == connector.KindInvalidInput:
		return s.failed(s.p.T("ticket.not_accepted", s.d.SupportEmail))
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		// The request may have reached the helpdesk: do not say it failed, do not say
		// it worked. Only the idempotency layer, once it has recorded the unknown
		// outcome durably, may promise that asking again files nothing twice.
		r := s.failed(s.p.T("ticket.unconfirmed", s.d.SupportEmail))
		r.Unconfirmed = true
		return r
	default:
		return s.failed(s.p.T("ticket.failed", s.d.SupportEmail))
	}
}

// ExternalID is the idempotency key a ticket is filed with: stable across the
// platform's retries of one turn, different for different turns.
func ExternalID(t conversation.Turn, slots map[string]string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", t.Platform, t.SessionID, t.TurnID)
	if t.TurnID == "" {
		// Without a turn id, the same request in the same session is the same ticket.
		fmt.Fprintf(h, "\x00%s\x00%s\x00%s", slots[SlotEmail], slots[SlotSubject], slots[SlotDescription])
	}
	return "sb-" + hex.EncodeToString(h.Sum(nil))[:32]
}

func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}

// verifyPayment answers the status of one payment, but only to the email that owns it:
// a reference that exists under another email gets the same answer as one that does
// not exist, so the reply reveals nothing.
func (s answer) verifyPayment(ctx context.Context, slots map[string]string) conversation.Reply {
	if s.d.Payments == nil {
		return s.unavailable("what.check_payments")
	}
	ref, email := slots[SlotPaymentReference], slots[SlotEmail]
	p, err := s.d.Payments.FindPayment(ctx, ref)
	notFound := s.p.T("payment.not_found", ref, email, s.d.SupportEmail)
	switch {
	case errors.Is(err, connector.ErrNotFound):
		return s.fulfilled(notFound)
	case err != nil:
		return s.unavailable("what.check_that_payment")
	case !strings.EqualFold(strings.TrimSpace(p.CustomerEmail), email):
		return s.fulfilled(notFound)
	}
	key := "payment.unknown"
	switch p.Status {
	case connector.PaymentPaid:
		key = "payment.paid"
	case connector.PaymentPending:
		key = "payment.pending"
	case connector.PaymentFailed:
		key = "payment.failed"
	case connector.PaymentRefunded:
		key = "payment.refunded"
	}
	return s.fulfilled(s.p.T(key, orDefault(p.OrderNumber, p.ID), s.p.Money(p.Amount, p.Currency),
		s.p.Date(p.CreatedAt), s.d.SupportEmail))
}

func (s answer) searchKB(ctx context.Context, slots map[string]string) conversation.Reply {
	if s.d.KB == nil {
		return s.unavailable("what.search_help_center")
	}
	q := slots[SlotQuery]
	arts, err := s.d.KB.SearchArticles(ctx, q, KBResults)
	if err != nil {
		return s.unavailable("what.search_help_center")
	}
	if len(arts) == 0 {
		return s.fulfilled(s.p.T("kb.none", q, s.d.SupportEmail))
	}
	if len(arts) > KBResults {
		arts = arts[:KBResults]
	}
	msgs := []string{s.p.T("kb.heading", q)}
	rich := &conversation.Rich{OpenLabel: s.p.T("kb.open")}
	for i, a := range arts {
		sn := oneLine(a.Snippet, 160)
		line := strconv.Itoa(i+1) + ". " + a.Title
		if sn != "" {
			line += " — " + sn
		}
		if a.URL != "" {
			line += " " + a.URL
		}
		msgs = append(msgs, line)
		rich.Articles = append(rich.Articles, conversation.Article{Title: a.Title, Snippet: sn, Link: a.URL})
	}
	r := s.fulfilled(msgs...)
	r.Rich = rich
	return r
}
