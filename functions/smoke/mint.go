package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// minter signs the smoke customer in with the deployment's identity token key
// (identity.token.secret_id, read from Secrets Manager), as the site would; nil when no
// key is configured (a JWKS-only deployment: the smoke function has no private key).
func minter(ctx context.Context, log *slog.Logger) (func(context.Context, string) (string, error), error) {
	cfg, err := config.Load("", nil)
	if err != nil {
		return nil, err
	}
	tok := cfg.Identity.Token
	if tok.SecretID == "" {
		return nil, nil
	}
	// Secrets Manager directly (not the connector registry, which the smoke function
	// does not link): the key's secret id is the whole name.
	awsCfg, err := awsenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	sc := cfg.Connectors.Secrets
	p := secrets.NewAWS(secrets.NewSecretsManager(awsCfg, sc.Endpoint), secrets.AWSOptions{Prefix: sc.Prefix, MaxAge: sc.MaxAge, StaleFor: sc.StaleFor, Logger: log})
	return func(ctx context.Context, email string) (string, error) {
		s, err := p.Get(ctx, tok.SecretID)
		if err != nil {
			return "", err
		}
		if len(s["key"]) < identity.MinHMACKey {
			return "", fmt.Errorf("the key in %s is missing or short", tok.SecretID)
		}
		return identity.Mint([]byte(s["key"]), email, "", tok.Issuer, tok.Audience, time.Now(), 5*time.Minute)
	}, nil
}
