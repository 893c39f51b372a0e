package registry

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// buildMore builds the tools whose packages are wired as they land.
func buildMore(_ context.Context, name string, _ config.Config, _ secrets.Provider, _ Options, _ *slog.Logger) (built, error) {
	return built{}, fmt.Errorf("tool %q is not available in this build", name)
}
