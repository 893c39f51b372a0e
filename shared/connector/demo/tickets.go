package demo

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

const ticketColumns = `id, subject, description, status, priority, requester_email, external_id, created_at`

// CreateTicket files a ticket with status "open" and, unless given, priority "normal".
// When t.ExternalID is set and a ticket with that ExternalID already exists, it
// returns that ticket and files nothing: a UNIQUE index enforces this, so even
// concurrent calls from several processes yield one ticket.
func (b *Backend) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	const op = "create_ticket"
	email := normEmail(t.RequesterEmail)
	subject := strings.TrimSpace(t.Subject)
	extID := strings.TrimSpace(t.ExternalID)
	prio := t.Priority
	if prio == "" {
		prio = connector.PriorityNormal
	}
	if err := connector.CheckNewTicket(Tool, op, email, subject, prio); err != nil {
		return connector.Ticket{}, err
	}
	// Check the context before queueing for the write lock, so a caller that has
	// already given up files nothing.
	if err := ctx.Err(); err != nil {
		return connector.Ticket{}, fail(op, err)
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	tk, err := scanTicket(b.st.insertTicket.QueryRowContext(ctx, subject, connector.MarkUnverified(t),
		string(connector.TicketOpen), string(prio), email, strings.TrimSpace(t.RequesterName), nullable(extID),
		time.Now().UnixNano()))
	if errors.Is(err, sql.ErrNoRows) && extID != "" {
		// ON CONFLICT DO NOTHING returned no row: the ExternalID is taken.
		tk, err = scanTicket(b.st.ticketByExternalID.QueryRowContext(ctx, extID))
	}
	if err != nil {
		return connector.Ticket{}, fail(op, err)
	}
	return tk, nil
}

// OpenTickets lists the requester's tickets whose status is new, open, pending or
// hold, newest first. A requester without tickets gets an empty slice.
func (b *Backend) OpenTickets(ctx context.Context, email string) ([]connector.Ticket, error) {
	const op = "open_tickets"
	email = normEmail(email)
	if email == "" {
		return nil, invalid(op, "email", "an email address is required")
	}
	rows, err := b.st.openTickets.QueryContext(ctx, email)
	if err != nil {
		return nil, fail(op, err)
	}
	defer rows.Close()
	out := []connector.Ticket{}
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, fail(op, err)
		}
		out = append(out, tk)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanTicket(s scanner) (connector.Ticket, error) {
	var (
		tk               connector.Ticket
		id, created      int64
		status, priority string
		extID            sql.NullString
	)
	if err := s.Scan(&id, &tk.Subject, &tk.Description, &status, &priority, &tk.RequesterEmail, &extID,
		&created); err != nil {
		return connector.Ticket{}, err
	}
	tk.ID = strconv.FormatInt(id, 10)
	tk.Status = connector.TicketStatus(status)
	tk.Priority = connector.Priority(priority)
	tk.ExternalID = extID.String
	tk.URL = TicketBaseURL + tk.ID
	tk.CreatedAt = fromNanos(created)
	// The provenance mark written when the ticket was filed (the intents start an
	// unproven requester's description with it).
	tk.Unverified = connector.FiledUnverified(tk.Description)
	return tk, nil
}

// FindTicketByExternalID implements connector.TicketFinder with the unique key.
func (b *Backend) FindTicketByExternalID(ctx context.Context, externalID, _ string) (connector.Ticket, bool, error) {
	const op = "find_ticket_by_external_id"
	extID := strings.TrimSpace(externalID)
	if extID == "" {
		return connector.Ticket{}, false, invalid(op, "external_id", "an external id is required")
	}
	tk, err := scanTicket(b.st.ticketByExternalID.QueryRowContext(ctx, extID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return connector.Ticket{}, false, nil
	case err != nil:
		return connector.Ticket{}, false, fail(op, err)
	}
	return tk, true, nil
}
