// Package spec is the configuration side of the sql tool: its name, its
// connectors.sql section (defaults, validation) and what shared/config knows of it
// (toolspec.Spec), registered from init. The connector package builds its client
// from it; the CDK app (infra/) links only this package, so it validates a function's
// configuration without the client's dependencies.
package spec

import (
	"fmt"
	"time"

	"github.com/switchboard-dev/switchboard/shared/contract/toolspec"
)

// Tool names this connector in errors, logs and metrics.
const Tool = "sql"

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

// ToolSpec is what shared/config knows of the tool.
var ToolSpec = toolspec.Spec{
	Name:         Tool,
	Capabilities: []string{toolspec.CapCustomers, toolspec.CapTickets},
	NewSection:   func() toolspec.Section { return &Config{} },
	SecretKey:    "secret_id",
	// Our own database: bounded by the connection pool, not by a quota.
	Resilience: toolspec.Resilience{Rate: -1, MaxInFlight: 10},
}

func init() { toolspec.Register(ToolSpec) }
