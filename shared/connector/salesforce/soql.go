package salesforce

import (
	"fmt"
	"strings"
)

// Quote returns s as a SOQL string literal: wrapped in single quotes, with the
// backslash, both quote characters and the control characters SOQL names (\n \r \t \b
// \f) escaped, and any other control character written as \uXXXX. The result is safe
// for the = and != operators; it does not escape the LIKE wildcards % and _, because
// SOQL rejects \% and \_ outside a LIKE expression.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04x`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// baseFields are the Contact fields every lookup reads.
var baseFields = []string{"Id", "Email", "FirstName", "LastName", "Phone", "MobilePhone",
	"CreatedDate", "LastModifiedDate", "AccountId", "Account.Name",
	"MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry"}

// selectList is the SELECT clause for the configured optional fields, without
// duplicates (case-insensitive, as SOQL field names are).
func selectList(extra ...string) string {
	seen := map[string]bool{}
	var out []string
	for _, f := range append(append([]string{}, baseFields...), extra...) {
		if f == "" || seen[strings.ToLower(f)] {
			continue
		}
		seen[strings.ToLower(f)] = true
		out = append(out, f)
	}
	return strings.Join(out, ", ")
}

// ContactQuery is the SOQL that finds contacts by email. SOQL's = on a text field is
// case-insensitive, so the email is sent as given.
func ContactQuery(email string, extra ...string) string {
	return "SELECT " + selectList(extra...) + " FROM Contact WHERE Email = " + Quote(email)
}

// contactByIDQuery reads one contact back by its Id (after UpdateCustomer's PATCH).
func contactByIDQuery(id string, extra ...string) string {
	return "SELECT " + selectList(extra...) + " FROM Contact WHERE Id = " + Quote(id)
}

// pingQuery reads one contact with every configured field, so `switchboard check`
// also proves that custom plan and status fields exist in the org.
func pingQuery(extra ...string) string {
	return "SELECT " + selectList(extra...) + " FROM Contact LIMIT 1"
}
