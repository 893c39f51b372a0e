package connector

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on the values a ContactChange may carry. They are Salesforce's Contact field
// lengths (Phone 40, MailingStreet 255, MailingCity 40, MailingState 80,
// MailingPostalCode 20, MailingCountry 80), the tightest of the CRMs, so a change one
// CRM accepts every CRM accepts.
const (
	MaxPhoneRunes      = 40
	MaxStreetRunes     = 255
	MaxCityRunes       = 40
	MaxRegionRunes     = 80
	MaxPostalCodeRunes = 20
	MaxCountryRunes    = 80
)

// Normalized returns the change with surrounding space trimmed from every value, as
// the CRMs store it: compare a record read back with Holds against the normalized
// change.
func (c ContactChange) Normalized() ContactChange {
	c.Phone = strings.TrimSpace(c.Phone)
	c.ExternalID = strings.TrimSpace(c.ExternalID)
	if c.Address != nil {
		a := c.Address.Normalized()
		c.Address = &a
	}
	return c
}

// Normalized returns the address with surrounding space trimmed from every field.
func (a Address) Normalized() Address {
	return Address{
		Street:     strings.TrimSpace(a.Street),
		City:       strings.TrimSpace(a.City),
		Region:     strings.TrimSpace(a.Region),
		PostalCode: strings.TrimSpace(a.PostalCode),
		Country:    strings.TrimSpace(a.Country),
	}
}

// CheckContactChange is the check every CRM makes before UpdateCustomer writes: an
// email address, a change that changes something, a phone number with a digit, an
// address with at least one field, no value longer than the limits above and no control
// character anywhere (a value is one line of text). email and change are the caller's;
// the result is the normalized change (Normalized). The first failure is a
// KindInvalidInput error naming the field ("email", "change", "phone",
// "address.street", …); a rejected value is never quoted in it.
func CheckContactChange(tool, op, email string, change ContactChange) (ContactChange, error) {
	invalid := func(field, msg string) error {
		return &Error{Kind: KindInvalidInput, Tool: tool, Op: op, Field: field, Err: errors.New(msg)}
	}
	email = strings.TrimSpace(email)
	switch {
	case email == "":
		return ContactChange{}, invalid("email", "an email address is required")
	case !strings.Contains(email, "@"):
		return ContactChange{}, invalid("email", "the email address has no @")
	}
	ch := change.Normalized()
	if change.Phone != "" && ch.Phone == "" {
		return ContactChange{}, invalid("phone", "the phone number is blank")
	}
	if ch.IsZero() {
		return ContactChange{}, invalid("change", "the change sets neither a phone number nor an address")
	}
	if ch.Phone != "" {
		if err := checkText(ch.Phone, MaxPhoneRunes); err != "" {
			return ContactChange{}, invalid("phone", "the phone number "+err)
		}
		if !strings.ContainsFunc(ch.Phone, unicode.IsDigit) {
			return ContactChange{}, invalid("phone", "the phone number has no digit")
		}
	}
	if a := ch.Address; a != nil {
		if a.IsZero() {
			return ContactChange{}, invalid("address", "the address has no field set")
		}
		for _, f := range []struct {
			name, value string
			max         int
		}{
			{"address.street", a.Street, MaxStreetRunes},
			{"address.city", a.City, MaxCityRunes},
			{"address.region", a.Region, MaxRegionRunes},
			{"address.postal_code", a.PostalCode, MaxPostalCodeRunes},
			{"address.country", a.Country, MaxCountryRunes},
		} {
			if err := checkText(f.value, f.max); err != "" {
				return ContactChange{}, invalid(f.name, "the value "+err)
			}
		}
	}
	return ch, nil
}

// checkText returns why s is not one line of valid text of at most max runes, or "".
func checkText(s string, max int) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case utf8.RuneCountInString(s) > max:
		return "is longer than the CRMs accept"
	case strings.ContainsFunc(s, unicode.IsControl):
		return "contains a control character"
	}
	return ""
}
