// Command infra is Switchboard's CDK app, a module of its own (infra/go.mod) so the
// product never compiles the CDK: run from the repository root (`make synth` and
// cdk.json's "app" build it into build/cdk-app and run it there), it synthesizes the
// stacks into CDK_OUTDIR (cdk.out by `make synth`) without AWS credentials, and the
// pinned CDK CLI (`make diff`/`make deploy`) runs it to deploy them. Settings come from, lowest
// precedence first: cdk.json's "context", the environment file the context key "env"
// names (infra/env/<env>.yaml), the command line's -c key=value (the CDK CLI's, or
// `make synth CDK_ARGS="-c key=value"`), then "stage" as the rollout; see docs/deploy.md.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/infra/stacks"
	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		jsii.Close()
		os.Exit(1)
	}
	jsii.Close()
}

func run(args []string) error {
	fileCtx, err := stacks.FileContext("cdk.json")
	if err != nil {
		return err
	}
	overrides, err := stacks.ParseArgs(args)
	if err != nil {
		return err
	}
	// Run by the CDK CLI, the -c arguments arrive merged with cdk.json's context.
	cli, err := stacks.CLIOverrides(os.Getenv("CDK_CONTEXT_JSON"), fileCtx)
	if err != nil {
		return err
	}
	for k, v := range cli {
		if _, ok := overrides[k]; !ok {
			overrides[k] = v
		}
	}
	// The one loader `switchboard check --env-file` uses too: unknown keys, invalid
	// values and functions that would fail at start are refused here.
	s, err := stacks.LoadSettings(settings.Sources{Root: ".", Context: fileCtx, Overrides: overrides})
	if err != nil {
		return err
	}
	// A bootstrap built for another deployment (make build ENV=…) may lack a tool these
	// settings choose: refused here rather than deployed to fail at start.
	if err := s.CheckBootstraps(); err != nil {
		return err
	}
	var props awscdk.AppProps
	if fileCtx != nil {
		props.Context = &fileCtx
	}
	app := awscdk.NewApp(&props)
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
	asm := app.Synth(nil)
	// Run by the CDK CLI (diff, deploy) the CLI reports; run by `make synth`, say what
	// was synthesized and what comes next.
	if os.Getenv("CDK_CONTEXT_JSON") == "" {
		templates := map[string]map[string]any{}
		for _, id := range stacks.StackIDs {
			name := s.Prefix + "-" + id
			raw, err := json.Marshal(asm.GetStackByName(jsii.String(name)).Template())
			if err != nil {
				return err
			}
			var tpl map[string]any
			if err := json.Unmarshal(raw, &tpl); err != nil {
				return err
			}
			templates[name] = tpl
		}
		fmt.Print(stacks.Summary(s, templates))
		fmt.Printf("Templates in %s/. Next: switchboard check --env-file <file> (the tools and secrets), then make diff / make deploy (AWS credentials).\n", *asm.Directory())
	}
	return nil
}
