// Package spec is the configuration side of the salesforce tool: its name, its
// connectors.salesforce section (defaults, validation) and what shared/config knows of it
// (toolspec.Spec), registered from init. The connector package builds its client
// from it; the CDK app (infra/) links only this package, so it validates a function's
// configuration without the client's dependencies.
package spec

import (
	"fmt"
	"net/url"

	"github.com/switchboard-dev/switchboard/shared/contract/toolspec"
)

// Defaults.
const (
	DefaultAPIVersion  = "v61.0"
	DefaultPlanField   = "Account.Plan__c"
	DefaultStatusField = "Account.Status__c"
	DefaultMaxRecords  = 2000
	// None, as PlanField or StatusField, reads no field for that value.
	None = "none"
)

// Tool is the tool's name in the configuration (connectors.customers: salesforce).
const Tool = "salesforce"

// Config is the connectors.salesforce section (docs/connectors/salesforce.md). It signs
// in with the OAuth 2.0 client-credentials flow of a connected app whose run-as user
// may read Contact and Account.
type Config struct {
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

// ApplyDefaults fills the zero fields.
func (s *Config) ApplyDefaults() {
	if s.APIVersion == "" {
		s.APIVersion = DefaultAPIVersion
	}
	if s.SecretID == "" {
		s.SecretID = "switchboard/salesforce"
	}
	if s.PlanField == "" {
		s.PlanField = DefaultPlanField
	}
	if s.StatusField == "" {
		s.StatusField = DefaultStatusField
	}
	if s.MaxRecords == 0 {
		s.MaxRecords = DefaultMaxRecords
	}
}

// Validate checks the section; config.Load calls it when customers=salesforce.
func (s *Config) Validate() error {
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
	if !ValidAPIVersion(s.APIVersion) {
		return fmt.Errorf("config: connectors.salesforce.api_version: %q, want the form v61.0", s.APIVersion)
	}
	for key, v := range map[string]string{"plan_field": s.PlanField, "status_field": s.StatusField} {
		if v != None && !ValidField(v) {
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

// Name checks are plain loops, not regular expressions: a package-level regexp is
// compiled at every process start, and a Lambda's cold start pays for it.

// ValidAPIVersion reports whether v looks like "v61.0".
func ValidAPIVersion(v string) bool {
	if len(v) < 5 || len(v) > 6 || v[0] != 'v' || v[len(v)-2] != '.' || !isDigit(v[len(v)-1]) {
		return false
	}
	for i := 1; i < len(v)-2; i++ {
		if !isDigit(v[i]) {
			return false
		}
	}
	return true
}

// ValidField reports whether f is a SOQL field reference: a field of Contact (Phone)
// or of up to four parents (Account.Owner.Name), each part a letter followed by at
// most 79 letters, digits or underscores. Only these shapes are accepted, so
// configuration can never smuggle SOQL into the SELECT clause.
func ValidField(f string) bool {
	parts, start := 0, 0
	for i := 0; i <= len(f); i++ {
		if i < len(f) && f[i] != '.' {
			continue
		}
		part := f[start:i]
		if len(part) == 0 || len(part) > 80 || !isLetter(part[0]) {
			return false
		}
		for j := 1; j < len(part); j++ {
			if !isLetter(part[j]) && !isDigit(part[j]) && part[j] != '_' {
				return false
			}
		}
		parts++
		start = i + 1
	}
	return parts >= 1 && parts <= 5
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// ToolSpec is what shared/config knows of the tool.
var ToolSpec = toolspec.Spec{
	Name:         Tool,
	Capabilities: []string{toolspec.CapCustomers},
	NewSection:   func() toolspec.Section { return &Config{} },
	SecretKey:    "secret_id",
	// No per-second quota: a rolling 24 h allocation, and 25 concurrent
	// long-running (>= 20 s) requests per production org. The limiter spends a
	// token per API request; the OAuth token request takes none.
	Resilience: toolspec.Resilience{Rate: 25, Burst: 25, MaxInFlight: 25},
}

func init() { toolspec.Register(ToolSpec) }
