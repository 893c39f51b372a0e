package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Capability names, as in the configuration (connectors.customers, …).
const (
	CapCustomers = config.CapCustomers
	CapTickets   = config.CapTickets
	CapPayments  = config.CapPayments
	CapKB        = config.CapKB
)

// Options adjust Build. Zero values are the defaults.
type Options struct {
	// Secrets overrides the provider built from connectors.secrets (tests).
	Secrets secrets.Provider
	// HTTPClient is used by the HTTP connectors (default: one without a timeout;
	// deadlines come from each call's context).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// KeepGoing makes Build record a tool that cannot be built in its Tool.Err and
	// carry on, instead of failing: `switchboard check` reports every tool.
	KeepGoing bool
}

// Tool is one business tool in use.
type Tool struct {
	// Name is the tool as configured: demo, salesforce, hubspot, zendesk, stripe, sql.
	Name string
	// Capabilities it serves, in the order customers, tickets, payments, kb.
	Capabilities []string
	// AuthMethod names how it authenticates (httpauth's names, "password" for SQL,
	// "none" for the embedded demo backend).
	AuthMethod string
	// Pinger authenticates and fetches one item. Nil when Err is set.
	Pinger connector.Pinger
	// Err is why the tool could not be built (only with Options.KeepGoing).
	Err error
}

// Set is the built connectors.
type Set struct {
	Customers connector.CustomerDirectory
	Tickets   connector.Helpdesk
	Payments  connector.Payments
	KB        connector.KnowledgeBase
	// Tools lists each tool in use once, in the order of first capability.
	Tools []Tool
	// Secrets is the provider the connectors read their credentials from.
	Secrets secrets.Provider

	closers []func() error
}

// Close releases pools and files the connectors hold.
func (s *Set) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// Build creates every tool cfg.Connectors uses. It makes no network call except where
// a tool needs its secret to know where to connect (SQL without connectors.sql.dsn).
func Build(ctx context.Context, cfg config.Config, o Options) (*Set, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	c := cfg.Connectors
	s := &Set{Secrets: o.Secrets}
	if s.Secrets == nil {
		p, err := Secrets(ctx, c.Secrets, log)
		if err != nil {
			return nil, err
		}
		s.Secrets = p
	}
	caps := make([]struct{ name, tool string }, 0, len(config.Capabilities))
	for _, k := range config.Capabilities {
		caps = append(caps, struct{ name, tool string }{k, c.For(k)})
	}
	index := map[string]int{}
	impls := map[string]connector.Pinger{}
	for _, cp := range caps {
		if cp.tool == config.ToolNone {
			continue // left nil: the intents say the capability is not available
		}
		if i, ok := index[cp.tool]; ok {
			s.Tools[i].Capabilities = append(s.Tools[i].Capabilities, cp.name)
			continue
		}
		index[cp.tool] = len(s.Tools)
		s.Tools = append(s.Tools, Tool{Name: cp.tool, Capabilities: []string{cp.name}})
	}
	for i := range s.Tools {
		t := &s.Tools[i]
		b, err := buildTool(ctx, t.Name, cfg, s.Secrets, o, log)
		if err != nil {
			err = fmt.Errorf("%s: %w", t.Name, err)
			if !o.KeepGoing {
				s.Close()
				return nil, err
			}
			t.Err = err
			t.AuthMethod = authMethodOf(t.Name, cfg)
			continue
		}
		if b.Close != nil {
			s.closers = append(s.closers, b.Close)
		}
		t.Pinger, t.AuthMethod = b.Client, b.AuthMethod
		impls[t.Name] = b.Client
	}
	for _, cp := range caps {
		impl := impls[cp.tool]
		if impl == nil {
			continue // KeepGoing: the tool failed to build
		}
		var ok bool
		switch cp.name {
		case CapCustomers:
			s.Customers, ok = impl.(connector.CustomerDirectory)
		case CapTickets:
			s.Tickets, ok = impl.(connector.Helpdesk)
		case CapPayments:
			s.Payments, ok = impl.(connector.Payments)
		case CapKB:
			s.KB, ok = impl.(connector.KnowledgeBase)
		}
		if !ok {
			s.Close()
			return nil, fmt.Errorf("connectors.%s: %s cannot serve %s", cp.name, cp.tool, cp.name)
		}
	}
	return s, nil
}

// authMethodOf names a tool's auth method from the configuration alone, for a tool
// that could not be built.
func authMethodOf(tool string, cfg config.Config) string {
	c, ok := Lookup(tool)
	if !ok || c.AuthMethod == nil {
		return ""
	}
	return c.AuthMethod(BuildInput{Section: cfg.Connectors.Tools[tool], DataDir: cfg.DataDir})
}

func buildTool(ctx context.Context, name string, cfg config.Config, p secrets.Provider, o Options, log *slog.Logger) (Built, error) {
	c, ok := Lookup(name)
	if !ok {
		if name == config.ToolDemo {
			return Built{}, errors.New("the demo backend is not linked into this binary (Lambda builds leave it out): set this capability to a real tool or none")
		}
		return Built{}, fmt.Errorf("tool %q is not linked into this binary (tools: %s)", name, names())
	}
	return c.Build(ctx, BuildInput{Section: cfg.Connectors.Tools[name], DataDir: cfg.DataDir, Secrets: p, HTTPClient: o.HTTPClient, Logger: log})
}

func names() string {
	var out []string
	for _, c := range Connectors() {
		out = append(out, c.Name)
	}
	return strings.Join(out, ", ")
}

// SecretError turns a secrets failure into a connector error of the right kind: a
// secret store that is down is the tool being unavailable; a missing, refused or
// malformed secret is missing credentials.
func SecretError(tool string, err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return err
	}
	kind := connector.KindUnauthorized
	var se *secrets.Error
	if errors.As(err, &se) && se.Kind == secrets.KindUnavailable {
		kind = connector.KindUnavailable
	}
	return &connector.Error{Kind: kind, Tool: tool, Op: "credentials", Err: err}
}

// CapabilityList formats a tool's capabilities for display: "tickets, kb".
func (t Tool) CapabilityList() string { return strings.Join(t.Capabilities, ", ") }
