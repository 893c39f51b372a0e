package stripeconn

import (
	"context"

	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/connector/stripe/spec"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Tool is the tool's name in the configuration (spec.Tool).
const Tool = spec.Tool

// Config is the connectors.stripe section (spec.Config, which the CDK app reads
// without linking this connector).
type Config = spec.Config

func init() {
	registry.Register(registry.Connector{
		ToolSpec: spec.ToolSpec,
		Build: func(_ context.Context, in registry.BuildInput) (registry.Built, error) {
			s := registry.SectionOf[Config](in)
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
		AuthMethod: func(registry.BuildInput) string { return httpauth.NameBearer },
	})
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
