package config

import (
	"fmt"
	"net/url"
)

// HubSpot configures the HubSpot connector (customers=hubspot). It authenticates with
// a private app's access token, which needs the crm.objects.contacts.read scope.
type HubSpot struct {
	// BaseURL is the API root (default "https://api.hubapi.com"); a local stand-in in
	// tests.
	BaseURL string `yaml:"base_url"`
	// SecretID names the secret holding the private-app access token under the key
	// "token" (default "switchboard/hubspot").
	SecretID string `yaml:"secret_id"`
	// PlanProperty and StatusProperty are the contact properties (internal names)
	// read into the customer's plan and status (defaults "plan" and
	// "customer_status"; "none" reads nothing). `switchboard check` fails when the
	// account lacks them.
	PlanProperty   string `yaml:"plan_property"`
	StatusProperty string `yaml:"status_property"`
	// PageSize is the search limit per request, 1 to 200 (default 10).
	PageSize int `yaml:"page_size"`
	// MaxResults bounds how many contacts matching one email are read across pages
	// (default 100).
	MaxResults int `yaml:"max_results"`
}

func (h *HubSpot) applyDefaults() {
	if h.BaseURL == "" {
		h.BaseURL = "https://api.hubapi.com"
	}
	if h.SecretID == "" {
		h.SecretID = "switchboard/hubspot"
	}
	if h.PlanProperty == "" {
		h.PlanProperty = "plan"
	}
	if h.StatusProperty == "" {
		h.StatusProperty = "customer_status"
	}
	if h.PageSize == 0 {
		h.PageSize = 10
	}
	if h.MaxResults == 0 {
		h.MaxResults = 100
	}
}

// Validate checks the HubSpot section. Connectors.validate calls it when
// customers=hubspot.
func (h HubSpot) Validate() error {
	u, err := url.Parse(h.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("config: connectors.hubspot.base_url: %q is not an absolute http(s) URL", h.BaseURL)
	}
	for key, v := range map[string]string{"plan_property": h.PlanProperty, "status_property": h.StatusProperty} {
		if v != "none" && !ValidHubSpotProperty(v) {
			return fmt.Errorf("config: connectors.hubspot.%s: %q is not a property's internal name (or none)", key, v)
		}
	}
	if h.PageSize < 1 || h.PageSize > 200 {
		return fmt.Errorf("config: connectors.hubspot.page_size: %d is outside 1..200", h.PageSize)
	}
	if h.MaxResults < 1 {
		return fmt.Errorf("config: connectors.hubspot.max_results: %d, want at least 1", h.MaxResults)
	}
	return nil
}
