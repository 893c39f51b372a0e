package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	sb "github.com/switchboard-dev/switchboard/shared/platform"
	_ "github.com/switchboard-dev/switchboard/shared/platform/adapters" // every platform registers
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// Stack output names (infra/stacks: api.go, functions.go).
const (
	outWebhookBaseURL = "WebhookBaseUrl"
	outRouterAliasARN = "RouterAliasArn"
)

// platformConfig prints, for one platform, the values to paste into its console after
// a deploy: the webhook URL from the stack outputs (`cdk deploy --outputs-file FILE`),
// the intent names or CX tags the deployment answers, Rasa's endpoints.yml, Lex's code
// hook ARN, and how the webhook authenticates.
func platformConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("platform-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	platform := fs.String("platform", "", platformNames())
	outputs := fs.String("stack-outputs", "", "the JSON file `cdk deploy --outputs-file` wrote (make deploy CDK_ARGS=\"--outputs-file outputs.json\")")
	cfgPath := fs.String("config", "", "configuration file (YAML) with intents.*; empty = the default names")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || *platform == "" || *outputs == "" {
		fmt.Fprintln(stderr, "usage: switchboard platform-config --platform "+platformNames()+" --stack-outputs FILE [--config FILE]")
		return 2
	}
	vals, err := readOutputs(*outputs)
	if err != nil {
		fmt.Fprintln(stderr, "platform-config:", err)
		return 1
	}
	cfg, err := config.Load(*cfgPath, []string{})
	if err != nil {
		fmt.Fprintln(stderr, "platform-config:", err)
		return 1
	}
	need := func(key string) (string, bool) {
		v := vals[key]
		if v == "" {
			fmt.Fprintf(stderr, "platform-config: %s has no output %s (is it the outputs file of a Switchboard deploy?)\n", *outputs, key)
			return "", false
		}
		return v, true
	}
	intentNames := func(p conversation.Platform) []string {
		var out []string
		for name, in := range cfg.Intents.Names(p) {
			out = append(out, fmt.Sprintf("%s -> %s", name, in))
		}
		sort.Strings(out)
		return out
	}
	// The credentials themselves stay in the secret: this names where they go.
	auth := func(p string) string {
		a := cfg.Security.WebhookFor(p)
		// A deploy's outputs name the method and secret the functions really check
		// (infra/stacks/webhooks.go); they win over the configuration file.
		if v := vals[config.WebhookAuthOutput(p)]; v != "" {
			if method, secret, ok := strings.Cut(v, " "); ok {
				a.Method, a.Secret = method, secret
			}
		}
		switch a.Method {
		case config.AuthBasic:
			return fmt.Sprintf("Authentication: basic auth, username and password from the secret %q", a.Secret)
		case config.AuthHeader:
			return fmt.Sprintf("Authentication: header %s: <token of the secret %q>", a.Header, a.Secret)
		case config.AuthBearer:
			return fmt.Sprintf("Authentication: header Authorization: Bearer <token of the secret %q>", a.Secret)
		case config.AuthToken:
			return fmt.Sprintf("Authentication: query parameter %s=<token of the secret %q> (Rasa endpoints.yml token:)", a.Param, a.Secret)
		}
		return "Authentication: none configured (security." + p + ".method is none)"
	}
	spec, old, ok := names.Resolve(*platform)
	e, registered := sb.Lookup(conversation.Platform(spec.Name))
	if !ok || !registered {
		fmt.Fprintf(stderr, "platform-config: unknown platform %q (%s)\n", *platform, strings.Join(names.List(), ", "))
		return 2
	}
	if old {
		fmt.Fprintf(stderr, "platform-config: %q is the older name of %s; it is accepted until the next release\n", *platform, spec.Name)
	}
	in := sb.SetupInfo{Auth: auth(spec.Name), Intents: intentNames(e.Platform())}
	if e.HTTP {
		base, ok := need(outWebhookBaseURL)
		if !ok {
			return 1
		}
		in.BaseURL = strings.TrimRight(base, "/")
	} else {
		arn, ok := need(outRouterAliasARN)
		if !ok {
			return 1
		}
		in.RouterARN = arn
	}
	e.Setup(stdout, in)
	return 0
}

// readOutputs flattens `cdk deploy --outputs-file` JSON ({stack: {output: value}}).
func readOutputs(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var byStack map[string]map[string]any
	if err := json.Unmarshal(raw, &byStack); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]string{}
	for _, outs := range byStack {
		for k, v := range outs {
			out[k] = fmt.Sprint(v)
		}
	}
	return out, nil
}
