// Package lookupcustomer is the lookup_customer intent's contract (shared/intents/spec), registered
// from its init. Its handler is the package lookupcustomer/handler, which only a binary that
// answers the intent links; its Lambda function is functions/lookupcustomer.
package lookupcustomer

import (
	"embed"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Name is the intent's canonical name.
const Name = "lookup_customer"

// locales is the intent's own reply catalogue, one file per language.
//
//go:embed locales/*.json
var locales embed.FS

func init() {
	spec.Register(spec.Intent{
		Name:       Name,
		Order:      1,
		Function:   "lookupcustomer",
		Write:      false,
		Stage:      spec.StageReads,
		Uses:       []string{spec.Customers, spec.Tickets},
		Identity:   true,
		Unverified: spec.UnverifiedCode,
		Slots: []spec.Slot{
			{Name: "email", Required: true, Prompt: "prompt.email", Retry: "retry.email",
				Example: "ada@example.com", Unknown: "nobody@example.com"},
		},
		Withheld: "what.look_up_your_account",
		Locales:  locales,
		Replies:  []string{"lookup.", "identity."},
		Display:  "LookupCustomer",
		Samples:  "lookup_customer.json",
		Console: spec.Console{Rank: 3, Keywords: []string{"look up", "lookup", "account", "my details", "who am i",
			"konto", "compte", "cuenta", "conta"}},
	})
}
