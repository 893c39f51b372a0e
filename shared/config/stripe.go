package config

import (
	"fmt"
	"net/url"
)

// Stripe configures the Stripe connector (payments=stripe).
type Stripe struct {
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

func (s *Stripe) applyDefaults() {
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

// Validate checks the Stripe section; Connectors.validate calls it when payments=stripe.
func (s Stripe) Validate() error {
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
