package registry

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Secrets builds the provider connectors.secrets describes. The aws provider takes
// the AWS configuration awsenv.Load finds (the Lambda environment, else the SDK's
// default chain) but makes no call until a secret is needed.
func Secrets(ctx context.Context, c config.Secrets, log *slog.Logger) (secrets.Provider, error) {
	switch c.Provider {
	case config.SecretsEnv, "":
		return secrets.NewEnv(nil, c.MaxAge), nil
	case config.SecretsFile:
		return secrets.NewFile(c.File, c.MaxAge), nil
	case config.SecretsAWS:
		awsCfg, err := awsenv.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("secrets: AWS configuration: %w", err)
		}
		// awsenv's retryer: a secret is read inside a chat turn's budget.
		return secrets.NewAWS(secrets.NewSecretsManager(awsCfg, c.Endpoint), secrets.AWSOptions{Prefix: c.Prefix, MaxAge: c.MaxAge, StaleFor: c.StaleFor, Logger: log}), nil
	}
	return nil, fmt.Errorf("secrets: unknown provider %q", c.Provider)
}
