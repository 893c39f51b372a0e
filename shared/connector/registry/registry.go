package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/sqldb"
	stripeconn "github.com/switchboard-dev/switchboard/shared/connector/stripe"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Capability names, as in the configuration (connectors.customers, …).
const (
	CapCustomers = "customers"
	CapTickets   = "tickets"
	CapPayments  = "payments"
	CapKB        = "kb"
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

// built is what one tool's builder returns: any of the capability interfaces it
// implements, the pinger and the auth method name.
type built struct {
	impl   connector.Pinger
	auth   string
	closer func() error
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
	caps := []struct{ name, tool string }{{CapCustomers, c.Customers}, {CapTickets, c.Tickets}, {CapPayments, c.Payments}, {CapKB, c.KB}}
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
		if b.closer != nil {
			s.closers = append(s.closers, b.closer)
		}
		t.Pinger, t.AuthMethod = b.impl, b.auth
		impls[t.Name] = b.impl
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
	switch tool {
	case config.ToolDemo:
		return "none"
	case config.ToolSQL:
		return "password"
	case config.ToolStripe:
		return "bearer"
	case config.ToolZendesk:
		if cfg.Connectors.Zendesk.Auth == config.ZendeskAuthOAuth {
			return "bearer"
		}
		return "basic"
	case config.ToolSalesforce:
		return "oauth2_client_credentials"
	case config.ToolHubSpot:
		return "bearer"
	}
	return ""
}

func buildTool(ctx context.Context, name string, cfg config.Config, p secrets.Provider, o Options, log *slog.Logger) (built, error) {
	c := cfg.Connectors
	switch name {
	case config.ToolDemo:
		return openDemo(ctx, filepath.Join(cfg.DataDir, "demo.db"))
	case config.ToolStripe:
		sc, err := stripeconn.New(stripeconn.Options{
			Key:              StripeKey(p, c.Stripe.SecretID),
			BaseURL:          c.Stripe.BaseURL,
			HTTPClient:       o.HTTPClient,
			OrderMetadataKey: c.Stripe.OrderMetadataKey,
			MaxCustomers:     c.Stripe.MaxCustomers,
			Logger:           log,
		})
		if err != nil {
			return built{}, err
		}
		return built{impl: sc, auth: "bearer"}, nil
	case config.ToolSQL:
		return buildSQL(ctx, c.SQL, p, log)
	case config.ToolZendesk:
		z, err := zendesk.FromConfig(c.Zendesk, p, o.HTTPClient, log)
		if err != nil {
			return built{}, err
		}
		return built{impl: z, auth: z.AuthMethod()}, nil
	}
	return buildMore(ctx, name, cfg, p, o, log)
}

// StripeKey reads Stripe's API key from the "api_key" key of secret id, bypassing the
// cache after Stripe refused the previous key. The stripe connector classifies its
// errors (as unauthorized).
func StripeKey(p secrets.Provider, id string) stripeconn.KeyFunc {
	return func(ctx context.Context, refresh bool) (string, error) {
		get := p.Get
		if refresh {
			get = p.Refresh
		}
		s, err := get(ctx, id)
		if err != nil {
			return "", err
		}
		if s["api_key"] == "" {
			return "", &httpauth.MissingKeyError{SecretID: id, Key: "api_key"}
		}
		return s["api_key"], nil
	}
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

func buildSQL(ctx context.Context, c config.SQL, p secrets.Provider, log *slog.Logger) (built, error) {
	var dsnFunc func(context.Context) (string, error)
	if c.DSN == "" {
		// Read when the first query needs it, not at start: a secret store that is
		// slow or down then fails that turn honestly instead of the process start.
		dsnFunc = func(ctx context.Context) (string, error) {
			s, err := p.Get(ctx, c.SecretID)
			if err != nil {
				return "", SecretError(sqldb.Tool, err)
			}
			if s["dsn"] == "" {
				return "", &connector.Error{Kind: connector.KindUnauthorized, Tool: sqldb.Tool, Op: "credentials",
					Err: fmt.Errorf("neither connectors.sql.dsn nor the \"dsn\" key of secret %s is set", c.SecretID)}
			}
			return s["dsn"], nil
		}
	}
	db, err := sqldb.Open(ctx, sqldb.Options{
		DSN:              c.DSN,
		DSNFunc:          dsnFunc,
		MaxConns:         int32(c.MaxConns),
		StatementTimeout: c.StatementTimeout,
		ConnectTimeout:   c.ConnectTimeout,
		Schema:           c.Schema,
		TicketBaseURL:    c.TicketBaseURL,
		Password:         sqlPassword(p, c.SecretID, c.DSN != ""),
		Logger:           log,
	})
	if err != nil {
		return built{}, err
	}
	if c.Migrate {
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return built{}, err
		}
	}
	return built{impl: db, auth: "password", closer: func() error { db.Close(); return nil }}, nil
}

// sqlPassword reads the password of each new connection from the secret: its
// "password" key, else the password inside its "dsn". With a DSN from the
// configuration, a missing secret means none (trust or certificate auth).
func sqlPassword(p secrets.Provider, id string, optional bool) func(context.Context, bool) (string, error) {
	return func(ctx context.Context, refresh bool) (string, error) {
		get := p.Get
		if refresh {
			get = p.Refresh
		}
		s, err := get(ctx, id)
		if err != nil {
			var nf *secrets.NotFoundError
			if optional && errors.As(err, &nf) {
				return "", nil
			}
			return "", SecretError(sqldb.Tool, err)
		}
		if pw := s["password"]; pw != "" {
			return pw, nil
		}
		if dsn := s["dsn"]; dsn != "" {
			cc, err := pgx.ParseConfig(dsn)
			if err != nil {
				return "", &connector.Error{Kind: connector.KindUnauthorized, Tool: sqldb.Tool, Op: "credentials",
					Err: fmt.Errorf("the \"dsn\" of secret %s does not parse", id)}
			}
			return cc.Password, nil
		}
		return "", nil
	}
}

// CapabilityList formats a tool's capabilities for display: "tickets, kb".
func (t Tool) CapabilityList() string { return strings.Join(t.Capabilities, ", ") }
