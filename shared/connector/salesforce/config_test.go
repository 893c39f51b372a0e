package salesforce_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce"
)

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := config.Load("", []string{
		"SWITCHBOARD_CONNECTORS_CUSTOMERS=salesforce",
		"SWITCHBOARD_CONNECTORS_SALESFORCE_LOGIN_URL=https://acme.my.salesforce.com",
		"SWITCHBOARD_CONNECTORS_SALESFORCE_STATUS_FIELD=none",
	})
	if err != nil {
		t.Fatal(err)
	}
	s := config.SectionOf[salesforce.Config](c.Connectors, salesforce.Tool)
	if s.APIVersion != "v61.0" || s.SecretID != "switchboard/salesforce" || s.PlanField != "Account.Plan__c" ||
		s.StatusField != "none" || s.MaxRecords != 2000 || s.BatchSize != 0 || s.LoginURL != "https://acme.my.salesforce.com" {
		t.Errorf("salesforce defaults = %+v", s)
	}
	if r := c.Resilience.For(salesforce.Tool); r.Rate != 25 || r.MaxInFlight != 25 || r.MaxAttempts != 3 {
		t.Errorf("resilience = %+v, want the registered quota over the global defaults", r)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, wantErr string }{
		{"unused tool needs nothing", "connectors: {customers: demo, salesforce: {batch_size: 1}}\n", ""},
		{"salesforce", "connectors: {customers: salesforce, salesforce: {login_url: 'https://acme.my.salesforce.com', batch_size: 500}}\n", ""},
		{"salesforce without login url", "connectors: {customers: salesforce}\n", "login_url is required"},
		{"salesforce relative url", "connectors: {customers: salesforce, salesforce: {login_url: acme.my.salesforce.com}}\n", "login_url"},
		{"salesforce version", "connectors: {customers: salesforce, salesforce: {login_url: 'https://a.my.salesforce.com', api_version: '61'}}\n", "api_version"},
		{"salesforce field injection", "connectors: {customers: salesforce, salesforce: {login_url: 'https://a.my.salesforce.com', plan_field: 'Id FROM User'}}\n", "plan_field"},
		{"salesforce batch", "connectors: {customers: salesforce, salesforce: {login_url: 'https://a.my.salesforce.com', batch_size: 100}}\n", "batch_size"},
		{"unknown key", "connectors: {salesforce: {password: x}}\n", "password"},
		{"not a tickets tool", "connectors: {tickets: salesforce}\n", "connectors.tickets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := config.Load(path, []string{})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Load: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Load: err = %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}

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
		{"api version", salesforce.ValidAPIVersion, `^v[0-9]{2,3}\.[0-9]$`,
			[]string{"v61.0", "v9.0", "v100.1", "v1000.0", "61.0", "v61", "v61.00", "va1.0", "", "v61.a"}},
		{"field", salesforce.ValidField, `^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79}){0,4}$`,
			[]string{"Phone", "Account.Plan__c", "A.B.C.D.E", "A.B.C.D.E.F", "1Phone", "Account.", ".Name", "Account..Name",
				long, long + "a", "Account.Name' OR", "a_b9", "Name;DROP"}},
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
