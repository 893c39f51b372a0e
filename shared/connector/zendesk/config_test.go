package zendesk_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk"
)

func TestConfigDefaultsAndEnv(t *testing.T) {
	t.Parallel()
	c, err := config.Load("", []string{
		"SWITCHBOARD_CONNECTORS_TICKETS=zendesk",
		"SWITCHBOARD_CONNECTORS_KB=zendesk",
		"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme",
		"SWITCHBOARD_CONNECTORS_ZENDESK_TAGS=chatbot, switchboard",
	})
	if err != nil {
		t.Fatal(err)
	}
	z := config.SectionOf[zendesk.Config](c.Connectors, zendesk.Tool)
	if z.Auth != zendesk.AuthAPIToken || z.SecretID != "switchboard/zendesk" || z.PageSize != 100 || z.MaxPages != 10 {
		t.Errorf("defaults = %+v", z)
	}
	if z.URL() != "https://acme.zendesk.com" {
		t.Errorf("URL() = %q", z.URL())
	}
	if strings.Join(z.Tags, ",") != "chatbot,switchboard" {
		t.Errorf("Tags = %q", z.Tags)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"unused zendesk needs nothing", "connectors: {tickets: demo}\n", ""},
		{"subdomain", "connectors: {tickets: zendesk, zendesk: {subdomain: acme}}\n", ""},
		{"base url", "connectors: {kb: zendesk, zendesk: {base_url: 'http://127.0.0.1:9999', auth: oauth}}\n", ""},
		{"missing", "connectors: {tickets: zendesk}\n", "subdomain or base_url is required"},
		{"bad subdomain", "connectors: {tickets: zendesk, zendesk: {subdomain: 'acme.zendesk.com/x'}}\n", "connectors.zendesk.subdomain"},
		{"bad base url", "connectors: {kb: zendesk, zendesk: {base_url: 'acme'}}\n", "connectors.zendesk.base_url"},
		{"bad auth", "connectors: {kb: zendesk, zendesk: {subdomain: acme, auth: password}}\n", "connectors.zendesk.auth"},
		{"page size", "connectors: {kb: zendesk, zendesk: {subdomain: acme, page_size: 101}}\n", "page_size"},
		{"max pages", "connectors: {kb: zendesk, zendesk: {subdomain: acme, max_pages: -1}}\n", "max_pages"},
		{"request url", "connectors: {kb: zendesk, zendesk: {subdomain: acme, request_url: 'requests/'}}\n", "request_url"},
		{"typo", "connectors: {tickets: zendesk, zendesk: {subdomian: acme}}\n", "subdomian"},
		{"not a payments tool", "connectors: {payments: zendesk, zendesk: {subdomain: acme}}\n", "connectors.payments"},
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
				t.Fatalf("Load: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Load err = %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}

// TestSubdomainCheckMatchesItsGrammar compares the hand-written check with the regular
// expression it replaces.
func TestSubdomainCheckMatchesItsGrammar(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,62}$`)
	for _, in := range []string{"acme", "acme-eu", "-acme", "a", "", strings.Repeat("a", 63), strings.Repeat("a", 64), "acme.eu", "0acme"} {
		_, err := config.Load("", []string{"SWITCHBOARD_CONNECTORS_KB=zendesk", "SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=" + in,
			"SWITCHBOARD_CONNECTORS_ZENDESK_BASE_URL=https://x.example"})
		got := err == nil || !strings.Contains(err.Error(), "subdomain")
		if want := in == "" || re.MatchString(in); got != want {
			t.Errorf("subdomain %q accepted = %v (%v), want %v", in, got, err, want)
		}
	}
}
