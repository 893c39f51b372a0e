package registry

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// buildMore builds the CRM connectors.
func buildMore(_ context.Context, name string, cfg config.Config, p secrets.Provider, o Options, log *slog.Logger) (built, error) {
	c := cfg.Connectors
	switch name {
	case config.ToolSalesforce:
		s := c.Salesforce
		sf, err := salesforce.New(salesforce.Options{
			Secrets:     p,
			SecretID:    s.SecretID,
			LoginURL:    s.LoginURL,
			InstanceURL: s.InstanceURL,
			APIVersion:  s.APIVersion,
			HTTPClient:  o.HTTPClient,
			PlanField:   s.PlanField,
			StatusField: s.StatusField,
			BatchSize:   s.BatchSize,
			MaxRecords:  s.MaxRecords,
			Logger:      log,
		})
		if err != nil {
			return built{}, err
		}
		return built{impl: sf, auth: sf.AuthMethod()}, nil
	case config.ToolHubSpot:
		h := c.HubSpot
		hs, err := hubspot.New(hubspot.Options{
			Secrets:        p,
			SecretID:       h.SecretID,
			BaseURL:        h.BaseURL,
			HTTPClient:     o.HTTPClient,
			PlanProperty:   h.PlanProperty,
			StatusProperty: h.StatusProperty,
			PageSize:       h.PageSize,
			MaxResults:     h.MaxResults,
			Logger:         log,
		})
		if err != nil {
			return built{}, err
		}
		return built{impl: hs, auth: hs.AuthMethod()}, nil
	}
	return built{}, fmt.Errorf("unknown tool %q", name)
}
