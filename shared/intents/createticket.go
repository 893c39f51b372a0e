package intents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// create_ticket's handler (its contract: shared/intents/createticket): a write, its
// description to the idempotency layer is TicketWrite (below).
func init() {
	register(conversation.CreateTicket, handler{fulfil: answer.createTicket,
		write: func(s *Service) idempotency.Write { return s.TicketWrite() }})
}

// createTicket files a ticket keyed by the turn, so a platform retry of the same turn
// finds the first ticket instead of filing a second. It never claims success it did
// not see.
//
// A verified caller's ticket is filed for their verified email; an anonymous caller's
// is filed too, its description starting with identity.UnverifiedNote, and the reply
// says nothing about the account.
func (s answer) createTicket(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, audit) {
	a := audit{tool: s.acc.Tools.Tickets, caller: t.Caller}
	if s.d.Tickets == nil {
		a.outcome = outUnavailable
		return s.unavailable("what.create_tickets"), a
	}
	prio, _ := connector.ParsePriority(slots[SlotPriority])
	requester, verified := slots[SlotEmail], t.Caller.Verified() || s.acc.Open(t.Intent)
	description := orDefault(slots[SlotDescription], slots[SlotSubject])
	switch {
	case t.Caller.Verified():
		requester = t.Caller.Email
	case !verified:
		description = identity.UnverifiedNote + "\n\n" + description
	}
	nt := connector.NewTicket{
		RequesterEmail: requester,
		Subject:        slots[SlotSubject],
		Description:    description,
		Priority:       prio,
		ExternalID:     ExternalID(t, slots),
		// The helpdesk records the provenance (a tag, or the description's mark), so
		// the email's owner never reads this ticket's words as theirs.
		Unverified: !verified,
	}
	tk, err := s.d.Tickets.CreateTicket(ctx, nt)
	a.object = tk.ID
	switch {
	case err == nil && verified:
		a.outcome = outCreated
	case err == nil:
		a.outcome = outCreatedUnver
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		a.outcome = outUnknown
	default:
		a.outcome = outFailed
	}
	return s.ticketReply(ctx, err, tk, nt, prio), a
}

func (s answer) ticketReply(ctx context.Context, err error, tk connector.Ticket, nt connector.NewTicket, prio connector.Priority) conversation.Reply {
	switch {
	case err == nil:
		// The requester is what the ticket was filed for (the verified email, or the
		// one the caller typed), not text the helpdesk gave.
		r := s.fulfilled(s.p.T("ticket.created", s.tool("tickets[0].number", tk.ID), s.tool("tickets[0].subject", tk.Subject),
			s.ticketPriority(tk.Priority, prio), data(nt.RequesterEmail)))
		r.Rich = &conversation.Rich{
			Ticket: &conversation.TicketCard{Number: tk.ID, Subject: tk.Subject, Link: plaintext.Link(tk.URL),
				Title: s.p.T("ticket.card_title", data(tk.ID))},
			OpenLabel: s.p.T("ticket.open"),
		}
		return r
	case connector.KindOf(err) == connector.KindInvalidInput:
		return s.failed(s.p.T("ticket.not_accepted", s.d.SupportEmail))
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		// The request may have reached the helpdesk: do not say it failed, do not say
		// it worked. Only the idempotency layer, once it has recorded the unknown
		// outcome durably, may promise that asking again files nothing twice.
		r := s.failed(s.p.T("ticket.unconfirmed", s.d.SupportEmail))
		r.Unconfirmed = true
		return r
	default:
		return s.failed(s.p.T("ticket.failed", s.d.SupportEmail))
	}
}

// ExternalID is the idempotency key a ticket is filed with: stable across the
// platform's retries of one turn, different for different turns.
func ExternalID(t conversation.Turn, slots map[string]string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", t.Platform, t.SessionID, t.TurnID)
	if t.TurnID == "" {
		// Without a turn id, the same request in the same session is the same ticket.
		fmt.Fprintf(h, "\x00%s\x00%s\x00%s", slots[SlotEmail], slots[SlotSubject], slots[SlotDescription])
	}
	return "sb-" + hex.EncodeToString(h.Sum(nil))[:32]
}

func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}

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
	return w.s.answer(i18n.For(t.Locale), t)
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
	a := w.answer(t)
	email := slots[SlotEmail]
	switch {
	case a.agent && t.Caller.Verified():
		// A model reads no text the helpdesk gave: the email the ticket was filed for
		// (createTicket's requester) instead of the one the helpdesk holds.
		email = t.Caller.Email
	case a.agent:
	case tk.RequesterEmail != "":
		email = tk.RequesterEmail
	}
	r := a.fulfilled(a.p.T("ticket.found", a.tool("tickets[0].number", tk.ID), a.tool("tickets[0].subject", tk.Subject), data(email)))
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
