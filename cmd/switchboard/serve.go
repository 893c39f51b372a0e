package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/console"
	"github.com/switchboard-dev/switchboard/shared/gctune"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi/toolmcp"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "listen address (default from config, 127.0.0.1:8080)")
	cfgPath := fs.String("config", "", "configuration file (YAML); empty = embedded default")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// Without -config: the embedded demo, which says auth: none by name. A file without
	// security settings refuses webhook calls.
	load := func() (config.Config, error) { return config.Load(*cfgPath, nil) }
	if *cfgPath == "" {
		load = func() (config.Config, error) { return config.LoadEmbedded(nil) }
	}
	cfg, err := load()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *addr != "" {
		cfg.Server.Addr = *addr
	}
	gc := gctune.WithBudget(gctune.Apply(os.Getenv), cfg.Security.InflightBytes)
	// Logs go to stderr; EMF documents (telemetry.emf: on) and spans (telemetry.tracing:
	// stdout) to stdout.
	tel, err := telemetry.New(cfg.Service, telemetry.Settings(cfg.Telemetry), telemetry.Options{Logs: stderr, EMF: stdout, Traces: stdout})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer tel.Shutdown(context.Background())
	logger := tel.Logger
	a, err := app.Build(ctx, cfg, app.Options{Logger: logger, Telemetry: tel})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer a.Close()
	if g := a.Engine.Guard(); g != nil {
		// After a burst of large bodies, hand the memory back rather than keep it
		// until the scavenger gets to it (at most every few seconds).
		g.Budget.OnDrained(freeOSMemory())
	}
	con := console.Handler(console.Options{Engine: a.Engine, Settings: consoleSettings(cfg), Logger: logger})
	// The tool API's MCP server (streamable HTTP), behind the tool API's credentials.
	mcpH := toolmcp.Handler(toolmcp.Options{Gate: server.Gate{Door: server.Door{Engine: a.Engine, MaxBody: cfg.Server.MaxBodyBytes}}})
	h := server.Handler(a.Engine, server.Options{
		MaxBodyBytes: cfg.Server.MaxBodyBytes,
		Logger:       logger,
		Routes:       adapters.Routes(wiring.Adapters(cfg)),
		Names:        cfg.Intents.Names,
		// The conversation console: on loopback, or with a platform's webhook credentials.
		Extra: map[string]http.Handler{"GET /metrics": tel.MetricsHandler(), console.Prefix: con, console.Prefix + "/": con, toolmcp.Path: mcpH},
	})
	h = tel.Middleware(h)
	err = server.Serve(ctx, cfg.Server.Addr, h, 10*time.Second, func(l net.Addr) {
		logger.Info("switchboard serving", slog.String("addr", l.String()),
			slog.String("customers", cfg.Connectors.Customers), slog.String("tickets", cfg.Connectors.Tickets),
			slog.String("payments", cfg.Connectors.Payments), slog.String("kb", cfg.Connectors.KB),
			slog.Int("gogc", gc.GCPercent), slog.String("gogc_from", gc.GCPercentFrom),
			slog.Int64("gomemlimit", gc.MemoryLimit), slog.String("gomemlimit_from", gc.MemoryLimitFrom))
		fmt.Fprintf(stdout, "switchboard listening on http://%s (%s; console at http://%s%s)\n", l, routesLine(names.All()), l, console.Prefix)
		if open := cfg.Security.Open(); len(open) > 0 && !loopback(l) {
			logger.Warn("webhooks reachable beyond this machine answer without credentials (auth: none); set security.<platform>.method",
				slog.Any("platforms", open))
		}
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// freeOSMemory returns memory to the OS in the background, at most once per 5 s; a
// call inside that window runs once when it ends, so the last burst is always handed
// back.
func freeOSMemory() func() {
	var mu sync.Mutex
	var last time.Time
	pending := false
	var run func()
	run = func() {
		mu.Lock()
		if wait := 5*time.Second - time.Since(last); wait > 0 {
			if !pending {
				pending = true
				time.AfterFunc(wait, func() { mu.Lock(); pending = false; mu.Unlock(); run() })
			}
			mu.Unlock()
			return
		}
		last = time.Now()
		mu.Unlock()
		go debug.FreeOSMemory()
	}
	return run
}

// loopback reports whether the server listens on a loopback address only.
func loopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// routesLine says where the platforms are answered, from the registry: the webhooks
// under /webhooks/<name>, then each platform served at routes of its own (the tool
// API) by its title and paths.
func routesLine(specs []names.Spec) string {
	var hooks, own []string
	for _, sp := range specs {
		if len(sp.APIRoutes) == 0 {
			hooks = append(hooks, sp.Name)
			continue
		}
		var paths []string
		for _, r := range sp.APIRoutes {
			_, path, _ := strings.Cut(r, " ")
			if !slices.Contains(paths, path) {
				paths = append(paths, path)
			}
		}
		own = append(own, sp.Title+" at "+strings.Join(paths, ", "))
	}
	parts := []string{"webhooks under " + names.PathPrefix + "{" + strings.Join(hooks, ",") + "}"}
	return strings.Join(append(parts, own...), "; ")
}
