package handler

import (
	"testing"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

func TestCheckPhoneAndAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"+44 20 7946 0958": "+442079460958", "0049 (30) 901820": "+4930901820",
		"tel:+1-555-010-0999": "+15550100999", "+44 20": "", "020 7946 0958": "", "+0 123 456 789": "",
		"+1 555 0100 ext 2": "", "+1234567890123456": ""} {
		got, ok := checkPhone(in)
		if got != want || ok != (want != "") {
			t.Errorf("checkPhone(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for in, want := range map[string]connector.Address{
		"221B Baker Street, London NW1 6XE, United Kingdom": {Street: "221B Baker Street", City: "London", PostalCode: "NW1 6XE", Country: "United Kingdom"},
		"Hauptstraße 5, 10115 Berlin, Deutschland":          {Street: "Hauptstraße 5", City: "Berlin", PostalCode: "10115", Country: "Deutschland"},
		"Main Street, Dublin, Ireland":                      {Street: "Main Street", City: "Dublin", Country: "Ireland"},
		"Av. Paulista 1000, São Paulo, SP, 01310-100, Brasil": {Street: "Av. Paulista 1000", City: "São Paulo", Region: "SP",
			PostalCode: "01310-100", Country: "Brasil"},
		"somewhere in Paris":           {},
		"1 Rue, 75001 Paris":           {},
		"1 Rue X, 75001, 75002, Paris": {},
	} {
		got, ok := checkAddress(in)
		if got != want || ok != (want != connector.Address{}) {
			t.Errorf("checkAddress(%q) = %+v %v, want %+v", in, got, ok, want)
		}
	}
}
