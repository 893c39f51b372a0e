package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// customerQuery tolerates a view over a company's own table: any id type (cast to
// text), NULLs in the optional columns, no created_at.
const customerQuery = `
SELECT id::text, email, coalesce(first_name, ''), coalesce(last_name, ''), coalesce(company, ''),
       coalesce(phone, ''), coalesce(plan, ''), coalesce(status, ''), created_at
FROM customers
WHERE lower(email) = lower($1)
ORDER BY id
LIMIT 1`

// FindCustomerByEmail returns the customer with this email, compared
// case-insensitively. The email is a bind parameter, never part of the SQL text.
func (d *DB) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	const op = "find_customer"
	email = strings.TrimSpace(email)
	if email == "" {
		return connector.Customer{}, invalid(op, "email", "an email address is required")
	}
	var (
		c       connector.Customer
		created *time.Time
	)
	pool, err := d.getPool(ctx, op)
	if err != nil {
		return connector.Customer{}, err
	}
	err = pool.QueryRow(ctx, customerQuery, email).Scan(&c.ID, &c.Email, &c.FirstName, &c.LastName,
		&c.Company, &c.Phone, &c.Plan, &c.Status, &created)
	if err != nil {
		return connector.Customer{}, d.fail(ctx, op, err)
	}
	if created != nil {
		c.CreatedAt = created.UTC()
	}
	return c, nil
}
