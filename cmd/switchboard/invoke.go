package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
)

func invoke(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	plat := fs.String("platform", "", "dialogflow-es | dialogflow-cx | lex | rasa (dialogflow is accepted for dialogflow-es)")
	cfgPath := fs.String("config", "", "configuration file (YAML); empty = embedded default")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	p, known := platformNamed(*plat)
	if !known || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: switchboard invoke --platform "+platformNames+" FILE|-")
		return 2
	}
	var body []byte
	var err error
	if fs.Arg(0) == "-" {
		body, err = io.ReadAll(stdin)
	} else {
		body, err = os.ReadFile(fs.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	a, err := app.Build(ctx, cfg, app.Options{Logger: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer a.Close()
	resp := a.Engine.Serve(ctx, p, body)
	fmt.Fprintf(stdout, "%s\n", resp.Body)
	if resp.Status >= 400 {
		fmt.Fprintf(stderr, "HTTP %d\n", resp.Status)
		return 1
	}
	return 0
}

// platformNames are the platforms as the CLI names them in its output (invoke and
// platform-config alike): Dialogflow ES is "dialogflow-es", never a bare "dialogflow".
const platformNames = "dialogflow-es|dialogflow-cx|lex|rasa"

// platformNamed reads a platform as the CLI takes it: the canonical names of
// platformNames, and "dialogflow", the older name of dialogflow-es, still accepted.
func platformNamed(name string) (conversation.Platform, bool) {
	if name == "dialogflow-es" {
		return conversation.DialogflowES, true
	}
	for _, k := range conversation.Platforms {
		if string(k) == name {
			return k, true
		}
	}
	return "", false
}
