// Command router is the single Lambda entry for Lex V2 (one code hook per bot locale),
// the Dialogflow ES agent webhook and the Rasa action endpoint: it checks each HTTP
// webhook call's credentials (security.*), forwards each event to the `live` alias of
// its intent's function (SWITCHBOARD_ROUTE_<INTENT>) and returns the answer verbatim.
// AWS_ENDPOINT_URL_LAMBDA points it at another Lambda endpoint.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/gctune"
	"github.com/switchboard-dev/switchboard/shared/router"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

func main() {
	gctune.Apply(os.Getenv)
	boot := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.Load(os.Getenv("SWITCHBOARD_CONFIG"), nil)
	if err != nil {
		boot.Error("config", slog.Any("error", err))
		os.Exit(1)
	}
	// Logs with redaction, refused_total as EMF.
	tel, err := telemetry.New(cfg, telemetry.Options{})
	if err != nil {
		boot.Error("telemetry", slog.Any("error", err))
		os.Exit(1)
	}
	log := tel.Logger
	// Reads the environment only; credentials are fetched on the first invoke.
	ac, err := awsenv.Load(context.Background())
	if err != nil {
		log.Error("aws config", slog.Any("error", err))
		os.Exit(1)
	}
	p, err := secrets.FromConfig(context.Background(), cfg.Connectors.Secrets, log)
	if err != nil {
		log.Error("secrets", slog.Any("error", err))
		os.Exit(1)
	}
	p = secrets.Observe(p, func(s secrets.Secret) { tel.Redactor.AddSecrets(s) })
	guard, err := security.NewGuard(cfg.Security, p)
	if err != nil {
		log.Error("security", slog.Any("error", err))
		os.Exit(1)
	}
	r, err := router.New(cfg, router.Options{Routes: router.RoutesFromEnv(nil), AWSConfig: &ac, Logger: log,
		Guard: guard, Hook: tel})
	if err != nil {
		log.Error("router", slog.Any("error", err))
		os.Exit(1)
	}
	lambda.Start(r.Handle)
}
