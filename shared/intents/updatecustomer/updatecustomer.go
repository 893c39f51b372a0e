// Package updatecustomer is the update_customer intent's contract (shared/intents/spec),
// registered from its init: a verified caller changes their own phone number or postal
// address (never their email, which is the identity they proved). Its handler is the
// package updatecustomer/handler, which only a binary that answers it links; its Lambda
// function is functions/updatecustomer.
//
// Its slots: email (who the caller says they are, for the one-time code; a signed-in
// caller's is their token's), field (phone or address; inferred from new_value when
// the caller gives it first), new_value (the phone number, or the address in one line:
// street, postal code and city, region, country, separated by commas) and confirm:
// nothing is written until the caller answers yes to the question that repeats the new
// value as it was understood.
package updatecustomer

import (
	"embed"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Name is the intent's canonical name.
const Name = "update_customer"

// locales is the intent's own reply catalogue, one file per language.
//
//go:embed locales/*.json
var locales embed.FS

func init() {
	spec.Register(spec.Intent{
		Name:       Name,
		Order:      5,
		Function:   "updatecustomer",
		Write:      true,
		Stage:      spec.StageWrites,
		Uses:       []string{spec.Customers},
		Identity:   true,
		Unverified: spec.UnverifiedCode,
		// Four slots (and the one-time code's): Amazon Bedrock takes at most five
		// parameters per function. The new value is one slot whatever the field: a
		// phone number, or an address in one line, as callers say it.
		Slots: []spec.Slot{
			{Name: "email", Required: true, Prompt: "prompt.email", Retry: "retry.email",
				Example: "ada@example.com", Unknown: "nobody@example.com"},
			{Name: "field", Prompt: "prompt.field", Retry: "retry.field", Example: "phone"},
			{Name: "new_value", Prompt: "prompt.new_value", Retry: "retry.new_value", Example: "+44 20 7946 0958"},
			// The sample turn answers no to the question: it changes nothing, so the
			// smoke test can send it to the real CRM.
			{Name: "confirm", Prompt: "retry.confirm", Retry: "retry.confirm", Example: "no"},
		},
		Withheld:   "what.update_your_details",
		Slow:       "reply.update_slow",
		Unfinished: "update.unconfirmed",
		Locales:    locales,
		Replies:    []string{"update.", "field.", "confirm.", "identity."},
		Display:    "UpdateCustomer",
		Samples:    "update_customer.json",
		StoreDown:  "what.update_your_details",
		Pending:    "reply.still_working_update",
		// Specific phrases, ranked before every other intent's words ("change my
		// password" stays a help-center search: no phrase here names a password).
		Console: spec.Console{Rank: 0, Keywords: []string{"my phone", "phone number", "my address", "new address",
			"postal address", "meine telefonnummer", "neue telefonnummer", "meine adresse", "neue adresse",
			"mon numéro", "mon téléphone", "mon adresse", "nouvelle adresse", "mi teléfono", "mi número",
			"mi dirección", "nueva dirección", "meu telefone", "meu número", "meu endereço", "novo endereço"}},
	})
}
