package demo

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

const customerColumns = `id, email, first_name, last_name, company, phone, plan, status, created_at,
	street, city, region, postal_code, country`

// updateCustomer is UpdateCustomer's one statement: ?1 is the email, ?2 the new phone
// ("" keeps the old one), ?3 whether the address is replaced (all five fields, so a
// field left empty is cleared), ?4–?8 the address, ?9 the time of the change.
const updateCustomer = `UPDATE customers SET
	phone = iif(?2 <> '', ?2, phone),
	street = iif(?3, ?4, street), city = iif(?3, ?5, city), region = iif(?3, ?6, region),
	postal_code = iif(?3, ?7, postal_code), country = iif(?3, ?8, country),
	contact_updated_at = ?9
	WHERE email = ?1
	RETURNING ` + customerColumns

// FindCustomerByEmail returns the customer with this email, compared
// case-insensitively. An unknown email is a connector error matching
// connector.ErrNotFound; an empty one matches connector.ErrInvalidInput.
func (b *Backend) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	const op = "find_customer"
	email = normEmail(email)
	if email == "" {
		return connector.Customer{}, invalid(op, "email", "an email address is required")
	}
	c, err := scanCustomer(b.st.customer.QueryRowContext(ctx, email))
	if errors.Is(err, sql.ErrNoRows) {
		return connector.Customer{}, connector.NotFound(Tool, op)
	}
	if err != nil {
		return connector.Customer{}, fail(op, err)
	}
	return c, nil
}

// UpdateCustomer changes the phone number and/or the postal address of the customer
// with this email (compared case-insensitively) in one UPDATE, and returns the row as
// that statement left it (RETURNING): what the database holds, never the change echoed.
// The change is checked and trimmed by connector.CheckContactChange; applying it twice
// writes the same values twice. A changed customer keeps their details when a newer
// seed is applied.
func (b *Backend) UpdateCustomer(ctx context.Context, email string, change connector.ContactChange) (connector.Customer, error) {
	const op = "update_customer"
	ch, err := connector.CheckContactChange(Tool, op, email, change)
	if err != nil {
		return connector.Customer{}, err
	}
	var a connector.Address
	if ch.Address != nil {
		a = *ch.Address
	}
	// As in CreateTicket: a caller that has already given up changes nothing.
	if err := ctx.Err(); err != nil {
		return connector.Customer{}, fail(op, err)
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	c, err := scanCustomer(b.st.updateCustomer.QueryRowContext(ctx, normEmail(email), ch.Phone, ch.Address != nil,
		a.Street, a.City, a.Region, a.PostalCode, a.Country, time.Now().UnixNano()))
	if errors.Is(err, sql.ErrNoRows) {
		return connector.Customer{}, connector.NotFound(Tool, op)
	}
	if err != nil {
		return connector.Customer{}, fail(op, err)
	}
	return c, nil
}

func scanCustomer(row scanner) (connector.Customer, error) {
	var (
		c       connector.Customer
		id      int64
		created int64
	)
	err := row.Scan(&id, &c.Email, &c.FirstName, &c.LastName, &c.Company, &c.Phone, &c.Plan, &c.Status, &created,
		&c.Address.Street, &c.Address.City, &c.Address.Region, &c.Address.PostalCode, &c.Address.Country)
	if err != nil {
		return connector.Customer{}, err
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
