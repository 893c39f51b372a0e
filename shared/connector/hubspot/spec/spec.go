// Package spec is the configuration side of the hubspot tool: its name, its
// connectors.hubspot section (defaults, validation) and what shared/config knows of it
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
	DefaultBaseURL        = "https://api.hubapi.com"
	DefaultTokenKey       = "token"
	DefaultPlanProperty   = "plan"
	DefaultStatusProperty = "customer_status"
	DefaultPageSize       = 10
	DefaultMaxResults     = 100
	// MaxPageSize is the search endpoint's largest limit.
	MaxPageSize = 200
	// None, as PlanProperty or StatusProperty, reads no property for that value.
	None = "none"
)

// Tool is the tool's name in the configuration (connectors.customers: hubspot).
const Tool = "hubspot"

// Config is the connectors.hubspot section (docs/connectors/hubspot.md). It
// authenticates with a private app's access token, which needs the
// crm.objects.contacts.read scope, and crm.objects.contacts.write for update_customer.
type Config struct {
	// BaseURL is the API root (default "https://api.hubapi.com"); a local stand-in in
	// tests.
	BaseURL string `yaml:"base_url"`
	// SecretID names the secret holding the private-app access token under the key
	// "token" (default "switchboard/hubspot").
	SecretID string `yaml:"secret_id"`
	// PlanProperty and StatusProperty are the contact properties (internal names)
	// read into the customer's plan and status (defaults "plan" and
	// "customer_status"; "none" reads nothing). `switchboard check` fails when the
	// account lacks a property named otherwise and warns when it lacks a default one
	// (a stock portal has neither; lookups answer without them).
	PlanProperty   string `yaml:"plan_property"`
	StatusProperty string `yaml:"status_property"`
	// PageSize is the search limit per request, 1 to 200 (default 10).
	PageSize int `yaml:"page_size"`
	// MaxResults bounds how many contacts matching one email are read across pages
	// (default 100).
	MaxResults int `yaml:"max_results"`
}

// ApplyDefaults fills the zero fields.
func (h *Config) ApplyDefaults() {
	if h.BaseURL == "" {
		h.BaseURL = DefaultBaseURL
	}
	if h.SecretID == "" {
		h.SecretID = "switchboard/hubspot"
	}
	if h.PlanProperty == "" {
		h.PlanProperty = DefaultPlanProperty
	}
	if h.StatusProperty == "" {
		h.StatusProperty = DefaultStatusProperty
	}
	if h.PageSize == 0 {
		h.PageSize = DefaultPageSize
	}
	if h.MaxResults == 0 {
		h.MaxResults = DefaultMaxResults
	}
}

// Validate checks the section; config.Load calls it when customers=hubspot.
func (h *Config) Validate() error {
	u, err := url.Parse(h.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("config: connectors.hubspot.base_url: %q is not an absolute http(s) URL", h.BaseURL)
	}
	for key, v := range map[string]string{"plan_property": h.PlanProperty, "status_property": h.StatusProperty} {
		if v != None && !ValidProperty(v) {
			return fmt.Errorf("config: connectors.hubspot.%s: %q is not a property's internal name (or none)", key, v)
		}
	}
	if h.PageSize < 1 || h.PageSize > MaxPageSize {
		return fmt.Errorf("config: connectors.hubspot.page_size: %d is outside 1..200", h.PageSize)
	}
	if h.MaxResults < 1 {
		return fmt.Errorf("config: connectors.hubspot.max_results: %d, want at least 1", h.MaxResults)
	}
	return nil
}

// ValidProperty reports whether p is a HubSpot property internal name: 1 to 100
// letters, digits or underscores. (A plain loop: a package-level regexp is compiled at
// every process start, and a Lambda's cold start pays for it.)
func ValidProperty(p string) bool {
	if len(p) == 0 || len(p) > 100 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !('0' <= c && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}

// ToolSpec is what shared/config knows of the tool.
var ToolSpec = toolspec.Spec{
	Name:         Tool,
	Capabilities: []string{toolspec.CapCustomers},
	NewSection:   func() toolspec.Section { return &Config{} },
	SecretKey:    "secret_id",
	// The CRM search endpoints (contact lookup by email) allow 4-5 requests
	// per second per account; the general private-app burst limit is 100-190
	// per 10 s. The limiter spends a token per request (an update makes three).
	Resilience: toolspec.Resilience{Rate: 4, Burst: 4, MaxInFlight: 4},
}

func init() { toolspec.Register(ToolSpec) }
