package config

import (
	"regexp"
	"strings"
	"testing"
)

// TestNameChecksMatchTheirGrammar compares each hand-written check with the regular
// expression it replaces, on valid, invalid and edge-case names.
func TestNameChecksMatchTheirGrammar(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 80)
	cases := []struct {
		name  string
		check func(string) bool
		re    string
		in    []string
	}{
		{"api version", ValidSalesforceAPIVersion, `^v[0-9]{2,3}\.[0-9]$`,
			[]string{"v61.0", "v9.0", "v100.1", "v1000.0", "61.0", "v61", "v61.00", "va1.0", "", "v61.a"}},
		{"field", ValidSalesforceField, `^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79}){0,4}$`,
			[]string{"Phone", "Account.Plan__c", "A.B.C.D.E", "A.B.C.D.E.F", "1Phone", "Account.", ".Name", "Account..Name",
				long, long + "a", "Account.Name' OR", "a_b9", "Name;DROP"}},
		{"property", ValidHubSpotProperty, `^[A-Za-z0-9_]{1,100}$`,
			[]string{"plan", "customer_status", "9lives", "", strings.Repeat("x", 100), strings.Repeat("x", 101), "a-b", "a b"}},
		{"subdomain", validZendeskSubdomain, `^[A-Za-z0-9][A-Za-z0-9-]{0,62}$`,
			[]string{"acme", "acme-eu", "-acme", "a", "", strings.Repeat("a", 63), strings.Repeat("a", 64), "acme.eu", "0acme"}},
	}
	for _, c := range cases {
		re := regexp.MustCompile(c.re)
		for _, in := range c.in {
			if got, want := c.check(in), re.MatchString(in); got != want {
				t.Errorf("%s(%q) = %v, want %v", c.name, in, got, want)
			}
		}
	}
}
