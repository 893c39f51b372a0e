// Command smoke holds known conversations with Switchboard's functions. As a CodeDeploy
// BeforeAllowTraffic hook it sends each platform's sample event of the intent being
// deployed to the new version (SWITCHBOARD_SMOKE_TARGETS), checks every reply, and
// reports Succeeded or Failed with PutLifecycleEventHookExecutionStatus; on the
// synthetic schedule ({"switchboard":"synthetic"}) it does the same against the `live`
// aliases and writes SyntheticSuccess/SyntheticLatency. See shared/smoke and
// docs/deploy.md. AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL_CODEDEPLOY point it at
// other endpoints.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/smoke"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	targets, err := smoke.ParseTargets(os.Getenv(smoke.EnvTargets))
	if err != nil {
		log.Error("smoke targets", slog.Any("error", err))
		os.Exit(1)
	}
	ac, err := awsenv.Load(context.Background())
	if err != nil {
		log.Error("aws config", slog.Any("error", err))
		os.Exit(1)
	}
	// The webhook credentials the functions check (security.*, set by the CDK app).
	cfg, err := config.Load("", nil)
	if err != nil {
		log.Error("config", slog.Any("error", err))
		os.Exit(1)
	}
	sp, err := secrets.New(context.Background(), secrets.Options(cfg.Connectors.Secrets), log)
	if err != nil {
		log.Error("secrets", slog.Any("error", err))
		os.Exit(1)
	}
	mint, err := minter(context.Background(), log)
	if err != nil {
		log.Error("identity token key", slog.Any("error", err))
		os.Exit(1)
	}
	r := &smoke.Runner{
		Auth:       &smoke.WebhookAuth{Webhooks: wiring.Webhooks(cfg.Security), Secrets: sp},
		Mint:       mint,
		Lambda:     awslambda.NewFromConfig(ac),
		CodeDeploy: codedeploy.NewFromConfig(ac),
		Targets:    targets,
		Profile:    smoke.ProfileFromEnv(os.Getenv),
		Service:    os.Getenv(smoke.EnvService),
		Metrics:    os.Stdout,
		Log:        log,
	}
	lambda.Start(r.Handle)
}
