package sqldb

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

const ticketColumns = `id::text, subject, coalesce(description, ''), status, priority, requester_email,
       coalesce(external_id, ''), created_at`

// insertTicket files a ticket unless its external_id is taken. ON CONFLICT DO NOTHING
// waits for a concurrent insert of the same key to commit and then inserts nothing, so
// of N racing calls exactly one inserts; the others read the winner's row.
const insertTicket = `
INSERT INTO tickets (external_id, subject, description, status, priority, requester_email, requester_name)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (external_id) DO NOTHING
RETURNING ` + ticketColumns

const ticketByExternalID = `SELECT ` + ticketColumns + ` FROM tickets WHERE external_id = $1`

const openTickets = `
SELECT ` + ticketColumns + `
FROM tickets
WHERE lower(requester_email) = lower($1) AND status IN ('new', 'open', 'pending', 'hold')
ORDER BY created_at DESC, id DESC
LIMIT $2`

// MaxOpenTickets caps OpenTickets: a chatbot reads out a few, not a backlog.
const MaxOpenTickets = 50

// CreateTicket files a ticket with status "open" (priority "normal" unless given). With
// an ExternalID already used, it returns that ticket and files nothing, even when
// several calls race from several processes.
func (d *DB) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	const op = "create_ticket"
	email := strings.TrimSpace(t.RequesterEmail)
	subject := strings.TrimSpace(t.Subject)
	extID := strings.TrimSpace(t.ExternalID)
	prio := t.Priority
	if prio == "" {
		prio = connector.PriorityNormal
	}
	if err := connector.CheckNewTicket(Tool, op, email, subject, prio); err != nil {
		return connector.Ticket{}, err
	}
	var ext *string
	if extID != "" {
		ext = &extID
	}
	pool, err := d.getPool(ctx, op)
	if err != nil {
		return connector.Ticket{}, err
	}
	// Two rounds cover the one way the read-back can miss: the winner's row deleted
	// between our conflict and our read.
	for range 2 {
		tk, err := d.scanTicket(pool.QueryRow(ctx, insertTicket, ext, subject, connector.MarkUnverified(t),
			string(connector.TicketOpen), string(prio), email, strings.TrimSpace(t.RequesterName)))
		if err == nil {
			return tk, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) || ext == nil {
			return connector.Ticket{}, d.fail(ctx, op, err)
		}
		tk, err = d.scanTicket(pool.QueryRow(ctx, ticketByExternalID, extID))
		if err == nil {
			return tk, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return connector.Ticket{}, d.fail(ctx, op, err)
		}
	}
	return connector.Ticket{}, &connector.Error{Kind: connector.KindConflict, Tool: Tool, Op: op, Field: "external_id",
		Err: errors.New("the ticket holding this external id vanished while it was being read")}
}

// OpenTickets lists the requester's tickets whose status is new, open, pending or
// hold, newest first. A requester without tickets gets an empty slice.
func (d *DB) OpenTickets(ctx context.Context, email string) ([]connector.Ticket, error) {
	const op = "open_tickets"
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, invalid(op, "email", "an email address is required")
	}
	pool, err := d.getPool(ctx, op)
	if err != nil {
		return nil, err
	}
	rows, err := pool.Query(ctx, openTickets, email, MaxOpenTickets)
	if err != nil {
		return nil, d.fail(ctx, op, err)
	}
	defer rows.Close()
	out := []connector.Ticket{}
	for rows.Next() {
		tk, err := d.scanTicket(rows)
		if err != nil {
			return nil, d.fail(ctx, op, err)
		}
		out = append(out, tk)
	}
	if err := rows.Err(); err != nil {
		return nil, d.fail(ctx, op, err)
	}
	return out, nil
}

func (d *DB) scanTicket(row pgx.Row) (connector.Ticket, error) {
	var (
		tk               connector.Ticket
		status, priority string
		created          time.Time
	)
	if err := row.Scan(&tk.ID, &tk.Subject, &tk.Description, &status, &priority, &tk.RequesterEmail,
		&tk.ExternalID, &created); err != nil {
		return connector.Ticket{}, err
	}
	tk.Status = connector.TicketStatus(strings.ToLower(status))
	tk.Priority = connector.Priority(strings.ToLower(priority))
	tk.CreatedAt = created.UTC()
	// The provenance mark written when the ticket was filed (the intents start an
	// unproven requester's description with it).
	tk.Unverified = connector.FiledUnverified(tk.Description)
	if d.opts.TicketBaseURL != "" {
		// The link base is the operator's own configuration; it is still given only
		// when it is https (plaintext.Link).
		tk.URL = plaintext.Link(d.opts.TicketBaseURL + tk.ID)
	}
	return tk, nil
}

// FindTicketByExternalID implements connector.TicketFinder with the unique key.
func (d *DB) FindTicketByExternalID(ctx context.Context, externalID, _ string) (connector.Ticket, bool, error) {
	const op = "find_ticket_by_external_id"
	extID := strings.TrimSpace(externalID)
	if extID == "" {
		return connector.Ticket{}, false, &connector.Error{Kind: connector.KindInvalidInput, Tool: Tool, Op: op,
			Field: "external_id", Err: errors.New("an external id is required")}
	}
	pool, err := d.getPool(ctx, op)
	if err != nil {
		return connector.Ticket{}, false, err
	}
	tk, err := d.scanTicket(pool.QueryRow(ctx, ticketByExternalID, extID))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return connector.Ticket{}, false, nil
	case err != nil:
		return connector.Ticket{}, false, d.fail(ctx, op, err)
	}
	return tk, true, nil
}
