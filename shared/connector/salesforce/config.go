package salesforce

import (
	"context"

	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce/spec"
)

// Tool is the tool's name in the configuration (spec.Tool).
const Tool = spec.Tool

// Config is the connectors.salesforce section (spec.Config, which the CDK app reads
// without linking this connector).
type Config = spec.Config

// The section's defaults and checks (spec's).
const (
	DefaultAPIVersion  = spec.DefaultAPIVersion
	DefaultPlanField   = spec.DefaultPlanField
	DefaultStatusField = spec.DefaultStatusField
	DefaultMaxRecords  = spec.DefaultMaxRecords
	// None, as PlanField or StatusField, reads no field for that value.
	None = spec.None
	// maxBody caps one answer: a 2000-record batch of a dozen short fields is far below.
	maxBody = 8 << 20
)

// ValidAPIVersion reports whether v looks like "v61.0" (spec.ValidAPIVersion).
func ValidAPIVersion(v string) bool { return spec.ValidAPIVersion(v) }

// ValidField reports whether f is a SOQL field reference (spec.ValidField).
func ValidField(f string) bool { return spec.ValidField(f) }

func init() {
	registry.Register(registry.Connector{
		ToolSpec:   spec.ToolSpec,
		Build:      build,
		AuthMethod: func(registry.BuildInput) string { return httpauth.NameOAuth2 },
	})
}

func build(_ context.Context, in registry.BuildInput) (registry.Built, error) {
	s := registry.SectionOf[Config](in)
	c, err := New(Options{
		Secrets:     in.Secrets,
		SecretID:    s.SecretID,
		LoginURL:    s.LoginURL,
		InstanceURL: s.InstanceURL,
		APIVersion:  s.APIVersion,
		HTTPClient:  in.HTTPClient,
		PlanField:   s.PlanField,
		StatusField: s.StatusField,
		BatchSize:   s.BatchSize,
		MaxRecords:  s.MaxRecords,
		Logger:      in.Logger,
	})
	if err != nil {
		return registry.Built{}, err
	}
	return registry.Built{Client: c, AuthMethod: c.AuthMethod()}, nil
}
