package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi/toolmcp"
	"github.com/switchboard-dev/switchboard/shared/server"
)

// mcpStdio serves the tool API's MCP server on stdin/stdout for a local MCP client
// (a desktop assistant, an IDE). The local user is the caller: their identity token
// comes from --identity-token-file (or --identity-token), never from a tool argument.
// Logs go to stderr; stdout carries only the protocol.
func mcpStdio(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "configuration file (YAML); empty = embedded default")
	tokFile := fs.String("identity-token-file", "", "file holding the end user's identity token (a JWT)")
	tok := fs.String("identity-token", "", "the end user's identity token (prefer --identity-token-file: flags show in process lists)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return 2
	}
	if *tokFile != "" && *tok != "" {
		fmt.Fprintln(stderr, "mcp: give --identity-token-file or --identity-token, not both")
		return 2
	}
	identityToken := *tok
	if *tokFile != "" {
		b, err := os.ReadFile(*tokFile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		identityToken = toolmcp.TokenFromFile(b)
	}
	load := func() (config.Config, error) { return config.Load(*cfgPath, nil) }
	if *cfgPath == "" {
		load = func() (config.Config, error) { return config.LoadEmbedded(nil) }
	}
	cfg, err := load()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	a, err := app.Build(ctx, cfg, app.Options{Logger: logger})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer a.Close()
	gate := server.Gate{Door: server.Door{Engine: a.Engine, MaxBody: cfg.Server.MaxBodyBytes}}
	srv := toolmcp.NewServer(toolmcp.Options{Gate: gate, IdentityToken: identityToken})
	t := &mcp.IOTransport{Reader: io.NopCloser(stdin), Writer: nopWriteCloser{stdout}}
	if err := srv.Run(ctx, t); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) && !errors.Is(err, mcp.ErrConnectionClosed) {
		fmt.Fprintln(stderr, "mcp:", err)
		return 1
	}
	return 0
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
