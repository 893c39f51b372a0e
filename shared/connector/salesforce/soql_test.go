package salesforce_test

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/connector/salesforce"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce/sftest"
)

// hostileEmails try to close the string literal and add clauses.
var hostileEmails = []string{
	`' OR Name LIKE '%`,
	`x@example.com' OR Name LIKE '%`,
	`x@example.com\' OR Name LIKE \'%`,
	`ada@example.com' OR Email != '`,
	`x@example.com\\' OR Id != null OR Email = '`,
	`x@example.com'' OR ''='`,
	"x@example.com\n' OR Name LIKE '%",
	`x@example.com" OR Name LIKE "%`,
	`%@example.com`,
	`_da@example.com`,
	`ada@example.com\`,
	`x@example.com\u0027 OR Name LIKE \u0027%`,
	"x@example.com\x00' OR Name LIKE '%",
	"roisin.o'brien@example.com",
}

func TestQuoteRoundTrips(t *testing.T) {
	t.Parallel()
	for _, in := range append(hostileEmails, "plain", "", "tab\there", "bell\bform\ffeed\rcr", "ünïcödé 😀", "\x7f\x1b") {
		q := salesforce.ContactQuery(in)
		pq, err := sftest.ParseSOQL(q)
		if err != nil {
			t.Errorf("ContactQuery(%q) = %s: does not parse: %v", in, q, err)
			continue
		}
		cmps := pq.Comparisons()
		if len(cmps) != 1 || cmps[0].Field != "Email" || cmps[0].Op != "=" || cmps[0].Value != in {
			t.Errorf("ContactQuery(%q) parses to %+v; want exactly Email = the input", in, cmps)
		}
	}
}

// TestUnescapedWouldWiden shows the stand-in's parser sees the attack when the value
// is not escaped, so TestQuoteRoundTrips cannot pass by parsing nothing.
func TestUnescapedWouldWiden(t *testing.T) {
	t.Parallel()
	naive := "SELECT Id FROM Contact WHERE Email = '" + hostileEmails[0] + "'"
	pq, err := sftest.ParseSOQL(naive)
	if err != nil {
		t.Fatalf("ParseSOQL(%s): %v", naive, err)
	}
	if n := len(pq.Comparisons()); n != 2 {
		t.Fatalf("naive query has %d comparisons, want 2 (the injected OR)", n)
	}
}

func TestQuoteEscapes(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		`a'b`:    `'a\'b'`,
		`a\b`:    `'a\\b'`,
		`a"b`:    `'a\"b'`,
		"a\nb":   `'a\nb'`,
		"a\rb":   `'a\rb'`,
		"a\tb":   `'a\tb'`,
		"a\bb":   `'a\bb'`,
		"a\fb":   `'a\fb'`,
		"a\x00b": `'a\u0000b'`,
		`a%_b`:   `'a%_b'`,
	}
	for in, want := range tests {
		if got := salesforce.Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestValidField(t *testing.T) {
	t.Parallel()
	for f, want := range map[string]bool{
		"Account.Plan__c": true, "Plan__c": true, "Account.Owner.Name": true,
		"": false, "Plan__c, (SELECT Id FROM Cases)": false, "Account.": false, "1Plan": false,
		"Plan__c FROM Contact WHERE": false, strings.Repeat("a", 81): false,
	} {
		if got := salesforce.ValidField(f); got != want {
			t.Errorf("ValidField(%q) = %v, want %v", f, got, want)
		}
	}
}
