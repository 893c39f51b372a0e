package sqldb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Config is the connectors.sql section (docs/connectors/sql.md): customers=sql,
// tickets=sql.
type Config struct {
	// SecretID names the secret with the connection details (default
	// "switchboard/sql"): either "dsn" (a full connection string or URL, password
	// included) or "password" (combined with DSN below). The password is read for
	// every new connection, so a rotated one is picked up without a restart.
	SecretID string `yaml:"secret_id"`
	// DSN is a connection string or URL without the password, e.g.
	// "postgres://switchboard@db.internal:5432/crm?sslmode=verify-full". Used when the
	// secret has no "dsn".
	DSN string `yaml:"dsn"`
	// Schema, when set, is the search_path: the customers and tickets tables (or views
	// of your own tables with those columns) live there.
	Schema string `yaml:"schema"`
	// MaxConns caps the pool per process (default 2: a Lambda instance serves one
	// request at a time, and hundreds of warm instances share max_connections).
	MaxConns int `yaml:"max_conns"`
	// StatementTimeout is the server-side statement_timeout (default 3s).
	StatementTimeout time.Duration `yaml:"statement_timeout"`
	// ConnectTimeout bounds one connection attempt (default 3s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// Migrate creates the tables at startup when they are missing (default false:
	// production schemas are managed by their owners).
	Migrate bool `yaml:"migrate"`
	// TicketBaseURL + ticket id is the link given for a ticket (default none).
	TicketBaseURL string `yaml:"ticket_base_url"`
}

func init() {
	registry.Register(registry.Connector{
		ToolSpec: config.ToolSpec{
			Name:         Tool,
			Capabilities: []string{config.CapCustomers, config.CapTickets},
			NewSection:   func() config.Section { return &Config{} },
			SecretKey:    "secret_id",
			// Our own database: bounded by the connection pool, not by a quota.
			Resilience: config.ToolResilience{Rate: -1, MaxInFlight: 10},
		},
		Build: func(ctx context.Context, in registry.BuildInput) (registry.Built, error) {
			return build(ctx, config.SectionOf[Config](in.Config.Connectors, Tool), in)
		},
		AuthMethod: func(config.Config) string { return "password" },
	})
}

// ApplyDefaults fills the zero fields.
func (s *Config) ApplyDefaults() {
	if s.SecretID == "" {
		s.SecretID = "switchboard/sql"
	}
	if s.MaxConns == 0 {
		s.MaxConns = 2
	}
	if s.StatementTimeout == 0 {
		s.StatementTimeout = 3 * time.Second
	}
	if s.ConnectTimeout == 0 {
		s.ConnectTimeout = 3 * time.Second
	}
}

// Validate checks the section; config.Load calls it when SQL serves a capability.
func (s *Config) Validate() error {
	if s.MaxConns < 1 {
		return fmt.Errorf("config: connectors.sql.max_conns: %d, want at least 1", s.MaxConns)
	}
	if s.ConnectTimeout < 0 {
		return fmt.Errorf("config: connectors.sql.connect_timeout: %s is negative", s.ConnectTimeout)
	}
	return nil
}

func build(ctx context.Context, c Config, in registry.BuildInput) (registry.Built, error) {
	p := in.Secrets
	var dsnFunc func(context.Context) (string, error)
	if c.DSN == "" {
		// Read when the first query needs it, not at start: a secret store that is
		// slow or down then fails that turn honestly instead of the process start.
		dsnFunc = func(ctx context.Context) (string, error) {
			s, err := p.Get(ctx, c.SecretID)
			if err != nil {
				return "", registry.SecretError(Tool, err)
			}
			if s["dsn"] == "" {
				return "", &connector.Error{Kind: connector.KindUnauthorized, Tool: Tool, Op: "credentials",
					Err: fmt.Errorf("neither connectors.sql.dsn nor the \"dsn\" key of secret %s is set", c.SecretID)}
			}
			return s["dsn"], nil
		}
	}
	db, err := Open(ctx, Options{
		DSN:              c.DSN,
		DSNFunc:          dsnFunc,
		MaxConns:         int32(c.MaxConns),
		StatementTimeout: c.StatementTimeout,
		ConnectTimeout:   c.ConnectTimeout,
		Schema:           c.Schema,
		TicketBaseURL:    c.TicketBaseURL,
		Password:         password(p, c.SecretID, c.DSN != ""),
		Logger:           in.Logger,
	})
	if err != nil {
		return registry.Built{}, err
	}
	if c.Migrate {
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return registry.Built{}, err
		}
	}
	return registry.Built{Client: db, AuthMethod: "password", Close: func() error { db.Close(); return nil }}, nil
}

// password reads the password of each new connection from the secret: its "password"
// key, else the password inside its "dsn". With a DSN from the configuration, a
// missing secret means none (trust or certificate auth).
func password(p secrets.Provider, id string, optional bool) func(context.Context, bool) (string, error) {
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
			return "", registry.SecretError(Tool, err)
		}
		if pw := s["password"]; pw != "" {
			return pw, nil
		}
		if dsn := s["dsn"]; dsn != "" {
			cc, err := pgx.ParseConfig(dsn)
			if err != nil {
				return "", &connector.Error{Kind: connector.KindUnauthorized, Tool: Tool, Op: "credentials",
					Err: fmt.Errorf("the \"dsn\" of secret %s does not parse", id)}
			}
			return cc.Password, nil
		}
		return "", nil
	}
}
