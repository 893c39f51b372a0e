package config

import (
	"fmt"
	"time"
)

// Connectors chooses which business tool serves each capability and configures each
// tool and where their credentials come from.
type Connectors struct {
	// "none" leaves a capability unserved: its intents answer honestly that they are
	// not available (a deployed function sets it for the capabilities it does not use,
	// so it can never fall back to the demo data).
	Customers string `yaml:"customers"` // demo | salesforce | hubspot | sql | none
	Tickets   string `yaml:"tickets"`   // demo | zendesk | sql | none
	Payments  string `yaml:"payments"`  // demo | stripe | none
	KB        string `yaml:"kb"`        // demo | zendesk | none

	// Secrets says where the tools' credentials come from.
	Secrets Secrets `yaml:"secrets"`

	Salesforce Salesforce `yaml:"salesforce"`
	HubSpot    HubSpot    `yaml:"hubspot"`
	Zendesk    Zendesk    `yaml:"zendesk"`
	Stripe     Stripe     `yaml:"stripe"`
	SQL        SQL        `yaml:"sql"`
}

// Secrets configures the credentials source shared by every connector.
type Secrets struct {
	// Provider is "env" (default: SWITCHBOARD_SECRET_<ID> variables holding each
	// secret's JSON object, for local development), "file" (a JSON file mapping
	// secret id to object) or "aws" (AWS Secrets Manager, one JSON secret per tool).
	Provider string `yaml:"provider"`
	// File is the JSON file of the file provider.
	File string `yaml:"file"`
	// MaxAge is how long a secret is served from memory before it is fetched again
	// (default 5m). A tool answering 401/403 makes the connector fetch it at once.
	MaxAge time.Duration `yaml:"max_age"`
	// StaleFor is how long past MaxAge the aws provider still serves its cached copy
	// of a secret while Secrets Manager cannot be reached (default 1h; negative:
	// never). A copy a tool refused is never served again.
	StaleFor time.Duration `yaml:"stale_for"`
	// Prefix is prepended to every secret id with the aws provider (e.g. "prod/").
	Prefix string `yaml:"prefix"`
	// Endpoint overrides the Secrets Manager endpoint (local tests); "" keeps the
	// SDK's own resolution, which also honours AWS_ENDPOINT_URL.
	Endpoint string `yaml:"endpoint"`
}

// Secret providers.
const (
	SecretsEnv  = "env"
	SecretsFile = "file"
	SecretsAWS  = "aws"
)

// Uses reports whether tool serves any capability.
func (c Connectors) Uses(tool string) bool {
	return c.Customers == tool || c.Tickets == tool || c.Payments == tool || c.KB == tool
}

func (c *Connectors) applyDefaults() {
	for _, f := range []*string{&c.Customers, &c.Tickets, &c.Payments, &c.KB} {
		if *f == "" {
			*f = ToolDemo
		}
	}
	if c.Secrets.Provider == "" {
		c.Secrets.Provider = SecretsEnv
	}
	setDur(&c.Secrets.MaxAge, 5*time.Minute)
	c.Salesforce.applyDefaults()
	c.HubSpot.applyDefaults()
	c.Zendesk.applyDefaults()
	c.Stripe.applyDefaults()
	c.SQL.applyDefaults()
}

func (c Connectors) validate() error {
	allowed := map[string][]string{
		"customers": {ToolDemo, ToolSalesforce, ToolHubSpot, ToolSQL, ToolNone},
		"tickets":   {ToolDemo, ToolZendesk, ToolSQL, ToolNone},
		"payments":  {ToolDemo, ToolStripe, ToolNone},
		"kb":        {ToolDemo, ToolZendesk, ToolNone},
	}
	got := map[string]string{"customers": c.Customers, "tickets": c.Tickets, "payments": c.Payments, "kb": c.KB}
	for _, k := range []string{"customers", "tickets", "payments", "kb"} {
		v := got[k]
		ok := false
		for _, a := range allowed[k] {
			ok = ok || a == v
		}
		if !ok {
			return fmt.Errorf("config: connectors.%s: unknown tool %q (want one of %v)", k, v, allowed[k])
		}
	}
	switch c.Secrets.Provider {
	case SecretsEnv, SecretsAWS:
	case SecretsFile:
		if c.Secrets.File == "" {
			return fmt.Errorf("config: connectors.secrets.file is required with provider file")
		}
	default:
		return fmt.Errorf("config: connectors.secrets.provider: unknown provider %q (want env, file or aws)", c.Secrets.Provider)
	}
	if c.Secrets.MaxAge < 0 {
		return fmt.Errorf("config: connectors.secrets.max_age: %s is negative", c.Secrets.MaxAge)
	}
	checks := []struct {
		tool     string
		validate func() error
	}{
		{ToolSalesforce, c.Salesforce.Validate},
		{ToolHubSpot, c.HubSpot.Validate},
		{ToolZendesk, c.Zendesk.Validate},
		{ToolStripe, c.Stripe.Validate},
		{ToolSQL, c.SQL.Validate},
	}
	for _, ch := range checks {
		if c.Uses(ch.tool) {
			if err := ch.validate(); err != nil {
				return err
			}
		}
	}
	return nil
}
