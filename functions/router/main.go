// Command router is the single Lambda entry for Lex V2 (one code hook per bot locale),
// the Dialogflow ES agent webhook and the Rasa action endpoint: it admits each call
// (security.*: credentials, size, budget, depth, decoding), hands each routed turn to
// the `live` alias of its intent's function (SWITCHBOARD_ROUTE_<INTENT>) in an internal
// envelope, and returns the answer verbatim. AWS_ENDPOINT_URL_LAMBDA points it at
// another Lambda endpoint. Its boot sequence is every function's (shared/function/boot).
package main

import (
	"context"
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/function/boot"
	"github.com/switchboard-dev/switchboard/shared/router"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

func main() { boot.Main(boot.Function{Build: build}) }

// build wires the router: the ambient AWS configuration (the environment only;
// credentials are fetched on the first invoke), the webhook secrets, the guard.
func build(ctx context.Context, cfg config.Config, tel *telemetry.Telemetry) (boot.Handler, error) {
	ac, err := awsenv.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	p, err := secrets.New(ctx, secrets.Options(cfg.Connectors.Secrets), tel.Logger)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	p = secrets.Observe(p, func(s secrets.Secret) { tel.Redactor.AddSecrets(s) })
	guard, err := security.NewGuard(wiring.Security(cfg.Security), p)
	if err != nil {
		return nil, fmt.Errorf("security: %w", err)
	}
	r, err := router.New(router.Settings{Engine: wiring.Engine(cfg), Adapters: wiring.Adapters(cfg), MaxBodyBytes: cfg.Server.MaxBodyBytes},
		router.Options{Routes: router.RoutesFromEnv(nil), AWSConfig: &ac, Logger: tel.Logger,
			Guard: guard, Hook: tel})
	if err != nil {
		return nil, err
	}
	return r.Handle, nil
}
