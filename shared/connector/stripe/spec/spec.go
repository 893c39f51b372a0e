// Package spec is the configuration side of the stripe tool: its name, its
// connectors.stripe section (defaults, validation) and what shared/config knows of it
// (toolspec.Spec), registered from init. The connector package builds its client
// from it; the CDK app (infra/) links only this package, so it validates a function's
// configuration without the client's dependencies.
package spec

import (
	"fmt"
	"net/url"

	"github.com/switchboard-dev/switchboard/shared/contract/toolspec"
)

// Tool is the tool's name in the configuration (connectors.payments: stripe).
const Tool = "stripe"

// Config is the connectors.stripe section (docs/connectors/stripe.md).
type Config struct {
	// SecretID names the secret holding the restricted or secret API key under the
	// key "api_key" (default "switchboard/stripe"). A read-only restricted key
	// (rk_…) with PaymentIntents and Customers read access is enough.
	SecretID string `yaml:"secret_id"`
	// BaseURL overrides Stripe's API URL: stripe-mock locally and in tests.
	BaseURL string `yaml:"base_url"`
	// OrderMetadataKey is the PaymentIntent metadata key holding the merchant's order
	// number, searched when a user gives an order number (default "order_number").
	OrderMetadataKey string `yaml:"order_metadata_key"`
	// MaxCustomers caps how many Stripe customers sharing one email are read when
	// listing recent payments (default 5).
	MaxCustomers int `yaml:"max_customers"`
}

// ApplyDefaults fills the zero fields.
func (s *Config) ApplyDefaults() {
	if s.SecretID == "" {
		s.SecretID = "switchboard/stripe"
	}
	if s.OrderMetadataKey == "" {
		s.OrderMetadataKey = "order_number"
	}
	if s.MaxCustomers == 0 {
		s.MaxCustomers = 5
	}
}

// Validate checks the section; config.Load calls it when payments=stripe.
func (s *Config) Validate() error {
	if s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("config: connectors.stripe.base_url: %q is not an absolute http(s) URL", s.BaseURL)
		}
	}
	if s.MaxCustomers < 1 {
		return fmt.Errorf("config: connectors.stripe.max_customers: %d, want at least 1", s.MaxCustomers)
	}
	return nil
}

// ToolSpec is what shared/config knows of the tool.
var ToolSpec = toolspec.Spec{
	Name:         Tool,
	Capabilities: []string{toolspec.CapPayments},
	NewSection:   func() toolspec.Section { return &Config{} },
	SecretKey:    "secret_id",
	// Live mode: 100 operations per second; Search API (order-number lookup)
	// 20 reads per second. The limiter spends a token per request (recent
	// payments usually makes two).
	Resilience: toolspec.Resilience{Rate: 20, Burst: 20, MaxInFlight: 20},
}

func init() { toolspec.Register(ToolSpec) }
