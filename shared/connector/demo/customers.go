package demo

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

const customerColumns = `id, email, first_name, last_name, company, phone, plan, status, created_at`

// FindCustomerByEmail returns the customer with this email, compared
// case-insensitively. An unknown email is a connector error matching
// connector.ErrNotFound; an empty one matches connector.ErrInvalidInput.
func (b *Backend) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	const op = "find_customer"
	email = normEmail(email)
	if email == "" {
		return connector.Customer{}, invalid(op, "email", "an email address is required")
	}
	var (
		c       connector.Customer
		id      int64
		created int64
	)
	err := b.st.customer.QueryRowContext(ctx, email).Scan(&id, &c.Email, &c.FirstName, &c.LastName,
		&c.Company, &c.Phone, &c.Plan, &c.Status, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return connector.Customer{}, connector.NotFound(Tool, op)
	}
	if err != nil {
		return connector.Customer{}, fail(op, err)
	}
	c.ID = strconv.FormatInt(id, 10)
	c.CreatedAt = fromNanos(created)
	return c, nil
}

// fromNanos turns a stored Unix-nanosecond timestamp back into UTC time; 0 is the zero
// time, so "unknown" stays unknown.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
