package stripeconn

import (
	"fmt"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// Status maps a PaymentIntent onto the normalized payment status:
//
//   - succeeded: paid, or refunded when its latest charge was refunded in full;
//   - canceled, or any unfinished intent whose last attempt failed: failed;
//   - processing and requires_*: pending.
//
// A status Stripe adds later is pending: never claim "paid" for something unknown.
func Status(pi *stripe.PaymentIntent) connector.PaymentStatus {
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		if ch := pi.LatestCharge; ch != nil && (ch.Refunded || (ch.Amount > 0 && ch.AmountRefunded >= ch.Amount)) {
			return connector.PaymentRefunded
		}
		return connector.PaymentPaid
	case stripe.PaymentIntentStatusCanceled:
		return connector.PaymentFailed
	}
	// A requires_payment_method intent with a last_payment_error is a declined attempt
	// the customer has not retried: tell them it failed, not that it is on its way.
	if pi.LastPaymentError != nil {
		return connector.PaymentFailed
	}
	return connector.PaymentPending
}

// normalize maps a PaymentIntent onto connector.Payment. fallbackEmail is used when
// neither the (expanded) customer nor receipt_email carries one, e.g. when the intent
// was listed for a customer already found by that email.
func normalize(pi *stripe.PaymentIntent, orderKey, fallbackEmail string) (connector.Payment, error) {
	if pi == nil {
		return connector.Payment{}, connector.InvalidResponse(tool, "normalize", "payment_intent", fmt.Errorf("empty object"))
	}
	if pi.ID == "" {
		return connector.Payment{}, connector.InvalidResponse(tool, "normalize", "id", fmt.Errorf("missing"))
	}
	if pi.Amount < 0 {
		return connector.Payment{}, connector.InvalidResponse(tool, "normalize", "amount", fmt.Errorf("negative amount %d", pi.Amount))
	}
	p := connector.Payment{
		ID:          pi.ID,
		OrderNumber: pi.Metadata[orderKey],
		Amount:      pi.Amount,
		Currency:    strings.ToLower(string(pi.Currency)),
		Status:      Status(pi),
		Description: pi.Description,
	}
	switch {
	case pi.Customer != nil && pi.Customer.Email != "":
		p.CustomerEmail = pi.Customer.Email
	case pi.ReceiptEmail != "":
		p.CustomerEmail = pi.ReceiptEmail
	default:
		p.CustomerEmail = fallbackEmail
	}
	if pi.Created > 0 {
		p.CreatedAt = time.Unix(pi.Created, 0).UTC()
	}
	return p, nil
}
