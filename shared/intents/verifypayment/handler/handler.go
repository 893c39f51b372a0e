// Package handler is verify_payment's handler (its contract: the folder above,
// shared/intents/verifypayment), registered from its init (intents.Register). Its
// function, functions/verifypayment, imports it; so does every binary that answers
// every intent (shared/intents/handlers).
package handler

import (
	"context"
	"errors"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/verifypayment"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

func init() {
	intents.Register(verifypayment.Name, intents.Handler{Fulfil: func(ctx context.Context, a intents.Answer,
		t conversation.Turn, slots map[string]string) (conversation.Reply, intents.Audit) {
		return answer{a}.verifyPayment(ctx, t, slots)
	}})
}

// answer is the turn's answer, with this intent's own parts.
type answer struct{ intents.Answer }

// neutralPayment is the neutral answer: the same words whether or not an account or
// the payment exists, and for a verified caller asking about an email that is not
// theirs.
func (s answer) neutralPayment() string {
	return s.TS("identity.neutral_payment", s.Deps().SupportEmail)
}

// verifyPayment answers the status of one payment, but only to the email that owns it:
// a reference that exists under another email gets the same answer as one that does
// not exist, so the reply reveals nothing.
//
// The caller must have proved that email (the policy); a verified caller asking with
// another email gets the same answer as for a payment that does not exist.
func (s answer) verifyPayment(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, intents.Audit) {
	caller, stop, a := s.Gate(ctx, t, slots, s.neutralPayment)
	if stop != nil {
		return *stop, a
	}
	ref, email := slots[intents.SlotPaymentReference], slots[intents.SlotEmail]
	// The not-found words, written only for a reply that says them.
	notFound := func() string {
		return s.TS("payment.not_found", plaintext.Inert(ref), plaintext.Inert(email), s.Deps().SupportEmail)
	}
	if a.Outcome == intents.AuditOtherCustomer {
		return s.Fulfilled(notFound()), a
	}
	a = intents.Audit{Tool: s.Tools().Payments, Caller: caller}
	r := s.paymentAnswer(ctx, ref, email, notFound, &a)
	if caller.Method == conversation.VerifiedCode && t.Caller.Method != conversation.VerifiedCode {
		r.SetSlots = map[string]*string{intents.SlotVerificationCode: nil}
	}
	return r, a
}

func (s answer) paymentAnswer(ctx context.Context, ref, email string, notFound func() string, a *intents.Audit) conversation.Reply {
	if s.Deps().Payments == nil {
		a.Outcome = intents.AuditUnavailable
		return s.Unavailable("what.check_payments")
	}
	p, err := s.Deps().Payments.FindPayment(ctx, ref)
	switch {
	case errors.Is(err, connector.ErrNotFound):
		a.Outcome = intents.AuditNotFound
		return s.Fulfilled(notFound())
	case err != nil:
		a.Outcome = intents.AuditUnavailable
		return s.Unavailable("what.check_that_payment")
	case !strings.EqualFold(strings.TrimSpace(p.CustomerEmail), email):
		a.Outcome = intents.AuditOtherCustomer
		return s.Fulfilled(notFound())
	}
	a.Object, a.Outcome = p.ID, intents.AuditAnswered
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
	r := s.Fulfilled(s.TS(key, s.Tool("payment.reference", intents.OrDefault(p.OrderNumber, p.ID)), s.Money(p.Amount, p.Currency),
		s.Printer().Date(p.CreatedAt), s.Deps().SupportEmail))
	// A status the tool gave that cannot be interpreted is not the business answer.
	r.Fallback = key == "payment.unknown"
	// The owner's payment as a record (the reference the answer names).
	r.Data = &conversation.Data{Payment: intents.PaymentData(p, intents.OrDefault(p.OrderNumber, p.ID))}
	return r
}
