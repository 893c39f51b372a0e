package intents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
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
	return &Service{d: d, acc: d.Access.withDefaults()}
}

// KBResults is how many articles a knowledge-base answer lists.
const KBResults = 3

// Handle validates the turn's slots and, in the fulfil phase, answers the intent.
func (s *Service) Handle(ctx context.Context, t conversation.Turn) conversation.Reply {
	if _, known := specs[t.Intent]; !known {
		return conversation.Reply{
			Outcome:  conversation.OutcomeUnknownIntent,
			Messages: []string{"Sorry, I can't help with that here."},
		}
	}
	if t.Caller.Method == conversation.VerifiedToken && t.Slot(SlotEmail) == "" && t.Intent != conversation.SearchKB {
		// A signed-in caller need not type the email the token already proves.
		t.Slots = withSlot(t.Slots, SlotEmail, t.Caller.Email)
	}
	slots, elicit := validate(t.Intent, t)
	if elicit != nil {
		return *elicit
	}
	if t.Phase == conversation.PhaseValidate {
		return conversation.Reply{Outcome: conversation.OutcomeDelegate}
	}
	ctx, fresh := connector.WithFreshness(ctx)
	var (
		r conversation.Reply
		a audit
	)
	switch t.Intent {
	case conversation.LookupCustomer:
		r, a = s.lookupCustomer(ctx, t, slots)
	case conversation.CreateTicket:
		r, a = s.createTicket(ctx, t, slots)
	case conversation.VerifyPayment:
		r, a = s.verifyPayment(ctx, t, slots)
	case conversation.SearchKB:
		r = s.searchKB(ctx, slots)
	}
	s.record(ctx, t, a)
	if at, stale := fresh.Oldest(); stale && len(r.Messages) > 0 {
		r.Messages = append(r.Messages, fmt.Sprintf(
			"(Our records system isn't responding right now, so this is as of %s.)", ago(s.d.Now().Sub(at))))
	}
	return r
}

func (s *Service) failed(msg string) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{msg}}
}

func (s *Service) fulfilled(msgs ...string) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: msgs}
}

// unavailable is the honest apology for a tool failure, with the manual alternative.
func (s *Service) unavailable(what string) conversation.Reply {
	return s.failed(fmt.Sprintf("Sorry, I can't %s right now because one of our systems isn't responding. "+
		"Please try again in a few minutes, or email %s and a person will help you.", what, s.d.SupportEmail))
}

// lookupCustomer reads the customer, their open tickets and their last payment in
// parallel: the three tools share one budget, so the answer takes as long as the
// slowest, not the sum.
func (s *Service) lookupCustomer(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, audit) {
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
func (s *Service) lookupAnswer(ctx context.Context, slots map[string]string, a *audit) conversation.Reply {
	if s.d.Customers == nil {
		a.outcome = outUnavailable
		return s.unavailable("look up accounts")
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
			tickets, tErr = s.d.Tickets.OpenTickets(ctx, email)
			return tErr
		})
	}
	if s.d.Payments != nil {
		fns = append(fns, func(ctx context.Context) error {
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
		// The same words as for an email that is not the caller's.
		a.outcome = outNotFound
		return s.fulfilled(s.neutralLookup())
	case custErr != nil:
		a.outcome = outUnavailable
		return s.unavailable("look up your account")
	}
	a.customerID, a.outcome = cust.ID, outAnswered

	var b strings.Builder
	b.WriteString("I found ")
	b.WriteString(orDefault(cust.Name(), email))
	if cust.Company != "" {
		fmt.Fprintf(&b, " (%s)", cust.Company)
	}
	switch {
	case cust.Plan != "" && cust.Status != "":
		fmt.Fprintf(&b, ": %s plan, account %s.", cust.Plan, cust.Status)
	case cust.Plan != "":
		fmt.Fprintf(&b, ": %s plan.", cust.Plan)
	case cust.Status != "":
		fmt.Fprintf(&b, ": account %s.", cust.Status)
	default:
		b.WriteString(".")
	}
	msgs := []string{b.String()}
	switch {
	case s.d.Tickets == nil:
	case tErr != nil:
		msgs = append(msgs, "I couldn't check open tickets just now.")
	default:
		msgs = append(msgs, openTicketsLine(tickets))
	}
	switch {
	case s.d.Payments == nil:
	case errors.Is(pErr, connector.ErrNotFound):
	case pErr != nil:
		msgs = append(msgs, "I couldn't check recent payments just now.")
	case len(payments) > 0:
		p := payments[0]
		msgs = append(msgs, fmt.Sprintf("The last payment, %s on %s, is %s.",
			money(p.Amount, p.Currency), day(p.CreatedAt), statusWord(p.Status)))
	}
	return s.fulfilled(msgs...)
}

func openTicketsLine(ts []connector.Ticket) string {
	switch len(ts) {
	case 0:
		return "There are no open tickets."
	case 1:
		return fmt.Sprintf("There is 1 open ticket: #%s %q.", ts[0].ID, ts[0].Subject)
	default:
		return fmt.Sprintf("There are %d open tickets; the newest is #%s %q.", len(ts), ts[0].ID, ts[0].Subject)
	}
}

// createTicket files a ticket keyed by the turn, so a platform retry of the same turn
// finds the first ticket instead of filing a second. It never claims success it did
// not see.
//
// A verified caller's ticket is filed for their verified email; an anonymous caller's
// is filed too, with a first line saying the requester is unverified, and the reply
// says nothing about the account.
func (s *Service) createTicket(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, audit) {
	a := audit{tool: s.acc.Tools.Tickets, caller: t.Caller}
	if s.d.Tickets == nil {
		a.outcome = outUnavailable
		return s.unavailable("create tickets"), a
	}
	prio, _ := connector.ParsePriority(slots[SlotPriority])
	requester, verified := slots[SlotEmail], t.Caller.Verified() || s.acc.Open(t.Intent)
	description := orDefault(slots[SlotDescription], slots[SlotSubject])
	switch {
	case t.Caller.Verified():
		requester = t.Caller.Email
	case !verified:
		description = UnverifiedNote + "\n\n" + description
	}
	nt := connector.NewTicket{
		RequesterEmail: requester,
		Subject:        slots[SlotSubject],
		Description:    description,
		Priority:       prio,
		ExternalID:     ExternalID(t, slots),
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

// UnverifiedNote starts the description of a ticket filed by an anonymous caller.
const UnverifiedNote = "[Unverified requester] The requester typed this email address in the chat and did not prove it; " +
	"do not share account details in replies until they do."

func (s *Service) ticketReply(ctx context.Context, err error, tk connector.Ticket, nt connector.NewTicket, prio connector.Priority) conversation.Reply {
	switch {
	case err == nil:
		return s.fulfilled(fmt.Sprintf("I've created ticket #%s: %q (%s priority). "+
			"We'll reply to %s.", tk.ID, tk.Subject, orDefault(string(tk.Priority), string(prio)), nt.RequesterEmail))
	case connector.KindOf(err) == connector.KindInvalidInput:
		return s.failed(fmt.Sprintf("Sorry, the helpdesk didn't accept that ticket, so nothing was filed. "+
			"Please email %s with your request.", s.d.SupportEmail))
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		// The request may have reached the helpdesk: do not say it failed, do not say
		// it worked. The external id makes asking again safe.
		return s.failed(fmt.Sprintf("Sorry, I couldn't confirm that your ticket was created. "+
			"Asking me again won't create a duplicate; or email %s.", s.d.SupportEmail))
	default:
		return s.failed(fmt.Sprintf("Sorry, I couldn't create your ticket because the helpdesk isn't responding, "+
			"so nothing has been filed. Please try again later, or email %s and a person will open it for you.",
			s.d.SupportEmail))
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
func (s *Service) verifyPayment(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, audit) {
	caller, stop, a := s.gate(ctx, t, slots, s.neutralPayment())
	if stop != nil {
		return *stop, a
	}
	ref, email := slots[SlotPaymentReference], slots[SlotEmail]
	notFound := fmt.Sprintf("I couldn't find a payment %s for %s. Please check the reference on your receipt, "+
		"or email %s.", ref, email, s.d.SupportEmail)
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

func (s *Service) paymentAnswer(ctx context.Context, ref, email, notFound string, a *audit) conversation.Reply {
	if s.d.Payments == nil {
		a.outcome = outUnavailable
		return s.unavailable("check payments")
	}
	p, err := s.d.Payments.FindPayment(ctx, ref)
	switch {
	case errors.Is(err, connector.ErrNotFound):
		a.outcome = outNotFound
		return s.fulfilled(notFound)
	case err != nil:
		a.outcome = outUnavailable
		return s.unavailable("check that payment")
	case !strings.EqualFold(strings.TrimSpace(p.CustomerEmail), email):
		a.outcome = outOtherCustomer
		return s.fulfilled(notFound)
	}
	a.object, a.outcome = p.ID, outAnswered
	head := fmt.Sprintf("Payment %s of %s on %s", orDefault(p.OrderNumber, p.ID), money(p.Amount, p.Currency), day(p.CreatedAt))
	var msg string
	switch p.Status {
	case connector.PaymentPaid:
		msg = head + " went through: it is paid."
	case connector.PaymentPending:
		msg = head + " is still pending. Most payments settle within a few business days."
	case connector.PaymentFailed:
		msg = head + " failed, so you were not charged. You can pay again or use another card."
	case connector.PaymentRefunded:
		msg = head + " was refunded. Refunds reach your account within 5 to 10 business days."
	default:
		msg = head + " has a status I can't interpret; please email " + s.d.SupportEmail + "."
	}
	return s.fulfilled(msg)
}

func (s *Service) searchKB(ctx context.Context, slots map[string]string) conversation.Reply {
	if s.d.KB == nil {
		return s.unavailable("search the help center")
	}
	q := slots[SlotQuery]
	arts, err := s.d.KB.SearchArticles(ctx, q, KBResults)
	if err != nil {
		return s.unavailable("search the help center")
	}
	if len(arts) == 0 {
		return s.fulfilled(fmt.Sprintf("I couldn't find any help articles about %q. "+
			"Try other words, or email %s.", q, s.d.SupportEmail))
	}
	if len(arts) > KBResults {
		arts = arts[:KBResults]
	}
	msgs := []string{fmt.Sprintf("Here's what I found about %q:", q)}
	for i, a := range arts {
		line := fmt.Sprintf("%d. %s", i+1, a.Title)
		if sn := oneLine(a.Snippet, 160); sn != "" {
			line += " — " + sn
		}
		if a.URL != "" {
			line += " " + a.URL
		}
		msgs = append(msgs, line)
	}
	return s.fulfilled(msgs...)
}

func withSlot(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}
