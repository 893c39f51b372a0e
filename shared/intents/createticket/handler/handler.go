// Package handler is create_ticket's handler (its contract: the folder above,
// shared/intents/createticket), registered from its init (intents.Register). Its
// function, functions/createticket, imports it; so does every binary that answers
// every intent (shared/intents/handlers).
package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/createticket"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// A write: its description to the idempotency layer is ticketWrite (below).
func init() {
	intents.Register(createticket.Name, intents.Handler{
		Fulfil: func(ctx context.Context, a intents.Answer, t conversation.Turn, slots map[string]string) (conversation.Reply, intents.Audit) {
			return answer{a}.createTicket(ctx, t, slots)
		},
		Write: func(s *intents.Service) idempotency.Write { return ticketWrite{s} },
	})
}

// answer is the turn's answer, with this intent's own parts.
type answer struct{ intents.Answer }

// createTicket files a ticket keyed by the turn, so a platform retry of the same turn
// finds the first ticket instead of filing a second. It never claims success it did
// not see.
//
// A verified caller's ticket is filed for their verified email; an anonymous caller's
// is filed too, its description starting with identity.UnverifiedNote, and the reply
// says nothing about the account.
func (s answer) createTicket(ctx context.Context, t conversation.Turn, slots map[string]string) (conversation.Reply, intents.Audit) {
	a := intents.Audit{Tool: s.Tools().Tickets, Caller: t.Caller}
	if s.Deps().Tickets == nil {
		a.Outcome = intents.AuditUnavailable
		return s.Unavailable("what.create_tickets"), a
	}
	prio, _ := connector.ParsePriority(slots[intents.SlotPriority])
	requester, verified := slots[intents.SlotEmail], t.Caller.Verified() || s.Open(t.Intent)
	description := intents.OrDefault(slots[intents.SlotDescription], slots[intents.SlotSubject])
	switch {
	case t.Caller.Verified():
		requester = t.Caller.Email
	case !verified:
		description = identity.UnverifiedNote + "\n\n" + description
	}
	nt := connector.NewTicket{
		RequesterEmail: requester,
		Subject:        slots[intents.SlotSubject],
		Description:    description,
		Priority:       prio,
		ExternalID:     ticketExternalID(t, slots),
		// The helpdesk records the provenance (a tag, or the description's mark), so
		// the email's owner never reads this ticket's words as theirs.
		Unverified: !verified,
	}
	tk, err := s.Deps().Tickets.CreateTicket(ctx, nt)
	a.Object = tk.ID
	switch {
	case err == nil && verified:
		a.Outcome = intents.AuditCreated
	case err == nil:
		a.Outcome = intents.AuditCreatedUnverified
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		a.Outcome = intents.AuditUnknown
	default:
		a.Outcome = intents.AuditFailed
	}
	return s.ticketReply(ctx, err, tk, nt, prio), a
}

func (s answer) ticketReply(ctx context.Context, err error, tk connector.Ticket, nt connector.NewTicket, prio connector.Priority) conversation.Reply {
	switch {
	case err == nil:
		// The requester is what the ticket was filed for (the verified email, or the
		// one the caller typed), not text the helpdesk gave.
		r := s.Fulfilled(s.TS("ticket.created", s.Tool("tickets[0].number", tk.ID), s.Tool("tickets[0].subject", tk.Subject),
			s.TicketPriority(tk.Priority, prio), plaintext.Inert(nt.RequesterEmail)))
		r.Rich = &conversation.Rich{
			Ticket: &conversation.TicketCard{Number: tk.ID, Subject: tk.Subject, Link: plaintext.Link(tk.URL),
				Title: s.TS("ticket.card_title", plaintext.Inert(tk.ID))},
			OpenLabel: s.T("ticket.open"),
		}
		return r
	case connector.KindOf(err) == connector.KindInvalidInput:
		return s.Failed(s.TS("ticket.not_accepted", s.Deps().SupportEmail))
	case ctx.Err() != nil || connector.KindOf(err) == connector.KindUnavailable && isTimeout(err):
		// The request may have reached the helpdesk: do not say it failed, do not say
		// it worked. Only the idempotency layer, once it has recorded the unknown
		// outcome durably, may promise that asking again files nothing twice.
		r := s.Failed(s.TS("ticket.unconfirmed", s.Deps().SupportEmail))
		r.Unconfirmed = true
		return r
	default:
		return s.Failed(s.TS("ticket.failed", s.Deps().SupportEmail))
	}
}

// ticketExternalID is the idempotency key a ticket is filed with: stable across the
// platform's retries of one turn, different for different turns.
//
// It is the SHA-256 of the platform, session and turn ids joined by NUL bytes (and,
// without a turn id, of the email, subject and description after them), its first 16
// bytes in hex after "sb-": the bytes are joined in a buffer on the stack, not written
// through fmt (one allocation, the id, where there were eight).
func ticketExternalID(t conversation.Turn, slots map[string]string) string {
	var buf [256]byte
	b := append(buf[:0], t.Platform...)
	b = append(append(b, 0), t.SessionID...)
	b = append(append(b, 0), t.TurnID...)
	if t.TurnID == "" {
		// Without a turn id, the same request in the same session is the same ticket.
		b = append(append(b, 0), slots[intents.SlotEmail]...)
		b = append(append(b, 0), slots[intents.SlotSubject]...)
		b = append(append(b, 0), slots[intents.SlotDescription]...)
	}
	sum := sha256.Sum256(b)
	var id [3 + 32]byte
	copy(id[:], "sb-")
	hex.Encode(id[3:], sum[:16])
	return string(id[:])
}

func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}

// ticketWrite describes create_ticket to the idempotency layer (it implements
// idempotency.Write): what a turn asks to file, under which external id, and how to
// look an earlier attempt up in the helpdesk instead of filing it again.
type ticketWrite struct{ s *intents.Service }

func (w ticketWrite) slots(t conversation.Turn) (map[string]string, bool) {
	t.Intent = createticket.Name
	return intents.ValidSlots(t)
}

// Subject is what the turn asks for across turns: the requester and the subject,
// case and spacing folded ("" while a slot is missing).
func (w ticketWrite) Subject(t conversation.Turn) string {
	slots, ok := w.slots(t)
	if !ok {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(slots[intents.SlotEmail])) + "\x00" +
		strings.Join(strings.Fields(strings.ToLower(slots[intents.SlotSubject])), " ")
}

// ExternalID is the id the turn's ticket is filed under (see ticketExternalID).
func (w ticketWrite) ExternalID(t conversation.Turn) string {
	slots, _ := w.slots(t)
	return ticketExternalID(t, slots)
}

// Lookup finds the ticket filed under externalID. found: the reply tells the user the
// ticket exists. A helpdesk that cannot look tickets up (connector.ErrUnsupported) or
// does not answer leaves the outcome unknown (found false, err set).
func (w ticketWrite) Lookup(ctx context.Context, t conversation.Turn, externalID string) (conversation.Reply, bool, error) {
	a := w.s.Answer(t)
	tickets := a.Deps().Tickets
	finder, ok := tickets.(connector.TicketFinder)
	if !ok || tickets == nil {
		return conversation.Reply{}, false, connector.ErrUnsupported
	}
	slots, _ := w.slots(t)
	tk, found, err := finder.FindTicketByExternalID(ctx, externalID, slots[intents.SlotEmail])
	if err != nil || !found {
		return conversation.Reply{}, false, err
	}
	email := slots[intents.SlotEmail]
	switch {
	case a.Agent() && t.Caller.Verified():
		// A model reads no text the helpdesk gave: the email the ticket was filed for
		// (createTicket's requester) instead of the one the helpdesk holds.
		email = t.Caller.Email
	case a.Agent():
	case tk.RequesterEmail != "":
		email = tk.RequesterEmail
	}
	r := a.Fulfilled(a.TS("ticket.found", a.Tool("tickets[0].number", tk.ID), a.Tool("tickets[0].subject", tk.Subject), plaintext.Inert(email)))
	r.Rich = &conversation.Rich{
		Ticket: &conversation.TicketCard{Number: tk.ID, Subject: tk.Subject, Link: plaintext.Link(tk.URL),
			Title: a.TS("ticket.card_title", plaintext.Inert(tk.ID))},
		OpenLabel: a.T("ticket.open"),
	}
	return a.Localized(r), true, nil
}

// Unconfirmed is the reply while an earlier attempt's outcome stays unknown: nothing
// is filed again.
func (w ticketWrite) Unconfirmed(t conversation.Turn) conversation.Reply {
	a := w.s.Answer(t)
	r := a.Failed(a.TS("ticket.unconfirmed_yet", a.Deps().SupportEmail))
	r.Unconfirmed = true
	return a.Localized(r)
}

// Promise is the reply to the attempt whose outcome just became unknown, once the
// idempotency layer has recorded it durably: asking again looks the ticket up.
func (w ticketWrite) Promise(t conversation.Turn) conversation.Reply {
	a := w.s.Answer(t)
	r := a.Failed(a.T("ticket.unconfirmed_noted", a.Deps().SupportEmail))
	r.Unconfirmed = true
	return a.Localized(r)
}
