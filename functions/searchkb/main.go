// Command searchkb is the Lambda function answering the search_kb intent for every platform:
// Dialogflow ES/CX and Rasa webhooks through API Gateway (HTTP API, payload 2.0), and
// Lex V2 code hooks invoked directly. It only wires; configuration comes from
// SWITCHBOARD_* environment variables (and SWITCHBOARD_CONFIG, a YAML file, if set).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.Load(os.Getenv("SWITCHBOARD_CONFIG"), nil)
	if err != nil {
		log.Error("config", slog.Any("error", err))
		os.Exit(1)
	}
	if len(cfg.Intents.Enabled) == 0 {
		// Deployed alone, this function still answers only its own intent.
		cfg.Intents.Enabled = []conversation.Intent{conversation.SearchKB}
	}
	// Build connects nothing: clients dial on first use, so init stays cheap.
	a, err := app.Build(context.Background(), cfg, app.Options{Logger: log})
	if err != nil {
		log.Error("build", slog.Any("error", err))
		os.Exit(1)
	}
	lambda.Start(lambdafn.Handler(a.Engine, cfg.Server.MaxBodyBytes))
}
