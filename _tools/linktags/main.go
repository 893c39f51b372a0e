// Command linktags prints, for one deployment, the build tags of each intent
// function's bootstrap that leave out the tools the deployment does not choose
// (settings.LinkTags), for `make build ENV=<name>`. Run from the repository root with
// the context synth gets (cdk.json's, then -c key=value, env=<name> among them):
//
//	go run ./_tools/linktags -c env=example [-c stage=writes] [-c tool.kb=zendesk]
//
// One line per intent function: its directory under functions/, its extra build tags
// (comma-separated, "-" for none) and the tools it links (comma-separated, "-" for
// none). The settings are loaded by synth's own code (settings.Load), so a deployment
// synth refuses fails here with the same message. Arguments other than -c key=value
// (the CDK CLI's own options in CDK_ARGS, for diff and deploy) are skipped.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "linktags:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fileCtx, err := settings.FileContext("cdk.json")
	if err != nil {
		return err
	}
	overrides, err := settings.ParseArgs(contextArgs(args))
	if err != nil {
		return err
	}
	s, err := settings.Load(settings.Sources{Root: ".", Context: fileCtx, Overrides: overrides})
	if err != nil {
		return err
	}
	for _, f := range settings.IntentFunctions {
		fmt.Printf("%s %s %s\n", f.Name, orDash(s.LinkTags(f)), orDash(s.LinkedTools(f)))
	}
	return nil
}

// contextArgs keeps the -c/--context key=value arguments of args.
func contextArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case (a == "-c" || a == "--context") && i+1 < len(args):
			out = append(out, a, args[i+1])
			i++
		case strings.HasPrefix(a, "-c="), strings.HasPrefix(a, "--context="):
			out = append(out, a)
		}
	}
	return out
}

func orDash(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return strings.Join(xs, ",")
}
