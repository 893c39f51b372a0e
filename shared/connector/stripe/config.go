package stripeconn

import (
	"context"
	"fmt"
	"net/url"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/secrets"
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

func init() {
	registry.Register(registry.Connector{
		ToolSpec: config.ToolSpec{
			Name:         Tool,
			Capabilities: []string{config.CapPayments},
			NewSection:   func() config.Section { return &Config{} },
			SecretKey:    "secret_id",
			// Live mode: 100 operations per second; Search API (order-number lookup)
			// 20 reads per second.
			Resilience: config.ToolResilience{Rate: 20, Burst: 20, MaxInFlight: 20},
		},
		Build: func(_ context.Context, in registry.BuildInput) (registry.Built, error) {
			s := config.SectionOf[Config](in.Config.Connectors, Tool)
			c, err := New(Options{
				Key:              KeyFromSecret(in.Secrets, s.SecretID),
				BaseURL:          s.BaseURL,
				HTTPClient:       in.HTTPClient,
				OrderMetadataKey: s.OrderMetadataKey,
				MaxCustomers:     s.MaxCustomers,
				Logger:           in.Logger,
			})
			if err != nil {
				return registry.Built{}, err
			}
			return registry.Built{Client: c, AuthMethod: httpauth.NameBearer}, nil
		},
		AuthMethod: func(config.Config) string { return httpauth.NameBearer },
	})
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

// KeyFromSecret reads Stripe's API key from the "api_key" key of secret id, bypassing
// the cache after Stripe refused the previous key. The connector classifies its
// errors (as unauthorized).
func KeyFromSecret(p secrets.Provider, id string) KeyFunc {
	return func(ctx context.Context, refresh bool) (string, error) {
		get := p.Get
		if refresh {
			get = p.Refresh
		}
		s, err := get(ctx, id)
		if err != nil {
			return "", err
		}
		if s["api_key"] == "" {
			return "", &httpauth.MissingKeyError{SecretID: id, Key: "api_key"}
		}
		return s["api_key"], nil
	}
}
