package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

// App is a wired Switchboard.
type App struct {
	Config config.Config
	Engine *engine.Engine
	Logger *slog.Logger
	// Telemetry is Options.Telemetry: pass it as resilience.Options.Observer (and to
	// caches as a telemetry.CacheObserver) so every outbound call is logged, counted
	// and traced. Nil when Build was given none.
	Telemetry *telemetry.Telemetry
	// Policies holds the resilience policy of every business tool in use (breaker
	// state and counters for `switchboard check` and metrics).
	Policies *resilience.Set
	secrets  secrets.Provider
	closers  []func() error
}

// Options adjust Build.
type Options struct {
	Logger *slog.Logger
	// Telemetry, when set, supplies the logger (unless Logger is set) and observes
	// every turn (the engine's TurnHook).
	Telemetry *telemetry.Telemetry
	// Secrets overrides the credentials provider built from connectors.secrets.
	Secrets secrets.Provider
}

// Build wires the configured stack. It makes no network calls: clients connect on
// first use, so a Lambda's init stays cheap.
func Build(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	a := &App{Config: cfg, Logger: o.Logger, Telemetry: o.Telemetry}
	if a.Logger == nil && o.Telemetry != nil {
		a.Logger = o.Telemetry.Logger
	}
	if a.Logger == nil {
		a.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if err := handled(cfg); err != nil {
		return nil, err
	}
	deps := intents.Deps{SupportEmail: cfg.SupportEmail, Log: a.Logger}
	if err := a.connectors(ctx, &deps, o.Secrets); err != nil {
		a.Close()
		return nil, err
	}
	wrap, err := a.protect(ctx, &deps)
	if err != nil {
		a.Close()
		return nil, err
	}
	guard, err := security.NewGuard(wiring.Security(cfg.Security), a.secrets)
	if err != nil {
		a.Close()
		return nil, err
	}
	eo := engine.Options{Logger: a.Logger, Adapters: adapters.Default(wiring.Adapters(cfg)), Guard: guard}
	if o.Telemetry != nil {
		eo.Hook = o.Telemetry
	}
	a.Engine = engine.New(wiring.Engine(cfg), wrap(intents.New(deps)), eo)
	return a, nil
}

// handled refuses a configuration that enables an intent whose handler the binary does
// not link (an intent function links its own, shared/intents/<name>/handler;
// `switchboard serve` every one, shared/intents/handlers): its every turn would be
// answered "unknown intent".
func handled(cfg config.Config) error {
	for _, in := range spec.All() {
		name := conversation.Intent(in.Name)
		if !cfg.Intents.IsEnabled(name) {
			continue
		}
		if err := intents.Linked(name); err != nil {
			return fmt.Errorf("app: %s is enabled (intents.enabled) but not answered here: %w", name, err)
		}
	}
	return nil
}

// connectors builds the configured business-tool connectors (shared/connector/registry).
func (a *App) connectors(ctx context.Context, d *intents.Deps, p secrets.Provider) error {
	if p == nil {
		var err error
		if p, err = registry.Secrets(ctx, a.Config.Connectors.Secrets, a.Logger); err != nil {
			return fmt.Errorf("connectors: %w", err)
		}
	}
	if a.Telemetry != nil {
		// Every credential handed out — tool keys, webhook secrets, signing keys — is
		// cut out of every log line from then on.
		p = secrets.Observe(p, func(s secrets.Secret) { a.Telemetry.Redactor.AddSecrets(s) })
	}
	set, err := registry.Build(ctx, a.Config, registry.Options{Secrets: p, Logger: a.Logger})
	if err != nil {
		return fmt.Errorf("connectors: %w", err)
	}
	a.closers = append(a.closers, set.Close)
	d.Customers, d.Tickets, d.Payments, d.KB = set.Customers, set.Tickets, set.Payments, set.KB
	a.secrets = set.Secrets
	return nil
}

// Close releases what Build opened.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
