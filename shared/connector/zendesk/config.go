package zendesk

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/spec"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Tool is the tool's name in the configuration (spec.Tool).
const Tool = spec.Tool

// Config is the connectors.zendesk section (spec.Config, which the CDK app reads
// without linking this connector).
type Config = spec.Config

// Auth methods of the auth key (spec's).
const (
	AuthAPIToken = spec.AuthAPIToken
	AuthOAuth    = spec.AuthOAuth
)

func init() {
	registry.Register(registry.Connector{
		ToolSpec: spec.ToolSpec,
		Build: func(_ context.Context, in registry.BuildInput) (registry.Built, error) {
			c, err := FromConfig(registry.SectionOf[Config](in), in.Secrets, in.HTTPClient, in.Logger)
			if err != nil {
				return registry.Built{}, err
			}
			return registry.Built{Client: c, AuthMethod: c.AuthMethod()}, nil
		},
		AuthMethod: func(in registry.BuildInput) string {
			if registry.SectionOf[Config](in).Auth == AuthOAuth {
				return httpauth.NameBearer
			}
			return httpauth.NameBasic
		},
	})
}

// FromConfig builds a Client from the connectors.zendesk section, reading credentials
// from p: email and api_token for auth api_token, access_token for auth oauth. hc and
// log may be nil.
func FromConfig(z Config, p secrets.Provider, hc *http.Client, log *slog.Logger) (*Client, error) {
	if err := z.Validate(); err != nil {
		return nil, err
	}
	var auth httpauth.Method
	switch z.Auth {
	case AuthAPIToken:
		auth = httpauth.BasicAuth(p, z.SecretID, "email", "api_token").WithUser(APITokenUser)
	case AuthOAuth:
		auth = httpauth.Bearer(p, z.SecretID, "access_token")
	default:
		return nil, fmt.Errorf("zendesk: unknown auth %q", z.Auth)
	}
	return New(Options{
		BaseURL:    z.URL(),
		Auth:       auth,
		HTTPClient: hc,
		Locale:     z.Locale,
		PageSize:   z.PageSize,
		MaxPages:   z.MaxPages,
		RequestURL: z.RequestURL,
		Tags:       z.Tags,
		LinkHosts:  z.LinkHosts,
		Logger:     log,
	})
}
