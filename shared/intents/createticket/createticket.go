// Package createticket is the create_ticket intent's contract (shared/intents/spec), registered
// from its init. Its handler is the package createticket/handler, which only a binary that
// answers the intent links; its Lambda function is functions/createticket.
package createticket

import (
	"embed"

	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Name is the intent's canonical name.
const Name = "create_ticket"

// locales is the intent's own reply catalogue, one file per language.
//
//go:embed locales/*.json
var locales embed.FS

func init() {
	spec.Register(spec.Intent{
		Name:       Name,
		Order:      2,
		Function:   "createticket",
		Write:      true,
		Stage:      spec.StageWrites,
		Uses:       []string{spec.Tickets},
		Identity:   true,
		Unverified: spec.UnverifiedAccepted,
		Slots: []spec.Slot{
			{Name: "email", Required: true, Prompt: "prompt.email", Retry: "retry.email",
				Example: "ada@example.com", Unknown: "new.customer@example.com"},
			{Name: "subject", Required: true, Prompt: "prompt.subject", Retry: "retry.subject", Example: "Cannot log in"},
			{Name: "description", Retry: "retry.description", Example: "The reset link fails."},
			{Name: "priority", Retry: "retry.priority", Example: "high"},
		},
		Withheld:   "what.look_up_your_account",
		Slow:       "reply.ticket_slow",
		Unfinished: "ticket.unconfirmed",
		Locales:    locales,
		Replies:    []string{"ticket.", "priority."},
		Display:    "CreateTicket",
		Samples:    "create_ticket.json",
		StoreDown:  "what.create_your_ticket",
		Pending:    "reply.still_working_ticket",
		Console: spec.Console{Rank: 1, AfterColon: "subject", Keywords: []string{"ticket", "problem", "issue", "broken",
			"complain", "support request", "störung", "problème", "problema", "chamado"}},
	})
}
