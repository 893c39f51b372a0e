package connectortest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// CRM is a customer directory that can also change a customer's contact details.
type CRM interface {
	connector.CustomerDirectory
	connector.CustomerUpdater
}

// newPhone is a phone number no earlier run used, so every change really changes
// the record, even on a persistent stand-in.
func newPhone(t *testing.T) string {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(1e8))
	if err != nil {
		t.Fatal(err)
	}
	d := fmt.Sprintf("%08d", n.Int64())
	return "+1 555 " + d[:4] + " " + d[4:]
}

// TestCustomerUpdater checks a CustomerUpdater: UpdateCustomer replaces the phone, the
// whole address, or both, on the customer whatever the case of the email; it returns
// the record as the tool holds it afterwards (a lookup returns the same), keeps the
// email and every other field, trims the values, is idempotent, and refuses an unknown
// email (creating nothing), an empty or invalid change and a cancelled context without
// touching the record.
func TestCustomerUpdater(t *testing.T, crm CRM, fx Fixtures) {
	need(t, "TestCustomerUpdater", map[string]bool{
		"UpdateEmail":                  fx.UpdateEmail != "",
		"UnknownEmail":                 fx.UnknownEmail != "",
		"UpdateEmail != KnownCustomer": !strings.EqualFold(fx.UpdateEmail, fx.KnownCustomer.Email),
		"UpdateEmail != UnknownEmail":  !strings.EqualFold(fx.UpdateEmail, fx.UnknownEmail),
	})
	find := func(t *testing.T, email string) connector.Customer {
		t.Helper()
		c, err := crm.FindCustomerByEmail(ctxFor(t), email)
		if err != nil {
			t.Fatalf("FindCustomerByEmail(%q): %v", email, err)
		}
		return c
	}
	// update applies change and checks the result is before with want's phone and
	// address, and that a lookup afterwards returns the same record.
	update := func(t *testing.T, email string, change connector.ContactChange, want connector.Customer) connector.Customer {
		t.Helper()
		got, err := crm.UpdateCustomer(ctxFor(t), email, change)
		if err != nil {
			t.Fatalf("UpdateCustomer(%q, %+v): %v", email, change, err)
		}
		if got.ID == "" || got.ID != want.ID {
			t.Errorf("UpdateCustomer returned ID %q, want the customer's %q", got.ID, want.ID)
		}
		if !sameCustomer(got, want) {
			t.Errorf("UpdateCustomer(%q, %+v) =\n  %+v\nwant\n  %+v", email, change, got, want)
		}
		if after := find(t, fx.UpdateEmail); after.ID != got.ID || !sameCustomer(after, got) {
			t.Errorf("after UpdateCustomer the tool holds\n  %+v\nbut UpdateCustomer returned\n  %+v", after, got)
		}
		return got
	}
	unchanged := func(t *testing.T, before connector.Customer) {
		t.Helper()
		if after := find(t, fx.UpdateEmail); !sameCustomer(after, before) {
			t.Errorf("a refused UpdateCustomer changed the record:\n  %+v\nwas\n  %+v", after, before)
		}
	}

	t.Run("phone", func(t *testing.T) {
		before := find(t, fx.UpdateEmail)
		want := before
		want.Phone = newPhone(t)
		update(t, fx.UpdateEmail, connector.ContactChange{Phone: want.Phone, ExternalID: "contract-phone"}, want)
	})

	t.Run("address", func(t *testing.T) {
		before := find(t, fx.UpdateEmail)
		want := before
		// Quotes, an apostrophe, a backslash, percent and non-ASCII letters must be stored
		// as given, never read as query syntax.
		want.Address = connector.Address{
			Street:     `4 O'Neill's "Yard" \ Flat 2%`,
			City:       "Zürich",
			Region:     "Zürich",
			PostalCode: "8001",
			Country:    "Switzerland",
		}
		addr := want.Address
		update(t, fx.UpdateEmail, connector.ContactChange{Address: &addr}, want)
	})

	t.Run("phone and address; an empty field clears it", func(t *testing.T) {
		before := find(t, fx.UpdateEmail)
		want := before
		want.Phone = newPhone(t)
		want.Address = connector.Address{Street: "1 Contract Road", City: "Testville", PostalCode: "T3 5TS",
			Country: "Contractland"} // no Region: the old one is cleared
		addr := want.Address
		update(t, fx.UpdateEmail, connector.ContactChange{Phone: want.Phone, Address: &addr}, want)
	})

	t.Run("case-insensitive email", func(t *testing.T) {
		before := find(t, fx.UpdateEmail)
		want := before
		want.Phone = newPhone(t)
		for _, email := range []string{upperEmail(fx.UpdateEmail), mixedEmail(fx.UpdateEmail)} {
			update(t, email, connector.ContactChange{Phone: want.Phone}, want)
		}
	})

	t.Run("values are trimmed", func(t *testing.T) {
		before := find(t, fx.UpdateEmail)
		want := before
		want.Phone = newPhone(t)
		want.Address = connector.Address{Street: "2 Trim Street", City: "Spaceton", Region: "Padshire",
			PostalCode: "SP4 CE", Country: "Trimland"}
		update(t, fx.UpdateEmail, connector.ContactChange{Phone: "  " + want.Phone + " ", Address: &connector.Address{
			Street: " 2 Trim Street", City: "Spaceton ", Region: "\tPadshire", PostalCode: " SP4 CE ", Country: "Trimland",
		}}, want)
	})

	t.Run("applying a change twice is applying it once", func(t *testing.T) {
		before := find(t, fx.UpdateEmail)
		want := before
		want.Phone = newPhone(t)
		want.Address = connector.Address{Street: "3 Retry Row", City: "Againton", Region: "Twice", PostalCode: "R3 7RY",
			Country: "Idempotia"}
		addr := want.Address
		change := connector.ContactChange{Phone: want.Phone, Address: &addr, ExternalID: "contract-twice-" + token(t)}
		first := update(t, fx.UpdateEmail, change, want)
		second := update(t, fx.UpdateEmail, change, want)
		if second.ID != first.ID || !sameCustomer(second, first) {
			t.Errorf("the second UpdateCustomer returned\n  %+v\nthe first\n  %+v", second, first)
		}
		if !change.Holds(second) {
			t.Errorf("change.Holds(%+v) = false after applying it", second)
		}
	})

	t.Run("unknown email is not found and creates nothing", func(t *testing.T) {
		_, err := crm.UpdateCustomer(ctxFor(t), fx.UnknownEmail, connector.ContactChange{Phone: newPhone(t)})
		checkKind(t, "UpdateCustomer("+fx.UnknownEmail+")", err, connector.ErrNotFound)
		_, err = crm.FindCustomerByEmail(ctxFor(t), fx.UnknownEmail)
		checkKind(t, "FindCustomerByEmail("+fx.UnknownEmail+") after the update", err, connector.ErrNotFound)
	})

	t.Run("empty change is invalid input", func(t *testing.T) {
		before := find(t, fx.UpdateEmail)
		_, err := crm.UpdateCustomer(ctxFor(t), fx.UpdateEmail, connector.ContactChange{ExternalID: "contract-empty"})
		checkKind(t, "UpdateCustomer with an empty change", err, connector.ErrInvalidInput)
		unchanged(t, before)
	})

	t.Run("invalid values are invalid input", func(t *testing.T) {
		before := find(t, fx.UpdateEmail)
		for _, ch := range []connector.ContactChange{
			{Phone: "555\n0100"},
			{Phone: "no digits"},
			{Phone: strings.Repeat("5", connector.MaxPhoneRunes+1)},
			{Address: &connector.Address{}},
			{Phone: newPhone(t), Address: &connector.Address{City: strings.Repeat("c", connector.MaxCityRunes+1)}},
			{Address: &connector.Address{Street: "1 Null\x00Street"}},
		} {
			_, err := crm.UpdateCustomer(ctxFor(t), fx.UpdateEmail, ch)
			checkKind(t, fmt.Sprintf("UpdateCustomer(%+v)", ch), err, connector.ErrInvalidInput)
		}
		_, err := crm.UpdateCustomer(ctxFor(t), "", connector.ContactChange{Phone: newPhone(t)})
		checkKind(t, "UpdateCustomer with no email", err, connector.ErrInvalidInput)
		unchanged(t, before)
	})

	t.Run("cancelled context", func(t *testing.T) {
		before := find(t, fx.UpdateEmail)
		_, err := crm.UpdateCustomer(cancelled(), fx.UpdateEmail, connector.ContactChange{Phone: newPhone(t)})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("UpdateCustomer with a cancelled context: err = %v, want one matching context.Canceled", err)
		}
		unchanged(t, before)
	})
}
