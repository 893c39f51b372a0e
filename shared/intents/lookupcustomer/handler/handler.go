// Package handler is lookup_customer's handler (its contract: the folder above,
// shared/intents/lookupcustomer), registered from its init (intents.Register). Its
// function, functions/lookupcustomer, imports it; so does every binary that answers
// every intent (shared/intents/handlers).
package handler

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/lookupcustomer"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

func init() {
	intents.Register(lookupcustomer.Name, intents.Handler{Fulfil: func(ctx context.Context, a intents.Answer,
		t conversation.Turn, slots map[string]string) (conversation.Reply, intents.Audit) {
		return answer{a}.lookupCustomer(ctx, t, slots)
	}})
}

// answer is the turn's answer, with this intent's own parts.
type answer struct{ intents.Answer }

// neutralLookup is the neutral answer: the same words whether or not an account
// exists, and for a verified caller asking about an email that is not theirs.
func (s answer) neutralLookup() string {
	return s.T("identity.neutral_lookup", s.Deps().SupportEmail)
}

// lookupCustomer reads the customer, their open tickets and their last payment in
// parallel: the three tools share one budget, so the answer takes as long as the
// slowest, not the sum.
//
// Only to the verified owner of the email (the policy): anyone else gets the neutral
// answer, which an email without an account gets too.
func (s answer) lookupCustomer(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, intents.Audit) {
	caller, stop, a := s.Gate(ctx, t, slots, s.neutralLookup)
	if stop != nil {
		return *stop, a
	}
	if a.Outcome == intents.AuditOtherCustomer {
		return s.Fulfilled(s.neutralLookup()), a
	}
	a = intents.Audit{Tool: s.Tools().Customers, Caller: caller}
	r := s.lookupAnswer(ctx, slots, &a)
	if caller.Method == conversation.VerifiedCode && t.Caller.Method != conversation.VerifiedCode {
		// The code was right: clear it so it is not sent again.
		r.SetSlots = map[string]*string{intents.SlotVerificationCode: nil}
	}
	return r, a
}

// lookupAnswer is the full answer, for a caller the policy let through.
func (s answer) lookupAnswer(ctx context.Context, slots map[string]string, a *intents.Audit) conversation.Reply {
	if s.Deps().Customers == nil {
		a.Outcome = intents.AuditUnavailable
		return s.Unavailable("what.look_up_accounts")
	}
	email := slots[intents.SlotEmail]
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
		res.cust, err = s.Deps().Customers.FindCustomerByEmail(ctx, email)
		return err
	}
	if s.Deps().Tickets != nil || s.Deps().Payments != nil {
		// The secondary tools start together and share one budget: one context (and
		// one timer) for both, released once both have answered.
		sctx, cancel := secondary(ctx)
		defer cancel()
		if s.Deps().Tickets != nil {
			fns = append(fns, func(context.Context) (err error) {
				res.tickets, err = s.Deps().Tickets.OpenTickets(sctx, email)
				return err
			})
		}
		if s.Deps().Payments != nil {
			fns = append(fns, func(context.Context) (err error) {
				res.payments, err = s.Deps().Payments.RecentPayments(sctx, email, 1)
				return err
			})
		}
	}
	errs := resilience.Parallel(ctx, fns...)
	cust, tickets, payments := res.cust, res.tickets, res.payments
	custErr := errs[0]
	if s.Deps().Tickets != nil {
		tErr = errs[1]
	}
	if s.Deps().Payments != nil {
		pErr = errs[len(errs)-1]
	}

	switch {
	case errors.Is(custErr, connector.ErrNotFound):
		// The same words as for an email that is not the caller's.
		a.Outcome = intents.AuditNotFound
		return s.Fulfilled(s.neutralLookup())
	case custErr != nil:
		a.Outcome = intents.AuditUnavailable
		return s.Unavailable("what.look_up_your_account")
	}
	a.CustomerID, a.Outcome = cust.ID, intents.AuditAnswered

	// Every string from the tool is quoted as data (plaintext.Inert): it never becomes
	// markup, a link or HTML on the channel; on an agent surface it is a reference to
	// the record's field (intents.Answer.Tool, rec below).
	who := s.Tool("customer.name", cust.Name())
	switch {
	case strings.TrimSpace(cust.Name()) != "":
	case s.Agent():
		who = s.Tool("customer.email", intents.OrDefault(cust.Email, email))
	default:
		who = plaintext.Inert(email)
	}
	if cust.Company != "" {
		who = s.T("lookup.who_company", who, s.Tool("customer.company", cust.Company))
	}
	plan, status := s.Tool("customer.plan", cust.Plan), s.Tool("customer.status", cust.Status)
	var found string
	switch {
	case plan != "" && status != "":
		found = s.T("lookup.found_plan_status", who, plan, status)
	case plan != "":
		found = s.T("lookup.found_plan", who, plan)
	case status != "":
		found = s.T("lookup.found_status", who, status)
	default:
		found = s.T("lookup.found", who)
	}
	msgs := []string{found}
	// The records the answer states, for the agent surfaces: what the messages say
	// and no more (no phone, no address, no other ticket than the one quoted).
	rec := &conversation.Data{Customer: &conversation.CustomerData{Name: cust.Name(), Email: intents.OrDefault(cust.Email, email),
		Company: cust.Company, Plan: cust.Plan, Status: cust.Status}}
	// A part left out because its tool failed makes the answer a fallback.
	partial := false
	switch {
	case s.Deps().Tickets == nil:
	case tErr != nil:
		msgs, partial = append(msgs, s.T("lookup.tickets_unknown")), true
	default:
		line, quoted := s.openTicketsLine(tickets)
		msgs = append(msgs, line)
		if quoted != nil {
			rec.Tickets = []conversation.TicketData{{Number: quoted.ID, Subject: quoted.Subject}}
		}
	}
	switch {
	case s.Deps().Payments == nil:
	case errors.Is(pErr, connector.ErrNotFound):
	case pErr != nil:
		msgs, partial = append(msgs, s.T("lookup.payments_unknown")), true
	case len(payments) > 0:
		p := payments[0]
		msgs = append(msgs, s.T("lookup.last_payment",
			s.Money(p.Amount, p.Currency), s.Printer().Date(p.CreatedAt), s.PaymentStatus(p.Status)))
		// The answer names no reference for the last payment: neither does the record.
		rec.Payment = intents.PaymentData(p, "")
	}
	r := s.Fulfilled(msgs...)
	r.Fallback = partial
	r.Data = rec
	return r
}

// secondaryShare is the part of a lookup's remaining budget the secondary tools
// (tickets, payments) may use, both under one context: a slow secondary tool misses
// its share and the customer's record is answered alone, instead of the whole turn
// running out.
const secondaryShare = 0.75

// secondary bounds a secondary tool's call to secondaryShare of ctx's remaining time.
func secondary(ctx context.Context) (context.Context, context.CancelFunc) {
	d, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Duration(float64(time.Until(d))*secondaryShare))
}

// openTicketsLine says how many open tickets the owner has and quotes the newest. A
// ticket the helpdesk marks as filed by a caller who did not prove the email is not
// the owner's: it is neither counted nor quoted (its words are a stranger's), only
// mentioned as a request filed in chat without sign-in.
//
// It returns the ticket it quotes (nil when none).
func (s answer) openTicketsLine(all []connector.Ticket) (string, *connector.Ticket) {
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
	var quoted *connector.Ticket
	if len(own) > 0 {
		quoted = &own[0]
	}
	switch {
	case len(own) == 0 && strangers > 0:
		line = s.T("lookup.tickets_none_but_unverified")
	case len(own) == 0:
		line = s.T("lookup.tickets_none")
	case len(own) == 1:
		line = s.T("lookup.tickets_one", s.Tool("tickets[0].number", own[0].ID), s.Tool("tickets[0].subject", own[0].Subject))
	default:
		line = s.T("lookup.tickets_many", len(own), s.Tool("tickets[0].number", own[0].ID), s.Tool("tickets[0].subject", own[0].Subject))
	}
	switch {
	case strangers == 1:
		line += " " + s.T("lookup.unverified_one")
	case strangers > 1:
		line += " " + s.T("lookup.unverified_many", strangers)
	}
	return line, quoted
}
