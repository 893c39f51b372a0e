// Package function is the main of every intent Lambda function: functions/<fn>/main.go
// imports its intent's handler (shared/intents/<name>/handler) and calls Main with its
// intent, and nothing else.
package function

import (
	"context"
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/function/boot"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

// Main is the whole main of an intent function: the boot sequence every function
// shares (boot.Main: GC defaults, configuration, telemetry, lambda.Start) with the wired
// app as its handler. It makes no network call before the first invocation, and
// refuses to start when the intent's handler is not linked into the binary.
func Main(intent conversation.Intent) {
	boot.Main(Function(intent))
}

// Function is the intent function of intent, for boot.
func Function(intent conversation.Intent) boot.Function {
	return boot.Function{
		Configure: func(cfg *config.Config) {
			if len(cfg.Intents.Enabled) == 0 {
				// Deployed alone, the function still answers only its own intent: a
				// request routed here by mistake gets a polite "not here", not another
				// intent run with this function's secrets.
				cfg.Intents.Enabled = []conversation.Intent{intent}
			}
		},
		Build: func(ctx context.Context, cfg config.Config, tel *telemetry.Telemetry) (boot.Handler, error) {
			// Its main imports its intent's handler (shared/intents/<name>/handler);
			// without it every turn would be answered "unknown intent".
			if err := intents.Linked(intent); err != nil {
				return nil, fmt.Errorf("function for %s: %w", intent, err)
			}
			a, err := app.Build(ctx, cfg, app.Options{Telemetry: tel})
			if err != nil {
				return nil, err
			}
			return lambdafn.Handler(a.Engine, cfg.Server.MaxBodyBytes), nil
		},
	}
}
