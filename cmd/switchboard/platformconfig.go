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
	platform := fs.String("platform", "", "dialogflow-es, dialogflow-cx, lex or rasa")
	outputs := fs.String("stack-outputs", "", "the JSON file `cdk deploy --outputs-file` wrote (make deploy CDK_ARGS=\"--outputs-file outputs.json\")")
	cfgPath := fs.String("config", "", "configuration file (YAML) with intents.*; empty = the default names")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || *platform == "" || *outputs == "" {
		fmt.Fprintln(stderr, "usage: switchboard platform-config --platform dialogflow-es|dialogflow-cx|lex|rasa --stack-outputs FILE [--config FILE]")
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
	names := func(p conversation.Platform) []string {
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
		case config.AuthToken:
			return fmt.Sprintf("Authentication: query parameter %s=<token of the secret %q> (Rasa endpoints.yml token:)", a.Param, a.Secret)
		}
		return "Authentication: none configured (security." + strings.ReplaceAll(p, "-", "_") + ".method is none)"
	}
	w := stdout
	switch *platform {
	case "dialogflow-es", "dialogflow":
		base, ok := need(outWebhookBaseURL)
		if !ok {
			return 1
		}
		fmt.Fprintf(w, "Fulfillment > Webhook URL: %s/webhooks/dialogflow\n", strings.TrimRight(base, "/"))
		fmt.Fprintln(w, auth("dialogflow"))
		fmt.Fprintln(w, "Intents (turn on \"Enable webhook call for this intent\"):")
		for _, n := range names(conversation.DialogflowES) {
			fmt.Fprintln(w, "  "+n)
		}
	case "dialogflow-cx":
		base, ok := need(outWebhookBaseURL)
		if !ok {
			return 1
		}
		url := strings.TrimRight(base, "/") + "/webhooks/dialogflow-cx"
		fmt.Fprintf(w, "Manage > Webhooks > Webhook URL: %s\n", url)
		fmt.Fprintln(w, auth("dialogflow-cx"))
		fmt.Fprintln(w, "Fulfillment tags (each tag's own URL goes straight to its function):")
		for _, n := range names(conversation.DialogflowCX) {
			tag, _, _ := strings.Cut(n, " -> ")
			fmt.Fprintf(w, "  %s   (%s/%s)\n", n, url, tag)
		}
	case "rasa":
		base, ok := need(outWebhookBaseURL)
		if !ok {
			return 1
		}
		fmt.Fprintln(w, "endpoints.yml:")
		fmt.Fprintf(w, "action_endpoint:\n  url: %q\n", strings.TrimRight(base, "/")+"/webhooks/rasa")
		fmt.Fprintln(w, "# "+auth("rasa"))
		fmt.Fprintln(w, "Custom actions (domain.yml actions:):")
		for _, n := range names(conversation.Rasa) {
			fmt.Fprintln(w, "  "+n)
		}
	case "lex":
		arn, ok := need(outRouterAliasARN)
		if !ok {
			return 1
		}
		fmt.Fprintf(w, "Bot alias > Languages > code hook Lambda: %s (interface version 1.0)\n", arn)
		fmt.Fprintln(w, "Lex may invoke it only from the bot aliases in lexBotAliasArn (infra/env/<name>.yaml).")
		fmt.Fprintln(w, "Intents (turn on fulfillment and dialog code hooks):")
		for _, n := range names(conversation.LexV2) {
			fmt.Fprintln(w, "  "+n)
		}
	default:
		fmt.Fprintf(stderr, "platform-config: unknown platform %q (dialogflow-es, dialogflow-cx, lex, rasa)\n", *platform)
		return 2
	}
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
