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
	return &Service{d: d}
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
	slots, elicit := validate(t.Intent, t)
	if elicit != nil {
		return *elicit
	}
	if t.Phase == conversation.PhaseValidate {
		return conversation.Reply{Outcome: conversation.OutcomeDelegate}
	}
	ctx, fresh := connector.WithFreshness(ctx)
	var r conversation.Reply
	switch t.Intent {
	case conversation.LookupCustomer:
		r = s.lookupCustomer(ctx, slots)
	case conversation.CreateTicket:
		r = s.createTicket(ctx, t, slots)
	case conversation.VerifyPayment:
		r = s.verifyPayment(ctx, slots)
	case conversation.SearchKB:
		r = s.searchKB(ctx, slots)
	}
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
func (s *Service) lookupCustomer(ctx context.Context, slots map[string]string) conversation.Reply {
	if s.d.Customers == nil {
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
		return s.fulfilled(fmt.Sprintf("I couldn't find an account with the email %s. "+
			"If you signed up with another address, tell me that one instead.", email))
	case custErr != nil:
		return s.unavailable("look up your account")
	}

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
func (s *Service) createTicket(ctx context.Context, t conversation.Turn, slots map[string]string) conversation.Reply {
	if s.d.Tickets == nil {
		return s.unavailable("create tickets")
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
		return s.fulfilled(fmt.Sprintf("I've created ticket #%s: %q (%s priority). "+
			"We'll reply to %s.", tk.ID, tk.Subject, orDefault(string(tk.Priority), string(prio)), nt.RequesterEmail))
	case connector.KindOf(err) == connector.KindInvalidInput:
		return s.failed(fmt.Sprintf("Sorry, the helpdesk didn't accept that ticket, so nothing was filed. "+
			"Please email %s with your request.", s.d.SupportEmail))
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		// The request may have reached the helpdesk: do not say it failed, do not say
		// it worked. Only the idempotency layer, once it has recorded the unknown
		// outcome durably, may promise that asking again files nothing twice.
		r := s.failed(fmt.Sprintf("Sorry, I couldn't confirm that your ticket was created. "+
			"Please check your email for the helpdesk's confirmation before asking again, or email %s.", s.d.SupportEmail))
		r.Unconfirmed = true
		return r
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
func (s *Service) verifyPayment(ctx context.Context, slots map[string]string) conversation.Reply {
	if s.d.Payments == nil {
		return s.unavailable("check payments")
	}
	ref, email := slots[SlotPaymentReference], slots[SlotEmail]
	p, err := s.d.Payments.FindPayment(ctx, ref)
	notFound := fmt.Sprintf("I couldn't find a payment %s for %s. Please check the reference on your receipt, "+
		"or email %s.", ref, email, s.d.SupportEmail)
	switch {
	case errors.Is(err, connector.ErrNotFound):
		return s.fulfilled(notFound)
	case err != nil:
		return s.unavailable("check that payment")
	case !strings.EqualFold(strings.TrimSpace(p.CustomerEmail), email):
		return s.fulfilled(notFound)
	}
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
