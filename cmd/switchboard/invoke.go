package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

func invoke(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	plat := fs.String("platform", "", platformNames())
	cfgPath := fs.String("config", "", "configuration file (YAML); empty = embedded default")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	p, known := platformNamed(*plat, stderr)
	if !known || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: switchboard invoke --platform "+platformNames()+" FILE|-")
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

// platformNames are the platforms as the CLI names them (invoke and platform-config
// alike): their canonical names, the URL path segments.
func platformNames() string { return strings.Join(names.List(), "|") }

// platformNamed reads a platform as the CLI takes it: a canonical name, or an older
// spelling (dialogflow-es for dialogflow), accepted until the next release with a note
// on stderr.
func platformNamed(name string, stderr io.Writer) (conversation.Platform, bool) {
	s, old, ok := names.Resolve(name)
	if !ok {
		return "", false
	}
	if old {
		fmt.Fprintf(stderr, "switchboard: --platform %s is the older name of %s; it is accepted until the next release\n", name, s.Name)
	}
	return conversation.Platform(s.Name), true
}
