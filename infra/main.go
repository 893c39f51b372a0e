// Command infra is Switchboard's CDK app: `go run ./infra` synthesizes the stacks into
// CDK_OUTDIR (cdk.out by `make synth`) without AWS credentials, and `cdk deploy --app
// cdk.out` deploys them. Settings come from CDK context: cdk.json's "context", then
// CDK_CONTEXT_JSON or the CLI's -c key=value; see docs/deploy.md.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/infra/stacks"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		jsii.Close()
		os.Exit(1)
	}
	jsii.Close()
}

func run() error {
	ctx, err := stacks.FileContext("cdk.json")
	if err != nil {
		return err
	}
	var props awscdk.AppProps
	if ctx != nil {
		props.Context = &ctx
	}
	app := awscdk.NewApp(&props)
	s, err := stacks.SettingsFromContext(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		return err
	}
	// The CDK CLI sets these when it runs the app against an account; `make synth`
	// leaves them unset and the stacks stay environment-agnostic.
	if s.Account == "" {
		s.Account = os.Getenv("CDK_DEFAULT_ACCOUNT")
	}
	if s.Region == "" {
		s.Region = os.Getenv("CDK_DEFAULT_REGION")
	}
	if _, err := stacks.Build(app, s); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}
