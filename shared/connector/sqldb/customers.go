package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// customerColumns tolerate a view over a company's own table: any id type (cast to
// text), NULLs in the optional columns, no created_at.
const customerColumns = `id::text, email, coalesce(first_name, ''), coalesce(last_name, ''), coalesce(company, ''),
       coalesce(phone, ''), coalesce(plan, ''), coalesce(status, ''), created_at,
       coalesce(street, ''), coalesce(city, ''), coalesce(region, ''), coalesce(postal_code, ''),
       coalesce(country, '')`

const customerQuery = `
SELECT ` + customerColumns + `
FROM customers
WHERE lower(email) = lower($1)
ORDER BY id
LIMIT 1`

// updateCustomer is UpdateCustomer's one statement, on the row FindCustomerByEmail
// finds: $2 is the new phone (” keeps the old one), $3 whether the address is
// replaced (all five columns, so a field left empty is cleared), $4–$8 the address.
// RETURNING reads the row back as the statement left it.
const updateCustomer = `
UPDATE customers SET
    phone       = CASE WHEN $2::text <> '' THEN $2::text ELSE phone END,
    street      = CASE WHEN $3::boolean THEN $4::text ELSE street END,
    city        = CASE WHEN $3::boolean THEN $5::text ELSE city END,
    region      = CASE WHEN $3::boolean THEN $6::text ELSE region END,
    postal_code = CASE WHEN $3::boolean THEN $7::text ELSE postal_code END,
    country     = CASE WHEN $3::boolean THEN $8::text ELSE country END
WHERE id = (SELECT id FROM customers WHERE lower(email) = lower($1) ORDER BY id LIMIT 1)
RETURNING ` + customerColumns

// FindCustomerByEmail returns the customer with this email, compared
// case-insensitively. The email is a bind parameter, never part of the SQL text.
func (d *DB) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	const op = "find_customer"
	email = strings.TrimSpace(email)
	if email == "" {
		return connector.Customer{}, invalid(op, "email", "an email address is required")
	}
	pool, err := d.getPool(ctx, op)
	if err != nil {
		return connector.Customer{}, err
	}
	c, err := scanCustomer(pool.QueryRow(ctx, customerQuery, email))
	if err != nil {
		return connector.Customer{}, d.fail(ctx, op, err)
	}
	return c, nil
}

// UpdateCustomer changes the phone number and/or the postal address of the customer
// with this email (compared case-insensitively) in one UPDATE … RETURNING, and returns
// the row as the database holds it afterwards. The change is checked and trimmed by
// connector.CheckContactChange; every value is a bind parameter. Applying a change
// twice writes the same values twice. An unknown email is connector.ErrNotFound (and
// nothing is written).
func (d *DB) UpdateCustomer(ctx context.Context, email string, change connector.ContactChange) (connector.Customer, error) {
	const op = "update_customer"
	ch, err := connector.CheckContactChange(Tool, op, email, change)
	if err != nil {
		return connector.Customer{}, err
	}
	var a connector.Address
	if ch.Address != nil {
		a = *ch.Address
	}
	pool, err := d.getPool(ctx, op)
	if err != nil {
		return connector.Customer{}, err
	}
	c, err := scanCustomer(pool.QueryRow(ctx, updateCustomer, strings.TrimSpace(email), ch.Phone, ch.Address != nil,
		a.Street, a.City, a.Region, a.PostalCode, a.Country))
	if err != nil {
		return connector.Customer{}, d.fail(ctx, op, err)
	}
	return c, nil
}

func scanCustomer(row pgx.Row) (connector.Customer, error) {
	var (
		c       connector.Customer
		created *time.Time
	)
	err := row.Scan(&c.ID, &c.Email, &c.FirstName, &c.LastName, &c.Company, &c.Phone, &c.Plan, &c.Status, &created,
		&c.Address.Street, &c.Address.City, &c.Address.Region, &c.Address.PostalCode, &c.Address.Country)
	if err != nil {
		return connector.Customer{}, err
	}
	if created != nil {
		c.CreatedAt = created.UTC()
	}
	return c, nil
}
