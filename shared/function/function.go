// Package function is the main of every intent Lambda function: functions/<fn>/main.go
// calls Main with its intent and nothing else.
package function

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/gctune"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

// Main is the whole main of an intent function: configuration from SWITCHBOARD_*
// variables (and the YAML file SWITCHBOARD_CONFIG names, if any), telemetry (JSON logs
// with redaction, EMF metrics after every turn, X-Ray-propagated spans), the wired app,
// then lambda.Start. The GC gets gctune's defaults unless GOGC/GOMEMLIMIT are set. It makes no network call before the first invocation.
func Main(intent conversation.Intent) {
	gctune.Apply(os.Getenv)
	boot := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.Load(os.Getenv("SWITCHBOARD_CONFIG"), nil)
	if err != nil {
		boot.Error("config", slog.Any("error", err))
		os.Exit(1)
	}
	if len(cfg.Intents.Enabled) == 0 {
		// Deployed alone, the function still answers only its own intent: a request
		// routed here by mistake gets a polite "not here", not another intent run with
		// this function's secrets.
		cfg.Intents.Enabled = []conversation.Intent{intent}
	}
	tel, err := telemetry.New(cfg, telemetry.Options{})
	if err != nil {
		boot.Error("telemetry", slog.Any("error", err))
		os.Exit(1)
	}
	a, err := app.Build(context.Background(), cfg, app.Options{Telemetry: tel})
	if err != nil {
		tel.Logger.Error("build", slog.Any("error", err))
		os.Exit(1)
	}
	lambda.Start(lambdafn.Handler(a.Engine, cfg.Server.MaxBodyBytes))
}
