package hubspot

import (
	"context"

	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/spec"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
)

// Tool is the tool's name in the configuration (spec.Tool).
const Tool = spec.Tool

// Config is the connectors.hubspot section (spec.Config, which the CDK app reads
// without linking this connector).
type Config = spec.Config

// Defaults (spec's).
const (
	DefaultBaseURL        = spec.DefaultBaseURL
	DefaultTokenKey       = spec.DefaultTokenKey
	DefaultPlanProperty   = spec.DefaultPlanProperty
	DefaultStatusProperty = spec.DefaultStatusProperty
	DefaultPageSize       = spec.DefaultPageSize
	DefaultMaxResults     = spec.DefaultMaxResults
	// MaxPageSize is the search endpoint's largest limit.
	MaxPageSize = spec.MaxPageSize
	// None, as PlanProperty or StatusProperty, reads no property for that value.
	None    = spec.None
	maxBody = 8 << 20
)

// ValidProperty reports whether p is a HubSpot property internal name (spec.ValidProperty).
func ValidProperty(p string) bool { return spec.ValidProperty(p) }

func init() {
	registry.Register(registry.Connector{
		ToolSpec:   spec.ToolSpec,
		Build:      build,
		AuthMethod: func(registry.BuildInput) string { return httpauth.NameBearer },
	})
}

func build(_ context.Context, in registry.BuildInput) (registry.Built, error) {
	h := registry.SectionOf[Config](in)
	c, err := New(Options{
		Secrets:        in.Secrets,
		SecretID:       h.SecretID,
		BaseURL:        h.BaseURL,
		HTTPClient:     in.HTTPClient,
		PlanProperty:   h.PlanProperty,
		StatusProperty: h.StatusProperty,
		PageSize:       h.PageSize,
		MaxResults:     h.MaxResults,
		Logger:         in.Logger,
	})
	if err != nil {
		return registry.Built{}, err
	}
	return registry.Built{Client: c, AuthMethod: c.AuthMethod()}, nil
}
