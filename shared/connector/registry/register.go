package registry

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Connector is what a connector package registers from its init: the configuration
// side of its tool (name, capabilities, section, secret key, resilience defaults) and
// how to build a client from that section.
type Connector struct {
	config.ToolSpec
	// Build makes the tool's client. It should make no network call (a Lambda's init
	// stays cheap), except where the tool cannot start without one.
	Build func(ctx context.Context, in BuildInput) (Built, error)
	// AuthMethod names how the tool authenticates, from its section alone (in's
	// Secrets and HTTPClient may be nil), for a tool that could not be built
	// (`switchboard check`). Nil means Built.AuthMethod only.
	AuthMethod func(in BuildInput) string
	// Package is the import path of the registering package, filled by Register.
	Package string
}

// BuildInput is what Build gets.
type BuildInput struct {
	// Section is the tool's own section (connectors.<tool>, the pointer its ToolSpec's
	// NewSection made), defaults applied and validated; the tool reads it with
	// SectionOf. Nil when the tool has none.
	Section Section
	// DataDir is where local state lives (the demo backend's SQLite file).
	DataDir string
	// Secrets is the credentials provider of every tool.
	Secrets secrets.Provider
	// HTTPClient is the client HTTP connectors send with (nil: their own default).
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Section is a tool's configuration section (its connector's type, with its defaults
// and validation), ToolSpec what a tool tells the configuration about itself, and
// Resilience a tool's built-in resilience policy: the configuration's own types, so
// that a connector package needs no other import to declare them.
type (
	Section    = config.Section
	ToolSpec   = config.ToolSpec
	Resilience = config.ToolResilience
)

// SectionOf returns a copy of the tool's section as its connector's type T (a struct,
// registered as *T), or T with its defaults applied when in carries none.
func SectionOf[T any, P interface {
	*T
	Section
}](in BuildInput) T {
	if p, ok := in.Section.(P); ok && p != nil {
		return *p
	}
	var v T
	P(&v).ApplyDefaults()
	return v
}

// Built is one built tool.
type Built struct {
	// Client implements the capability interfaces of connector.model that the tool
	// serves, and Ping for `switchboard check`.
	Client connector.Pinger
	// AuthMethod names how it authenticates (httpauth's names, "password", "none").
	AuthMethod string
	// Close, when set, releases what the client holds (pools, files).
	Close func() error
}

var (
	mu         sync.RWMutex
	connectors = map[string]Connector{}
)

// Register makes a tool available to Build and its configuration section known to
// shared/config (unless its spec package did). Call it from the connector package's
// init. It panics on a duplicate name or a missing Build.
func Register(c Connector) {
	if c.Build == nil {
		panic(fmt.Sprintf("registry: tool %q has no Build", c.Name))
	}
	if pc, _, _, ok := runtime.Caller(1); ok {
		c.Package = funcPackage(runtime.FuncForPC(pc).Name())
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := connectors[c.Name]; dup {
		panic(fmt.Sprintf("registry: tool %q registered twice", c.Name))
	}
	// A tool whose configuration side is a package of its own
	// (shared/connector/<tool>/spec, which the CDK app links without the connector)
	// registered it there, from that package's init; the others register it here.
	if _, ok := config.Tool(c.Name); !ok {
		config.RegisterTool(c.ToolSpec)
	}
	connectors[c.Name] = c
}

// funcPackage is the package path of a function's full name
// (github.com/x/y/pkg.init.0 → github.com/x/y/pkg).
func funcPackage(fn string) string {
	slash := strings.LastIndex(fn, "/")
	dot := strings.Index(fn[slash+1:], ".")
	if dot < 0 {
		return fn
	}
	return fn[:slash+1+dot]
}

// Lookup returns the registered tool of that name.
func Lookup(name string) (Connector, bool) {
	mu.RLock()
	defer mu.RUnlock()
	c, ok := connectors[name]
	return c, ok
}

// Connectors lists the registered tools, sorted by name.
func Connectors() []Connector {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Connector, 0, len(connectors))
	for _, c := range connectors {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
