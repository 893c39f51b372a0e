package intents

import (
	"context"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// TicketWrite describes create_ticket to the idempotency layer (it implements
// idempotency.Write): what a turn asks to file, under which external id, and how to
// look an earlier attempt up in the helpdesk instead of filing it again.
type TicketWrite struct{ s *Service }

// TicketWrite returns create_ticket's write description over the service's helpdesk.
func (s *Service) TicketWrite() TicketWrite { return TicketWrite{s} }

func (w TicketWrite) slots(t conversation.Turn) (map[string]string, bool) {
	t.Intent = conversation.CreateTicket
	slots, elicit := validate(i18n.For(t.Locale), conversation.CreateTicket, t)
	return slots, elicit == nil
}

// answer is the turn's answer in its language.
func (w TicketWrite) answer(t conversation.Turn) answer {
	return answer{Service: w.s, p: i18n.For(t.Locale)}
}

func (w TicketWrite) localized(a answer, r conversation.Reply) conversation.Reply {
	r.Language, r.LanguageFallback = a.p.Language(), a.p.Fallback
	return r
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
	a := w.answer(t)
	r := a.fulfilled(a.p.T("ticket.found", data(tk.ID), data(tk.Subject), data(email)))
	r.Rich = &conversation.Rich{
		Ticket: &conversation.TicketCard{Number: tk.ID, Subject: tk.Subject, Link: plaintext.Link(tk.URL),
			Title: a.p.T("ticket.card_title", data(tk.ID))},
		OpenLabel: a.p.T("ticket.open"),
	}
	return w.localized(a, r), true, nil
}

// Unconfirmed is the reply while an earlier attempt's outcome stays unknown: nothing
// is filed again.
func (w TicketWrite) Unconfirmed(t conversation.Turn) conversation.Reply {
	a := w.answer(t)
	r := a.failed(a.p.T("ticket.unconfirmed_yet", w.s.d.SupportEmail))
	r.Unconfirmed = true
	return w.localized(a, r)
}

// Promise is the reply to the attempt whose outcome just became unknown, once the
// idempotency layer has recorded it durably: asking again looks the ticket up.
func (w TicketWrite) Promise(t conversation.Turn) conversation.Reply {
	a := w.answer(t)
	r := a.failed(a.p.T("ticket.unconfirmed_noted", w.s.d.SupportEmail))
	r.Unconfirmed = true
	return w.localized(a, r)
}
