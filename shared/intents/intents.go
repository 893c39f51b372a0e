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
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
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
	// Access is the identity policy (nil: its safe default, see Access).
	Access *Access
}

// Service answers the four intents. It implements conversation.Handler.
type Service struct {
	d   Deps
	acc *Access
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
	return &Service{d: d, acc: d.Access.withDefaults()}
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
	if t.Caller.Method == conversation.VerifiedToken && t.Slot(SlotEmail) == "" && usesIdentity(t.Intent) {
		// A signed-in caller need not type the email the token already proves.
		t.Slots = withSlot(t.Slots, SlotEmail, t.Caller.Email)
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
	var (
		r   conversation.Reply
		trl audit
	)
	switch t.Intent {
	case conversation.LookupCustomer:
		r, trl = a.lookupCustomer(ctx, t, slots)
	case conversation.CreateTicket:
		r, trl = a.createTicket(ctx, t, slots)
	case conversation.VerifyPayment:
		r, trl = a.verifyPayment(ctx, t, slots)
	case conversation.SearchKB:
		r = a.searchKB(ctx, slots)
	}
	if err := s.record(ctx, t, trl); err != nil && trl.discloses() {
		return a.withheld(t.Intent)
	}
	if at, stale := fresh.Oldest(); stale && len(r.Messages) > 0 {
		r.Messages = append(r.Messages, p.T("reply.stale", p.Ago(s.d.Now().Sub(at))))
		r.Fallback = true
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
//
// Only to the verified owner of the email (the policy): anyone else gets the neutral
// answer, which an email without an account gets too.
func (s answer) lookupCustomer(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, audit) {
	caller, stop, a := s.gate(ctx, t, slots, s.neutralLookup())
	if stop != nil {
		return *stop, a
	}
	if a.outcome == outOtherCustomer {
		return s.fulfilled(s.neutralLookup()), a
	}
	a = audit{tool: s.acc.Tools.Customers, caller: caller}
	r := s.lookupAnswer(ctx, slots, &a)
	if caller.Method == conversation.VerifiedCode && t.Caller.Method != conversation.VerifiedCode {
		// The code was right: clear it so it is not sent again.
		r.SetSlots = map[string]*string{SlotVerificationCode: nil}
	}
	return r, a
}

// lookupAnswer is the full answer, for a caller the policy let through.
func (s answer) lookupAnswer(ctx context.Context, slots map[string]string, a *audit) conversation.Reply {
	if s.d.Customers == nil {
		a.outcome = outUnavailable
		return s.unavailable("what.look_up_accounts")
	}
	email := slots[SlotEmail]
	// The calls' results in one value (one allocation for the closures to share).
	var res struct {
		cust     connector.Customer
		tickets  []connector.Ticket
		payments []connector.Payment
	}
	var tErr, pErr error
	// resilience.Parallel turns a panicking connector into that call's error: a panic
	// on one of these goroutines could not be recovered by the engine. A single call
	// (no tickets or payments tool) runs on this goroutine.
	fns := make([]func(context.Context) error, 1, 3)
	fns[0] = func(ctx context.Context) (err error) {
		res.cust, err = s.d.Customers.FindCustomerByEmail(ctx, email)
		return err
	}
	if s.d.Tickets != nil {
		fns = append(fns, func(ctx context.Context) (err error) {
			ctx, cancel := secondary(ctx)
			defer cancel()
			res.tickets, err = s.d.Tickets.OpenTickets(ctx, email)
			return err
		})
	}
	if s.d.Payments != nil {
		fns = append(fns, func(ctx context.Context) (err error) {
			ctx, cancel := secondary(ctx)
			defer cancel()
			res.payments, err = s.d.Payments.RecentPayments(ctx, email, 1)
			return err
		})
	}
	errs := resilience.Parallel(ctx, fns...)
	cust, tickets, payments := res.cust, res.tickets, res.payments
	custErr := errs[0]
	if s.d.Tickets != nil {
		tErr = errs[1]
	}
	if s.d.Payments != nil {
		pErr = errs[len(errs)-1]
	}

	switch {
	case errors.Is(custErr, connector.ErrNotFound):
		// The same words as for an email that is not the caller's.
		a.outcome = outNotFound
		return s.fulfilled(s.neutralLookup())
	case custErr != nil:
		a.outcome = outUnavailable
		return s.unavailable("what.look_up_your_account")
	}
	a.customerID, a.outcome = cust.ID, outAnswered

	// Every string from the tool is quoted as data (plaintext.Inert): it never becomes
	// markup, a link or HTML on the channel.
	who := data(orDefault(cust.Name(), email))
	if cust.Company != "" {
		who = s.p.T("lookup.who_company", who, data(cust.Company))
	}
	plan, status := data(cust.Plan), data(cust.Status)
	var found string
	switch {
	case plan != "" && status != "":
		found = s.p.T("lookup.found_plan_status", who, plan, status)
	case plan != "":
		found = s.p.T("lookup.found_plan", who, plan)
	case status != "":
		found = s.p.T("lookup.found_status", who, status)
	default:
		found = s.p.T("lookup.found", who)
	}
	msgs := []string{found}
	// A part left out because its tool failed makes the answer a fallback.
	partial := false
	switch {
	case s.d.Tickets == nil:
	case tErr != nil:
		msgs, partial = append(msgs, s.p.T("lookup.tickets_unknown")), true
	default:
		msgs = append(msgs, s.openTicketsLine(tickets))
	}
	switch {
	case s.d.Payments == nil:
	case errors.Is(pErr, connector.ErrNotFound):
	case pErr != nil:
		msgs, partial = append(msgs, s.p.T("lookup.payments_unknown")), true
	case len(payments) > 0:
		p := payments[0]
		msgs = append(msgs, s.p.T("lookup.last_payment",
			s.p.Money(p.Amount, p.Currency), s.p.Date(p.CreatedAt), s.statusWord(p.Status)))
	}
	r := s.fulfilled(msgs...)
	r.Fallback = partial
	return r
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

// openTicketsLine says how many open tickets the owner has and quotes the newest. A
// ticket the helpdesk marks as filed by a caller who did not prove the email is not
// the owner's: it is neither counted nor quoted (its words are a stranger's), only
// mentioned as a request filed in chat without sign-in.
func (s answer) openTicketsLine(all []connector.Ticket) string {
	var own []connector.Ticket
	strangers := 0
	for _, t := range all {
		if t.Unverified {
			strangers++
			continue
		}
		own = append(own, t)
	}
	var line string
	switch {
	case len(own) == 0 && strangers > 0:
		line = s.p.T("lookup.tickets_none_but_unverified")
	case len(own) == 0:
		line = s.p.T("lookup.tickets_none")
	case len(own) == 1:
		line = s.p.T("lookup.tickets_one", data(own[0].ID), data(own[0].Subject))
	default:
		line = s.p.T("lookup.tickets_many", len(own), data(own[0].ID), data(own[0].Subject))
	}
	switch {
	case strangers == 1:
		line += " " + s.p.T("lookup.unverified_one")
	case strangers > 1:
		line += " " + s.p.T("lookup.unverified_many", strangers)
	}
	return line
}

// data is text from a tool or a caller, made inert for every channel.
func data(s string) string { return plaintext.Inert(s) }

// createTicket files a ticket keyed by the turn, so a platform retry of the same turn
// finds the first ticket instead of filing a second. It never claims success it did
// not see.
//
// A verified caller's ticket is filed for their verified email; an anonymous caller's
// is filed too, its description starting with identity.UnverifiedNote, and the reply
// says nothing about the account.
func (s answer) createTicket(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, audit) {
	a := audit{tool: s.acc.Tools.Tickets, caller: t.Caller}
	if s.d.Tickets == nil {
		a.outcome = outUnavailable
		return s.unavailable("what.create_tickets"), a
	}
	prio, _ := connector.ParsePriority(slots[SlotPriority])
	requester, verified := slots[SlotEmail], t.Caller.Verified() || s.acc.Open(t.Intent)
	description := orDefault(slots[SlotDescription], slots[SlotSubject])
	switch {
	case t.Caller.Verified():
		requester = t.Caller.Email
	case !verified:
		description = identity.UnverifiedNote + "\n\n" + description
	}
	nt := connector.NewTicket{
		RequesterEmail: requester,
		Subject:        slots[SlotSubject],
		Description:    description,
		Priority:       prio,
		ExternalID:     ExternalID(t, slots),
		// The helpdesk records the provenance (a tag, or the description's mark), so
		// the email's owner never reads this ticket's words as theirs.
		Unverified: !verified,
	}
	tk, err := s.d.Tickets.CreateTicket(ctx, nt)
	a.object = tk.ID
	switch {
	case err == nil && verified:
		a.outcome = outCreated
	case err == nil:
		a.outcome = outCreatedUnver
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		a.outcome = outUnknown
	default:
		a.outcome = outFailed
	}
	return s.ticketReply(ctx, err, tk, nt, prio), a
}

func (s answer) ticketReply(ctx context.Context, err error, tk connector.Ticket, nt connector.NewTicket, prio connector.Priority) conversation.Reply {
	switch {
	case err == nil:
		r := s.fulfilled(s.p.T("ticket.created", data(tk.ID), data(tk.Subject),
			s.priorityWord(connector.Priority(orDefault(string(tk.Priority), string(prio)))), data(nt.RequesterEmail)))
		r.Rich = &conversation.Rich{
			Ticket: &conversation.TicketCard{Number: tk.ID, Subject: tk.Subject, Link: plaintext.Link(tk.URL),
				Title: s.p.T("ticket.card_title", data(tk.ID))},
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
//
// The caller must have proved that email (the policy); a verified caller asking with
// another email gets the same answer as for a payment that does not exist.
func (s answer) verifyPayment(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, audit) {
	caller, stop, a := s.gate(ctx, t, slots, s.neutralPayment())
	if stop != nil {
		return *stop, a
	}
	ref, email := slots[SlotPaymentReference], slots[SlotEmail]
	notFound := s.p.T("payment.not_found", data(ref), data(email), s.d.SupportEmail)
	if a.outcome == outOtherCustomer {
		return s.fulfilled(notFound), a
	}
	a = audit{tool: s.acc.Tools.Payments, caller: caller}
	r := s.paymentAnswer(ctx, ref, email, notFound, &a)
	if caller.Method == conversation.VerifiedCode && t.Caller.Method != conversation.VerifiedCode {
		r.SetSlots = map[string]*string{SlotVerificationCode: nil}
	}
	return r, a
}

func (s answer) paymentAnswer(ctx context.Context, ref, email, notFound string, a *audit) conversation.Reply {
	if s.d.Payments == nil {
		a.outcome = outUnavailable
		return s.unavailable("what.check_payments")
	}
	p, err := s.d.Payments.FindPayment(ctx, ref)
	switch {
	case errors.Is(err, connector.ErrNotFound):
		a.outcome = outNotFound
		return s.fulfilled(notFound)
	case err != nil:
		a.outcome = outUnavailable
		return s.unavailable("what.check_that_payment")
	case !strings.EqualFold(strings.TrimSpace(p.CustomerEmail), email):
		a.outcome = outOtherCustomer
		return s.fulfilled(notFound)
	}
	a.object, a.outcome = p.ID, outAnswered
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
	r := s.fulfilled(s.p.T(key, data(orDefault(p.OrderNumber, p.ID)), s.p.Money(p.Amount, p.Currency),
		s.p.Date(p.CreatedAt), s.d.SupportEmail))
	// A status the tool gave that cannot be interpreted is not the business answer.
	r.Fallback = key == "payment.unknown"
	return r
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
		return s.fulfilled(s.p.T("kb.none", data(q), s.d.SupportEmail))
	}
	if len(arts) > KBResults {
		arts = arts[:KBResults]
	}
	msgs := []string{s.p.T("kb.heading", data(q))}
	rich := &conversation.Rich{OpenLabel: s.p.T("kb.open")}
	for i, a := range arts {
		sn := oneLine(a.Snippet, 160)
		// The title and snippet are data; the link is the tool's own field, kept only
		// when it is https (the connector already kept only its allowed hosts).
		link := plaintext.Link(a.URL)
		line := strconv.Itoa(i+1) + ". " + data(a.Title)
		if sn != "" {
			line += " — " + data(sn)
		}
		if link != "" {
			line += " " + link
		}
		msgs = append(msgs, line)
		rich.Articles = append(rich.Articles, conversation.Article{Title: a.Title, Snippet: sn, Link: link})
	}
	r := s.fulfilled(msgs...)
	r.Rich = rich
	return r
}

func withSlot(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// usesIdentity reports whether the intent's answer depends on who the caller is
// (shared/intents/spec: Identity).
func usesIdentity(in conversation.Intent) bool {
	i, _ := spec.Lookup(string(in))
	return i.Identity
}
