package intents

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
)

// verify_payment's handler (its contract: shared/intents/verifypayment).
func init() {
	register(conversation.VerifyPayment, handler{fulfil: answer.verifyPayment})
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
	r := s.fulfilled(s.p.T(key, s.tool("payment.reference", orDefault(p.OrderNumber, p.ID)), s.money(p.Amount, p.Currency),
		s.p.Date(p.CreatedAt), s.d.SupportEmail))
	// A status the tool gave that cannot be interpreted is not the business answer.
	r.Fallback = key == "payment.unknown"
	// The owner's payment as a record (the reference the answer names).
	r.Data = &conversation.Data{Payment: paymentData(p, orDefault(p.OrderNumber, p.ID))}
	return r
}

// paymentData is a payment as a record: the amount as a decimal, the status one the
// answers know or "unknown", the day in UTC.
func paymentData(p connector.Payment, ref string) *conversation.PaymentData {
	out := &conversation.PaymentData{Reference: ref, Amount: i18n.Decimal(p.Amount, p.Currency),
		Currency: strings.ToUpper(strings.TrimSpace(p.Currency)), Status: "unknown"}
	switch p.Status {
	case connector.PaymentPaid, connector.PaymentPending, connector.PaymentFailed, connector.PaymentRefunded:
		out.Status = string(p.Status)
	}
	if !p.CreatedAt.IsZero() {
		out.Date = p.CreatedAt.UTC().Format(time.DateOnly)
	}
	return out
}
