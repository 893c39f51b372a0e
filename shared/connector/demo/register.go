package demo

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/switchboard-dev/switchboard/shared/connector/registry"
)

// The demo backend serves every capability from <data_dir>/demo.db. It has no section
// and no secret; Lambda functions do not import this package, so a deployed function
// can never answer from demo data.
func init() {
	registry.Register(registry.Connector{
		ToolSpec: registry.ToolSpec{
			Name:         Tool,
			Capabilities: []string{registry.CapCustomers, registry.CapTickets, registry.CapPayments, registry.CapKB},
			// Local SQLite: nothing to protect, nothing worth retrying.
			Resilience: registry.Resilience{MaxAttempts: 1, Rate: -1, MaxInFlight: -1},
		},
		Build: func(ctx context.Context, in registry.BuildInput) (registry.Built, error) {
			path := filepath.Join(in.DataDir, "demo.db")
			b, err := Open(ctx, path)
			if err != nil {
				return registry.Built{}, fmt.Errorf("demo backend at %s: %w", path, err)
			}
			return registry.Built{Client: b, AuthMethod: "none", Close: b.Close}, nil
		},
		AuthMethod: func(registry.BuildInput) string { return "none" },
	})
}
