package config

import (
	"fmt"
	"net/url"
)

// Salesforce configures the Salesforce connector (customers=salesforce). It signs in
// with the OAuth 2.0 client-credentials flow of a connected app whose run-as user may
// read Contact and Account.
type Salesforce struct {
	// LoginURL is the org's My Domain URL, e.g. https://acme.my.salesforce.com; the
	// token endpoint is <login_url>/services/oauth2/token. Required.
	LoginURL string `yaml:"login_url"`
	// InstanceURL overrides the instance_url of the token answer (rarely needed).
	InstanceURL string `yaml:"instance_url"`
	// APIVersion is the REST API version (default "v61.0").
	APIVersion string `yaml:"api_version"`
	// SecretID names the secret holding client_id and client_secret (and optionally
	// token_url) of the connected app (default "switchboard/salesforce").
	SecretID string `yaml:"secret_id"`
	// PlanField and StatusField are the SOQL field paths, from Contact, read into the
	// customer's plan and status (defaults "Account.Plan__c" and "Account.Status__c";
	// "none" reads nothing). `switchboard check` fails when the org lacks them.
	PlanField   string `yaml:"plan_field"`
	StatusField string `yaml:"status_field"`
	// BatchSize asks for query batches of this size, 200 to 2000 (default 0: the
	// API's own 2000).
	BatchSize int `yaml:"batch_size"`
	// MaxRecords bounds how many contacts sharing one email are read across batches
	// (default 2000).
	MaxRecords int `yaml:"max_records"`
}

func (s *Salesforce) applyDefaults() {
	if s.APIVersion == "" {
		s.APIVersion = "v61.0"
	}
	if s.SecretID == "" {
		s.SecretID = "switchboard/salesforce"
	}
	if s.PlanField == "" {
		s.PlanField = "Account.Plan__c"
	}
	if s.StatusField == "" {
		s.StatusField = "Account.Status__c"
	}
	if s.MaxRecords == 0 {
		s.MaxRecords = 2000
	}
}

// Validate checks the Salesforce section. Connectors.validate calls it when
// customers=salesforce.
func (s Salesforce) Validate() error {
	if s.LoginURL == "" {
		return fmt.Errorf("config: connectors.salesforce.login_url is required (the org's My Domain URL)")
	}
	for key, v := range map[string]string{"login_url": s.LoginURL, "instance_url": s.InstanceURL} {
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("config: connectors.salesforce.%s: %q is not an absolute http(s) URL", key, v)
		}
	}
	if !ValidSalesforceAPIVersion(s.APIVersion) {
		return fmt.Errorf("config: connectors.salesforce.api_version: %q, want the form v61.0", s.APIVersion)
	}
	for key, v := range map[string]string{"plan_field": s.PlanField, "status_field": s.StatusField} {
		if v != "none" && !ValidSalesforceField(v) {
			return fmt.Errorf("config: connectors.salesforce.%s: %q is not a SOQL field path such as Account.Plan__c (or none)", key, v)
		}
	}
	if s.BatchSize != 0 && (s.BatchSize < 200 || s.BatchSize > 2000) {
		return fmt.Errorf("config: connectors.salesforce.batch_size: %d is outside 200..2000", s.BatchSize)
	}
	if s.MaxRecords < 1 {
		return fmt.Errorf("config: connectors.salesforce.max_records: %d, want at least 1", s.MaxRecords)
	}
	return nil
}
