// Package verifypayment is the verify_payment intent's contract (shared/intents/spec), registered
// from its init. Its handler is the package verifypayment/handler, which only a binary that
// answers the intent links; its Lambda function is functions/verifypayment.
package verifypayment

import (
	"embed"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Name is the intent's canonical name.
const Name = "verify_payment"

// locales is the intent's own reply catalogue, one file per language.
//
//go:embed locales/*.json
var locales embed.FS

func init() {
	spec.Register(spec.Intent{
		Name:       Name,
		Order:      3,
		Function:   "verifypayment",
		Write:      false,
		Stage:      spec.StagePayments,
		Uses:       []string{spec.Payments},
		Identity:   true,
		Unverified: spec.UnverifiedCode,
		Slots: []spec.Slot{
			{Name: "payment_reference", Required: true, Prompt: "prompt.payment_reference", Retry: "retry.payment_reference",
				Example: "pi_demo_ada_1", Unknown: "pi_3NotARealPaymentXyz"},
			{Name: "email", Required: true, Prompt: "prompt.email", Retry: "retry.email",
				Example: "ada@example.com", Unknown: "nobody@example.com"},
		},
		Withheld: "what.check_payments",
		Locales:  locales,
		Replies:  []string{"payment.", "payment_status.", "identity."},
		Display:  "VerifyPayment",
		Samples:  "verify_payment.json",
		Console: spec.Console{Rank: 2, Keywords: []string{"payment", "paid", "charge", "refund", "zahlung", "paiement",
			"pago", "pagamento"}},
	})
}
