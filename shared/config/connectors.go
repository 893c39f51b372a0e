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
	// Otherwise each names a tool linked into the binary that serves the capability
	// (ToolsFor), or demo.
	Customers string `yaml:"customers"` // e.g. demo | salesforce | hubspot | sql | none
	Tickets   string `yaml:"tickets"`   // e.g. demo | zendesk | sql | none
	Payments  string `yaml:"payments"`  // e.g. demo | stripe | none
	KB        string `yaml:"kb"`        // e.g. demo | zendesk | none

	// Secrets says where the tools' credentials come from.
	Secrets Secrets `yaml:"secrets"`

	// Tools holds each registered tool's section (connectors.<tool>), keyed by tool
	// name; its connector package reads it with SectionOf. Copies of a Config share
	// these sections.
	Tools map[string]Section `yaml:"-"`
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

// For returns the tool chosen for capability (CapCustomers, …).
func (c Connectors) For(capability string) string {
	switch capability {
	case CapCustomers:
		return c.Customers
	case CapTickets:
		return c.Tickets
	case CapPayments:
		return c.Payments
	case CapKB:
		return c.KB
	}
	return ""
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
	if c.Tools == nil {
		c.Tools = newSections()
	}
	for _, s := range c.Tools {
		s.ApplyDefaults()
	}
}

func (c Connectors) validate() error {
	for _, k := range Capabilities {
		v := c.For(k)
		allowed := ToolsFor(k)
		ok := false
		for _, a := range allowed {
			ok = ok || a == v
		}
		if !ok {
			return fmt.Errorf("config: connectors.%s: unknown tool %q (want one of %v; tools linked into this binary: %s)",
				k, v, allowed, linkedToolNames())
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
	for _, s := range Tools() {
		if sec := c.Tools[s.Name]; sec != nil && c.Uses(s.Name) {
			if err := sec.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}
