package registry

import (
	"context"
	"log/slog"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Secrets builds the provider connectors.secrets describes (secrets.New). The aws
// provider makes no call until a secret is needed.
func Secrets(ctx context.Context, c config.Secrets, log *slog.Logger) (secrets.Provider, error) {
	return secrets.New(ctx, secrets.Options(c), log)
}
