package sqldb

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/connector/sqldb/spec"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Tool is the tool's name in the configuration (spec.Tool).
const Tool = spec.Tool

// Config is the connectors.sql section (spec.Config, which the CDK app reads
// without linking this connector).
type Config = spec.Config

func init() {
	registry.Register(registry.Connector{
		ToolSpec: spec.ToolSpec,
		Build: func(ctx context.Context, in registry.BuildInput) (registry.Built, error) {
			return build(ctx, registry.SectionOf[Config](in), in)
		},
		AuthMethod: func(registry.BuildInput) string { return "password" },
	})
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
