package demo

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

const paymentColumns = `id, order_number, customer_email, amount, currency, status, description, created_at`

// FindPayment finds a payment by its id ("pi_…", exact) or by its order number
// ("ORD-1001", any case, an optional leading '#' ignored). An unknown reference is a
// connector error matching connector.ErrNotFound.
func (b *Backend) FindPayment(ctx context.Context, reference string) (connector.Payment, error) {
	const op = "find_payment"
	ref := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(reference), "#"))
	if ref == "" {
		return connector.Payment{}, invalid(op, "reference", "a payment reference is required")
	}
	p, err := scanPayment(b.st.payment.QueryRowContext(ctx, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return connector.Payment{}, connector.NotFound(Tool, op)
	}
	if err != nil {
		return connector.Payment{}, fail(op, err)
	}
	return p, nil
}

// RecentPayments lists the customer's payments, newest first, at most limit of them
// (DefaultLimit when limit <= 0). A customer without payments gets an empty slice.
func (b *Backend) RecentPayments(ctx context.Context, email string, limit int) ([]connector.Payment, error) {
	const op = "recent_payments"
	email = normEmail(email)
	if email == "" {
		return nil, invalid(op, "email", "an email address is required")
	}
	rows, err := b.st.recentPayments.QueryContext(ctx, email, clampLimit(limit))
	if err != nil {
		return nil, fail(op, err)
	}
	defer rows.Close()
	out := []connector.Payment{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, fail(op, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(op, err)
	}
	return out, nil
}

func scanPayment(s scanner) (connector.Payment, error) {
	var (
		p       connector.Payment
		order   sql.NullString
		status  string
		created int64
	)
	if err := s.Scan(&p.ID, &order, &p.CustomerEmail, &p.Amount, &p.Currency, &status, &p.Description,
		&created); err != nil {
		return connector.Payment{}, err
	}
	p.OrderNumber = order.String
	p.Status = connector.PaymentStatus(status)
	p.CreatedAt = fromNanos(created)
	return p, nil
}
