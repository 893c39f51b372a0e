package hubspot_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot"
)

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := config.Load("", []string{"SWITCHBOARD_CONNECTORS_CUSTOMERS=hubspot", "SWITCHBOARD_CONNECTORS_HUBSPOT_PAGE_SIZE=50",
		"SWITCHBOARD_RESILIENCE_HUBSPOT_RATE=2"})
	if err != nil {
		t.Fatal(err)
	}
	h := config.SectionOf[hubspot.Config](c.Connectors, hubspot.Tool)
	if h.BaseURL != "https://api.hubapi.com" || h.SecretID != "switchboard/hubspot" || h.PlanProperty != "plan" ||
		h.StatusProperty != "customer_status" || h.PageSize != 50 || h.MaxResults != 100 {
		t.Errorf("hubspot defaults = %+v", h)
	}
	if r := c.Resilience.For(hubspot.Tool); r.Rate != 2 || r.Burst != 4 || r.MaxInFlight != 4 {
		t.Errorf("resilience = %+v, want rate from the environment over the registered quota", r)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, wantErr string }{
		{"unused tool needs nothing", "connectors: {customers: demo, hubspot: {page_size: 999}}\n", ""},
		{"hubspot", "connectors: {customers: hubspot, hubspot: {base_url: 'http://127.0.0.1:9999', plan_property: none}}\n", ""},
		{"hubspot page size", "connectors: {customers: hubspot, hubspot: {page_size: 201}}\n", "page_size"},
		{"hubspot property", "connectors: {customers: hubspot, hubspot: {status_property: 'a,b'}}\n", "status_property"},
		{"hubspot base url", "connectors: {customers: hubspot, hubspot: {base_url: 'ftp://x'}}\n", "base_url"},
		{"unknown key", "connectors: {hubspot: {token: x}}\n", "token"},
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

// TestPropertyCheckMatchesItsGrammar compares the hand-written check with the regular
// expression it replaces.
func TestPropertyCheckMatchesItsGrammar(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[A-Za-z0-9_]{1,100}$`)
	for _, in := range []string{"plan", "customer_status", "9lives", "", strings.Repeat("x", 100), strings.Repeat("x", 101), "a-b", "a b"} {
		if got, want := hubspot.ValidProperty(in), re.MatchString(in); got != want {
			t.Errorf("ValidProperty(%q) = %v, want %v", in, got, want)
		}
	}
}
