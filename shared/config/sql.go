package config

import (
	"fmt"
	"time"
)

// SQL configures the PostgreSQL connector (customers=sql, tickets=sql).
type SQL struct {
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

func (s *SQL) applyDefaults() {
	if s.SecretID == "" {
		s.SecretID = "switchboard/sql"
	}
	if s.MaxConns == 0 {
		s.MaxConns = 2
	}
	setDur(&s.StatementTimeout, 3*time.Second)
	setDur(&s.ConnectTimeout, 3*time.Second)
}

// Validate checks the SQL section; Connectors.validate calls it when SQL serves a
// capability.
func (s SQL) Validate() error {
	if s.MaxConns < 1 {
		return fmt.Errorf("config: connectors.sql.max_conns: %d, want at least 1", s.MaxConns)
	}
	if s.ConnectTimeout < 0 {
		return fmt.Errorf("config: connectors.sql.connect_timeout: %s is negative", s.ConnectTimeout)
	}
	return nil
}
