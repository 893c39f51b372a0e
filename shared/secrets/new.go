package secrets

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
)

// Providers New builds.
const (
	ProviderEnv  = "env"
	ProviderFile = "file"
	ProviderAWS  = "aws"
)

// Options choose and configure a provider (the connectors.secrets section carries the
// same fields; the composition root converts it).
type Options struct {
	// Provider is ProviderEnv (also ""), ProviderFile or ProviderAWS.
	Provider string
	// File is the JSON file of the file provider.
	File string
	// MaxAge is how long a secret is served from memory before it is fetched again.
	MaxAge time.Duration
	// StaleFor is how long past MaxAge the aws provider still serves its cached copy
	// while Secrets Manager cannot be reached (negative: never).
	StaleFor time.Duration
	// Prefix is prepended to every secret id with the aws provider.
	Prefix string
	// Endpoint overrides the Secrets Manager endpoint ("" keeps the SDK's own
	// resolution, which also honours AWS_ENDPOINT_URL).
	Endpoint string
}

// New builds the provider o names. The aws provider takes the AWS configuration
// awsenv.Load finds (the Lambda environment, else the SDK's default chain, with
// awsenv's retryer: a secret is read inside a chat turn's budget) but makes no call
// until a secret is needed.
func New(ctx context.Context, o Options, log *slog.Logger) (Provider, error) {
	switch o.Provider {
	case ProviderEnv, "":
		return NewEnv(nil, o.MaxAge), nil
	case ProviderFile:
		return NewFile(o.File, o.MaxAge), nil
	case ProviderAWS:
		awsCfg, err := awsenv.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("secrets: AWS configuration: %w", err)
		}
		return NewAWS(NewSecretsManager(awsCfg, o.Endpoint), AWSOptions{Prefix: o.Prefix, MaxAge: o.MaxAge, StaleFor: o.StaleFor, Logger: log}), nil
	}
	return nil, fmt.Errorf("secrets: unknown provider %q", o.Provider)
}
