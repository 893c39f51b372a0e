// Command switchboard runs Switchboard locally: `serve` hosts the webhooks over HTTP,
// `invoke` runs one event file through the handlers, `check` proves each configured
// business tool is reachable with its credentials.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/switchboard-dev/switchboard/shared/connector/all"    // serve, check and invoke link every tool
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers" // and answer every intent
)

const usage = `usage: switchboard <command> [flags]

commands:
  serve   [--addr 127.0.0.1:8080] [--config FILE]   serve the webhooks over HTTP
  invoke  --platform P [--config FILE] FILE|-        run one webhook event, print the response
  check   [--config FILE] [--env-file F [--stage S]] [--lex-bot EXPORT] [--json]
                                                     authenticate to each configured tool; validate a deployment file; read a Lex bot export
  platform-config --platform P --stack-outputs FILE  the values to paste into a platform's console
  token   --email E [--ttl 10m] [--key-file F]       print an identity token (demo key by default)
  outbox  [-n 5] [--config FILE]                     print the latest one-time codes (local outbox)
  reset   [--config FILE]                            remove the local demo state (demo tickets, stored replies, codes and their limits)
  chat    [--platform lex] [--language en] [--url URL] a conversation in the terminal (/help inside)
  mcp     [--config FILE] [--identity-token-file F]  the tool API's MCP server on stdio (for a local MCP client)
  replay  [--platform P] [--url URL] [--json] FILE   send recorded requests (a console export, an events/ file), show reply and trace

serve also hosts the conversation console at http://127.0.0.1:8080/console (loopback;
elsewhere behind a platform's webhook credentials).

With no --config, Switchboard uses its embedded default: the demo backend and an
embedded store under ./.switchboard/. SWITCHBOARD_* environment variables override
the file (see README).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "invoke":
		return invoke(ctx, args[1:], stdin, stdout, stderr)
	case "platform-config":
		return platformConfig(args[1:], stdout, stderr)
	case "check":
		return check(ctx, args[1:], stdout, stderr)
	case "token":
		return token(ctx, args[1:], stdout, stderr)
	case "outbox":
		return outbox(ctx, args[1:], stdout, stderr)
	case "reset":
		return reset(ctx, args[1:], stdout, stderr)
	case "chat":
		return chat(ctx, args[1:], stdin, stdout, stderr)
	case "mcp":
		return mcpStdio(ctx, args[1:], stdin, stdout, stderr)
	case "replay":
		return replay(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "switchboard: unknown command %q\n\n%s", args[0], usage)
	return 2
}
