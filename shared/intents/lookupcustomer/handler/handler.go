// Package handler is lookup_customer's handler (its contract: the folder above,
// shared/intents/lookupcustomer), registered from its init (intents.Register). Its
// function, functions/lookupcustomer, imports it; so does every binary that answers
// every intent (shared/intents/handlers).
package handler

import (
	"context"
	"errors"
	"strings"
	"sync"
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
	d := s.Deps()
	if d.Customers == nil {
		a.Outcome = intents.AuditUnavailable
		return s.Unavailable("what.look_up_accounts")
	}
	email := slots[intents.SlotEmail]
	// The calls, made in parallel (lookup.Call); resilience.ParallelCalls turns a
	// panicking connector into that call's error: a panic on one of these goroutines
	// could not be recovered by the engine. A single call (no tickets or payments
	// tool) runs on this goroutine.
	c := lookups.Get().(*lookup)
	c.d, c.email, c.n = d, email, 0
	c.add(callCustomer)
	if d.Tickets != nil || d.Payments != nil {
		// The secondary tools start together and share one budget: one context for
		// both (its timer armed only if a tool looks at it), released once both have
		// answered.
		sctx, cancel := secondary(ctx)
		defer cancel()
		c.sctx = sctx
		if d.Tickets != nil {
			c.add(callTickets)
		}
		if d.Payments != nil {
			c.add(callPayments)
		}
	}
	resilience.ParallelCalls(ctx, c, c.errs[:c.n])
	cust, tickets, payments := c.cust, c.tickets, c.payments
	custErr, tErr, pErr := c.errOf(callCustomer), c.errOf(callTickets), c.errOf(callPayments)
	*c = lookup{}
	lookups.Put(c)

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
	name := cust.Name()
	who := s.Tool("customer.name", name)
	switch {
	case strings.TrimSpace(name) != "":
	case s.Agent():
		who = s.Tool("customer.email", intents.OrDefault(cust.Email, email))
	default:
		who = plaintext.Inert(email)
	}
	if cust.Company != "" {
		who = s.TS("lookup.who_company", who, s.Tool("customer.company", cust.Company))
	}
	plan, status := s.Tool("customer.plan", cust.Plan), s.Tool("customer.status", cust.Status)
	var found string
	switch {
	case plan != "" && status != "":
		found = s.TS("lookup.found_plan_status", who, plan, status)
	case plan != "":
		found = s.TS("lookup.found_plan", who, plan)
	case status != "":
		found = s.TS("lookup.found_status", who, status)
	default:
		found = s.TS("lookup.found", who)
	}
	// The records the answer states, for the agent surfaces: what the messages say
	// and no more (no phone, no address, no other ticket than the one quoted). They
	// and the messages are allocated together.
	out := &lookupReply{}
	out.cust = conversation.CustomerData{Name: name, Email: intents.OrDefault(cust.Email, email),
		Company: cust.Company, Plan: cust.Plan, Status: cust.Status}
	rec := &out.data
	rec.Customer = &out.cust
	msgs := append(out.msgs[:0], found)
	// A part left out because its tool failed makes the answer a fallback.
	partial := false
	switch {
	case d.Tickets == nil:
	case tErr != nil:
		msgs, partial = append(msgs, s.T("lookup.tickets_unknown")), true
	default:
		line, quoted := s.openTicketsLine(tickets)
		msgs = append(msgs, line)
		if quoted != nil {
			out.ticket[0] = conversation.TicketData{Number: quoted.ID, Subject: quoted.Subject}
			rec.Tickets = out.ticket[:]
		}
	}
	switch {
	case d.Payments == nil:
	case errors.Is(pErr, connector.ErrNotFound):
	case pErr != nil:
		msgs, partial = append(msgs, s.T("lookup.payments_unknown")), true
	case len(payments) > 0:
		p := payments[0]
		msgs = append(msgs, s.TS("lookup.last_payment",
			s.Money(p.Amount, p.Currency), s.Printer().Date(p.CreatedAt), s.PaymentStatus(p.Status)))
		// The answer names no reference for the last payment: neither does the record.
		out.pay = intents.PaymentRecord(p, "")
		rec.Payment = &out.pay
	}
	r := s.Fulfilled(msgs...)
	r.Fallback = partial
	r.Data = rec
	return r
}

// lookupReply is what a lookup's reply holds, in one allocation: its messages (the
// found line, the tickets line, the payment line) and its records.
type lookupReply struct {
	msgs   [3]string
	data   conversation.Data
	cust   conversation.CustomerData
	ticket [1]conversation.TicketData
	pay    conversation.PaymentData
}

// The calls a lookup makes.
const (
	callCustomer = iota + 1
	callTickets
	callPayments
)

// lookup is a lookup's calls and their results (resilience.Calls), reused from turn
// to turn (lookups): the fan-out needs no closure or slice of its own.
type lookup struct {
	d     intents.Deps
	email string
	// sctx is the secondary tools' context (secondary).
	sctx     context.Context
	calls    [3]int // callCustomer, callTickets, callPayments, in the order made
	errs     [3]error
	n        int
	cust     connector.Customer
	tickets  []connector.Ticket
	payments []connector.Payment
}

var lookups = sync.Pool{New: func() any { return new(lookup) }}

func (c *lookup) add(call int) { c.calls[c.n] = call; c.n++ }

// errOf is the error of call (nil when it was not made).
func (c *lookup) errOf(call int) error {
	for i := range c.n {
		if c.calls[i] == call {
			return c.errs[i]
		}
	}
	return nil
}

// Call makes call i: the customer with the lookup's context, the secondary tools with
// their share of it (sctx).
func (c *lookup) Call(ctx context.Context, i int) (err error) {
	switch c.calls[i] {
	case callCustomer:
		c.cust, err = c.d.Customers.FindCustomerByEmail(ctx, c.email)
	case callTickets:
		c.tickets, err = c.d.Tickets.OpenTickets(c.sctx, c.email)
	case callPayments:
		c.payments, err = c.d.Payments.RecentPayments(c.sctx, c.email, 1)
	}
	return err
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
	own, strangers := 0, 0
	var quoted *connector.Ticket
	for i := range all {
		if all[i].Unverified {
			strangers++
			continue
		}
		if own == 0 {
			quoted = &all[i]
		}
		own++
	}
	var line string
	switch {
	case own == 0 && strangers > 0:
		line = s.T("lookup.tickets_none_but_unverified")
	case own == 0:
		line = s.T("lookup.tickets_none")
	case own == 1:
		line = s.TS("lookup.tickets_one", s.Tool("tickets[0].number", quoted.ID), s.Tool("tickets[0].subject", quoted.Subject))
	default:
		line = s.T("lookup.tickets_many", own, s.Tool("tickets[0].number", quoted.ID), s.Tool("tickets[0].subject", quoted.Subject))
	}
	switch {
	case strangers == 1:
		line += " " + s.T("lookup.unverified_one")
	case strangers > 1:
		line += " " + s.T("lookup.unverified_many", strangers)
	}
	return line, quoted
}
