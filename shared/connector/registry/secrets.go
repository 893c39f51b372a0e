package registry

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

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
		api := secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) {
			if c.Endpoint != "" {
				o.BaseEndpoint = aws.String(c.Endpoint)
			}
		})
		return secrets.NewAWS(api, secrets.AWSOptions{Prefix: c.Prefix, MaxAge: c.MaxAge, Logger: log}), nil
	}
	return nil, fmt.Errorf("secrets: unknown provider %q", c.Provider)
}
