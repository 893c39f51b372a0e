package intents

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// TicketWrite describes create_ticket to the idempotency layer (it implements
// idempotency.Write): what a turn asks to file, under which external id, and how to
// look an earlier attempt up in the helpdesk instead of filing it again.
type TicketWrite struct{ s *Service }

// TicketWrite returns create_ticket's write description over the service's helpdesk.
func (s *Service) TicketWrite() TicketWrite { return TicketWrite{s} }

func (w TicketWrite) slots(t conversation.Turn) (map[string]string, bool) {
	t.Intent = conversation.CreateTicket
	slots, elicit := validate(conversation.CreateTicket, t)
	return slots, elicit == nil
}

// Subject is what the turn asks for across turns: the requester and the subject,
// case and spacing folded ("" while a slot is missing).
func (w TicketWrite) Subject(t conversation.Turn) string {
	slots, ok := w.slots(t)
	if !ok {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(slots[SlotEmail])) + "\x00" +
		strings.Join(strings.Fields(strings.ToLower(slots[SlotSubject])), " ")
}

// ExternalID is the id the turn's ticket is filed under (see ExternalID).
func (w TicketWrite) ExternalID(t conversation.Turn) string {
	slots, _ := w.slots(t)
	return ExternalID(t, slots)
}

// Lookup finds the ticket filed under externalID. found: the reply tells the user the
// ticket exists. A helpdesk that cannot look tickets up (connector.ErrUnsupported) or
// does not answer leaves the outcome unknown (found false, err set).
func (w TicketWrite) Lookup(ctx context.Context, t conversation.Turn, externalID string) (conversation.Reply, bool, error) {
	finder, ok := w.s.d.Tickets.(connector.TicketFinder)
	if !ok || w.s.d.Tickets == nil {
		return conversation.Reply{}, false, connector.ErrUnsupported
	}
	slots, _ := w.slots(t)
	tk, found, err := finder.FindTicketByExternalID(ctx, externalID, slots[SlotEmail])
	if err != nil || !found {
		return conversation.Reply{}, false, err
	}
	email := slots[SlotEmail]
	if tk.RequesterEmail != "" {
		email = tk.RequesterEmail
	}
	return w.s.fulfilled(fmt.Sprintf("Your ticket #%s was created: %q. We'll reply to %s.", tk.ID, tk.Subject, email)), true, nil
}

// Unconfirmed is the reply while an earlier attempt's outcome stays unknown: nothing
// is filed again.
func (w TicketWrite) Unconfirmed(conversation.Turn) conversation.Reply {
	r := w.s.failed(fmt.Sprintf("Sorry, I couldn't confirm yet whether your ticket was created, and I won't file it "+
		"twice: ask me again in a few minutes and I'll look it up, or email %s.", w.s.d.SupportEmail))
	r.Unconfirmed = true
	return r
}

// Promise is the reply to the attempt whose outcome just became unknown, once the
// idempotency layer has recorded it durably: asking again looks the ticket up.
func (w TicketWrite) Promise(conversation.Turn) conversation.Reply {
	r := w.s.failed(fmt.Sprintf("Sorry, I couldn't confirm that your ticket was created. I've noted the request, "+
		"so asking me again won't file it twice: I'll look it up instead. Or email %s.", w.s.d.SupportEmail))
	r.Unconfirmed = true
	return r
}
