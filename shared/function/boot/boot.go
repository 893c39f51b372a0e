// Package boot is the boot sequence of every Lambda function, the router included:
// the GC's defaults, configuration, telemetry, the function's own wiring, then
// lambda.Start. It links only what that needs (no intent, tool or store), so the
// router stays small.
package boot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/gctune"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

// Handler is a function's Lambda handler: the raw event in, the response out.
type Handler = func(ctx context.Context, event json.RawMessage) (any, error)

// Function is what differs between functions.
type Function struct {
	// Configure adjusts the loaded configuration before anything is built from it
	// (nil: nothing to adjust).
	Configure func(*config.Config)
	// Build wires the function from its configuration and telemetry. It must make no
	// network call: credentials and secrets are fetched on the first invocation.
	Build func(ctx context.Context, cfg config.Config, tel *telemetry.Telemetry) (Handler, error)
}

// Main runs f: gctune's GC defaults unless GOGC/GOMEMLIMIT are set, configuration from
// SWITCHBOARD_* variables (and the YAML file SWITCHBOARD_CONFIG names, if any),
// telemetry (JSON logs with redaction, EMF metrics, X-Ray-propagated spans), f's
// handler, then lambda.Start. A failure at any step is logged and exits 1 (Lambda
// reports an init error).
func Main(f Function) {
	h, log, err := Init(os.Getenv, f)
	if err != nil {
		log.Error("init", slog.Any("error", err))
		os.Exit(1)
	}
	lambda.Start(Raw(h))
}

// Raw is h as the Lambda runtime calls it, bytes in and bytes out (lambda.Handler):
// the event is handed to h as it arrived, and h's answer encoded as aws-lambda-go's
// own encoder writes it (no HTML escaping). aws-lambda-go given h itself would decode
// the event into a json.RawMessage first (a second full read of every event) and call
// h through reflection: BenchmarkRouted measures the difference.
func Raw(h Handler) lambda.Handler { return rawHandler{h} }

type rawHandler struct{ h Handler }

func (r rawHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	// Lambda's Invoke API accepts only JSON payloads; the handler decodes the event
	// (and answers an event it cannot read) itself. A copy: work a turn leaves running after its reply (the engine answers at the
	// platform's deadline) must never read a buffer the runtime may reuse.
	out, err := r.h(ctx, bytes.Clone(payload))
	if err != nil {
		return nil, err
	}
	if b, ok := out.(json.RawMessage); ok {
		return b, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Init is Main up to lambda.Start: the handler, or the error and the logger to report
// it with.
func Init(getenv func(string) string, f Function) (Handler, *slog.Logger, error) {
	gctune.Apply(getenv)
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.Load(getenv("SWITCHBOARD_CONFIG"), nil)
	if err != nil {
		return nil, log, err
	}
	if f.Configure != nil {
		f.Configure(&cfg)
	}
	// Closed by default: on AWS the ids in logs and audit events are hashed with a
	// private key (the CDK app generates one), never the public default, unless that is
	// asked for by name.
	if cfg.HashSaltIsPublic() {
		if !cfg.Telemetry.PublicHashSalt {
			return nil, log, errors.New("telemetry.hash_salt (SWITCHBOARD_TELEMETRY_HASH_SALT) is the public default, " +
				"so ids hashed in logs and audit events could be reversed by guessing: set a private value " +
				"(the CDK app generates one), or set telemetry.public_hash_salt to accept the public default")
		}
		log.Warn("telemetry: hashing ids with the public default hash_salt (telemetry.public_hash_salt): they can be reversed by guessing")
	}
	tel, err := telemetry.New(cfg.Service, telemetry.Settings(cfg.Telemetry), telemetry.Options{})
	if err != nil {
		return nil, log, err
	}
	h, err := f.Build(context.Background(), cfg, tel)
	if err != nil {
		return nil, tel.Logger, err
	}
	// An invocation's log lines and EMF documents reach stdout in one write, before
	// the reply (telemetry.PerInvocation).
	return tel.PerInvocation(h), tel.Logger, nil
}
