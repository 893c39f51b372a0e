// Command router is the single Lambda entry for Lex V2 (one code hook per bot locale),
// the Dialogflow ES agent webhook and the Rasa action endpoint: it forwards each event
// to the `live` alias of its intent's function (SWITCHBOARD_ROUTE_<INTENT>) and returns
// the answer verbatim. AWS_ENDPOINT_URL_LAMBDA points it at another Lambda endpoint.
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
)

func main() {
	gctune.Apply(os.Getenv)
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.Load(os.Getenv("SWITCHBOARD_CONFIG"), nil)
	if err != nil {
		log.Error("config", slog.Any("error", err))
		os.Exit(1)
	}
	// Reads the environment only; credentials are fetched on the first invoke.
	ac, err := awsenv.Load(context.Background())
	if err != nil {
		log.Error("aws config", slog.Any("error", err))
		os.Exit(1)
	}
	r, err := router.New(cfg, router.Options{Routes: router.RoutesFromEnv(nil), AWSConfig: &ac, Logger: log})
	if err != nil {
		log.Error("router", slog.Any("error", err))
		os.Exit(1)
	}
	lambda.Start(r.Handle)
}
