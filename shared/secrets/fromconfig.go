package secrets

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
)

// FromConfig builds the provider connectors.secrets describes, for binaries that read
// secrets without linking any connector (the router and the smoke function read the
// webhook secrets). The aws provider makes no call until a secret is needed.
func FromConfig(ctx context.Context, c config.Secrets, log *slog.Logger) (Provider, error) {
	switch c.Provider {
	case config.SecretsEnv, "":
		return NewEnv(nil, c.MaxAge), nil
	case config.SecretsFile:
		return NewFile(c.File, c.MaxAge), nil
	case config.SecretsAWS:
		awsCfg, err := awsenv.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("secrets: AWS configuration: %w", err)
		}
		return NewAWS(NewSecretsManager(awsCfg, c.Endpoint), AWSOptions{Prefix: c.Prefix, MaxAge: c.MaxAge, StaleFor: c.StaleFor, Logger: log}), nil
	}
	return nil, fmt.Errorf("secrets: unknown provider %q", c.Provider)
}
