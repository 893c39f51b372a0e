package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSalesforceAndHubSpotDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load("", []string{
		"SWITCHBOARD_CONNECTORS_CUSTOMERS=salesforce",
		"SWITCHBOARD_CONNECTORS_SALESFORCE_LOGIN_URL=https://acme.my.salesforce.com",
		"SWITCHBOARD_CONNECTORS_SALESFORCE_STATUS_FIELD=none",
		"SWITCHBOARD_CONNECTORS_HUBSPOT_PAGE_SIZE=50",
	})
	if err != nil {
		t.Fatal(err)
	}
	s := c.Connectors.Salesforce
	if s.APIVersion != "v61.0" || s.SecretID != "switchboard/salesforce" || s.PlanField != "Account.Plan__c" ||
		s.StatusField != "none" || s.MaxRecords != 2000 || s.BatchSize != 0 {
		t.Errorf("salesforce defaults = %+v", s)
	}
	h := c.Connectors.HubSpot
	if h.BaseURL != "https://api.hubapi.com" || h.SecretID != "switchboard/hubspot" || h.PlanProperty != "plan" ||
		h.StatusProperty != "customer_status" || h.PageSize != 50 || h.MaxResults != 100 {
		t.Errorf("hubspot defaults = %+v", h)
	}
}

func TestSalesforceAndHubSpotValidate(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, wantErr string }{
		{"unused tools need nothing", "connectors: {customers: demo, hubspot: {page_size: 999}}\n", ""},
		{"salesforce", "connectors: {customers: salesforce, salesforce: {login_url: 'https://acme.my.salesforce.com', batch_size: 500}}\n", ""},
		{"salesforce without login url", "connectors: {customers: salesforce}\n", "login_url is required"},
		{"salesforce relative url", "connectors: {customers: salesforce, salesforce: {login_url: acme.my.salesforce.com}}\n", "login_url"},
		{"salesforce version", "connectors: {customers: salesforce, salesforce: {login_url: 'https://a.my.salesforce.com', api_version: '61'}}\n", "api_version"},
		{"salesforce field injection", "connectors: {customers: salesforce, salesforce: {login_url: 'https://a.my.salesforce.com', plan_field: 'Id FROM User'}}\n", "plan_field"},
		{"salesforce batch", "connectors: {customers: salesforce, salesforce: {login_url: 'https://a.my.salesforce.com', batch_size: 100}}\n", "batch_size"},
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
			_, err := Load(path, []string{})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Load: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Load: err = %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}
