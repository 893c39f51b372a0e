package connector

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckContactChange(t *testing.T) {
	t.Parallel()
	addr := &Address{Street: " 1 Main St ", City: "Springfield", Country: "US"}
	tests := []struct {
		name      string
		email     string
		change    ContactChange
		wantField string // "" for accepted
	}{
		{"phone", "a@example.com", ContactChange{Phone: " +1 555 0100 "}, ""},
		{"address", "a@example.com", ContactChange{Address: addr}, ""},
		{"both", "a@example.com", ContactChange{Phone: "+1 555 0100", Address: addr}, ""},
		{"unicode address", "a@example.com", ContactChange{Address: &Address{Street: "Königstraße 1", City: "Zürich"}}, ""},
		{"no email", " ", ContactChange{Phone: "1"}, "email"},
		{"email without @", "ada", ContactChange{Phone: "1"}, "email"},
		{"empty change", "a@example.com", ContactChange{ExternalID: "k"}, "change"},
		{"blank phone alone", "a@example.com", ContactChange{Phone: "   "}, "phone"},
		{"phone without digit", "a@example.com", ContactChange{Phone: "call me"}, "phone"},
		{"phone too long", "a@example.com", ContactChange{Phone: strings.Repeat("1", MaxPhoneRunes+1)}, "phone"},
		{"phone with newline", "a@example.com", ContactChange{Phone: "555\n0100"}, "phone"},
		{"empty address", "a@example.com", ContactChange{Address: &Address{City: "  "}}, "address"},
		{"street too long", "a@example.com", ContactChange{Address: &Address{Street: strings.Repeat("s", MaxStreetRunes+1)}}, "address.street"},
		{"city with control", "a@example.com", ContactChange{Address: &Address{City: "Lon\x00don"}}, "address.city"},
		{"region too long", "a@example.com", ContactChange{Address: &Address{Region: strings.Repeat("r", MaxRegionRunes+1)}}, "address.region"},
		{"postal code too long", "a@example.com", ContactChange{Address: &Address{PostalCode: strings.Repeat("9", MaxPostalCodeRunes+1)}}, "address.postal_code"},
		{"country invalid utf-8", "a@example.com", ContactChange{Address: &Address{Country: "\xff"}}, "address.country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckContactChange("tool", "update_customer", tt.email, tt.change)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				if want := tt.change.Normalized(); got.Phone != want.Phone || (got.Address == nil) != (want.Address == nil) ||
					got.Address != nil && *got.Address != *want.Address {
					t.Errorf("change = %+v, want the normalized %+v", got, want)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Kind != KindInvalidInput || ce.Field != tt.wantField || ce.Tool != "tool" {
				t.Fatalf("err = %#v, want KindInvalidInput on field %q", err, tt.wantField)
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("errors.Is(err, ErrInvalidInput) = false")
			}
		})
	}
}

func TestContactChangeNormalizedKeepsCallerAddress(t *testing.T) {
	t.Parallel()
	a := &Address{Street: " 1 Main St "}
	n := ContactChange{Address: a}.Normalized()
	if a.Street != " 1 Main St " || n.Address.Street != "1 Main St" {
		t.Errorf("Normalized changed the caller's address (%q) or did not trim (%q)", a.Street, n.Address.Street)
	}
	if !n.Holds(Customer{Address: Address{Street: "1 Main St"}}) {
		t.Errorf("the normalized change does not hold on the stored record")
	}
}
