package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/switchboard-dev/switchboard/shared/config"
	_ "github.com/switchboard-dev/switchboard/shared/connector/all"
	"github.com/switchboard-dev/switchboard/shared/connector/sqldb"
	stripeconn "github.com/switchboard-dev/switchboard/shared/connector/stripe"
)

func TestConnectorsDefaults(t *testing.T) {
	c, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	k := c.Connectors
	if k.Customers != "demo" || k.Tickets != "demo" || k.Payments != "demo" || k.KB != "demo" {
		t.Errorf("capabilities = %s/%s/%s/%s, want demo everywhere", k.Customers, k.Tickets, k.Payments, k.KB)
	}
	if k.Secrets.Provider != SecretsEnv || k.Secrets.MaxAge != 5*time.Minute {
		t.Errorf("secrets = %+v, want env with 5m max age", k.Secrets)
	}
	st, sq := SectionOf[stripeconn.Config](k, "stripe"), SectionOf[sqldb.Config](k, "sql")
	if st.SecretID != "switchboard/stripe" || st.OrderMetadataKey != "order_number" || st.MaxCustomers != 5 {
		t.Errorf("stripe = %+v", st)
	}
	if sq.SecretID != "switchboard/sql" || sq.MaxConns != 2 || sq.StatementTimeout != 3*time.Second || sq.ConnectTimeout != 3*time.Second {
		t.Errorf("sql = %+v", sq)
	}
}

func TestConnectorsFromFileAndEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := `connectors:
  customers: sql
  payments: stripe
  secrets: {provider: aws, prefix: prod/, max_age: 1m}
  stripe: {base_url: 'http://127.0.0.1:12111', order_metadata_key: order_id}
  sql: {dsn: 'postgres://sb@db:5432/crm', schema: crm, max_conns: 4, migrate: true}
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, []string{"SWITCHBOARD_CONNECTORS_SQL_STATEMENT_TIMEOUT=750ms", "SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT=http://127.0.0.1:5000"})
	if err != nil {
		t.Fatal(err)
	}
	k := c.Connectors
	if k.Customers != "sql" || k.Payments != "stripe" || k.Tickets != "demo" {
		t.Errorf("capabilities = %+v", k)
	}
	if k.Secrets.Provider != "aws" || k.Secrets.Prefix != "prod/" || k.Secrets.MaxAge != time.Minute || k.Secrets.Endpoint != "http://127.0.0.1:5000" {
		t.Errorf("secrets = %+v", k.Secrets)
	}
	st, sq := SectionOf[stripeconn.Config](k, "stripe"), SectionOf[sqldb.Config](k, "sql")
	if st.BaseURL != "http://127.0.0.1:12111" || st.OrderMetadataKey != "order_id" {
		t.Errorf("stripe = %+v", st)
	}
	if sq.Schema != "crm" || sq.MaxConns != 4 || !sq.Migrate || sq.StatementTimeout != 750*time.Millisecond {
		t.Errorf("sql = %+v", sq)
	}
	if !k.Uses("sql") || !k.Uses("stripe") || k.Uses("zendesk") {
		t.Errorf("Uses is wrong")
	}
}

func TestConnectorsValidate(t *testing.T) {
	for _, tc := range []struct{ name, yaml, wantErr string }{
		{"unknown customers tool", "connectors: {customers: zendesk}\n", "connectors.customers"},
		{"unknown payments tool", "connectors: {payments: paypal}\n", "connectors.payments"},
		{"unknown provider", "connectors: {secrets: {provider: vault}}\n", "connectors.secrets.provider"},
		{"file without path", "connectors: {secrets: {provider: file}}\n", "connectors.secrets.file"},
		{"file", "connectors: {secrets: {provider: file, file: s.json}}\n", ""},
		{"stripe bad url", "connectors: {payments: stripe, stripe: {base_url: 'mock'}}\n", "connectors.stripe.base_url"},
		{"stripe unused bad url", "connectors: {stripe: {base_url: 'mock'}}\n", ""},
		{"sql negative conns", "connectors: {tickets: sql, sql: {max_conns: -1}}\n", "connectors.sql.max_conns"},
		{"typo", "connectors: {stripe: {baseurl: x}}\n", "baseurl"},
		{"unknown tool section", "connectors: {strpe: {base_url: x}}\n", "connectors.strpe"},
		{"unknown resilience section", "resilience: {strpe: {max_attempts: 1}}\n", "resilience.strpe"},
		{"resilience typo", "resilience: {stripe: {max_attempt: 1}}\n", "max_attempt"},
		{"nested secrets typo", "connectors: {secrets: {prvider: aws}}\n", "prvider"},
		{"tool that cannot serve", "connectors: {kb: stripe}\n", "connectors.kb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path, []string{})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("err = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}
