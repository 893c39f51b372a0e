package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/intents"
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
	closers   []func() error
}

// Options adjust Build.
type Options struct {
	Logger *slog.Logger
	// Telemetry, when set, supplies the logger (unless Logger is set) and observes
	// every turn (the engine's TurnHook).
	Telemetry *telemetry.Telemetry
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
	deps := intents.Deps{SupportEmail: cfg.SupportEmail}
	if err := a.connectors(ctx, &deps); err != nil {
		a.Close()
		return nil, err
	}
	eo := engine.Options{Logger: a.Logger, Adapters: DefaultAdapters(cfg)}
	if o.Telemetry != nil {
		eo.Hook = o.Telemetry
	}
	a.Engine = engine.New(cfg, intents.New(deps), eo)
	return a, nil
}

func (a *App) connectors(ctx context.Context, d *intents.Deps) error {
	c := a.Config.Connectors
	if c.Customers == "demo" || c.Tickets == "demo" || c.Payments == "demo" || c.KB == "demo" {
		path := filepath.Join(a.Config.DataDir, "demo.db")
		b, err := demo.Open(ctx, path)
		if err != nil {
			return fmt.Errorf("demo backend at %s: %w", path, err)
		}
		a.closers = append(a.closers, b.Close)
		if c.Customers == "demo" {
			d.Customers = b
		}
		if c.Tickets == "demo" {
			d.Tickets = b
		}
		if c.Payments == "demo" {
			d.Payments = b
		}
		if c.KB == "demo" {
			d.KB = b
		}
	}
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
