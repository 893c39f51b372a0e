package registry_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	_ "github.com/switchboard-dev/switchboard/shared/connector/all"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce/sftest"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func ctxT(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// load writes yaml to a file and loads it, as `switchboard --config` does.
func load(t *testing.T, yaml string) config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "switchboard.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, []string{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestDemoServesEverything(t *testing.T) {
	cfg := load(t, "data_dir: "+t.TempDir()+"\n")
	s, err := registry.Build(ctxT(t), cfg, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Tools) != 1 || s.Tools[0].Name != "demo" || s.Tools[0].CapabilityList() != "customers, tickets, payments, kb" ||
		s.Tools[0].AuthMethod != "none" {
		t.Fatalf("tools = %+v", s.Tools)
	}
	if err := s.Tools[0].Pinger.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	c, err := s.Customers.FindCustomerByEmail(ctxT(t), connectortest.AdaEmail)
	if err != nil || c.LastName != "Lovelace" {
		t.Fatalf("customer = %+v, %v", c, err)
	}
	if s.Tickets == nil || s.Payments == nil || s.KB == nil {
		t.Fatalf("a capability is unset: %+v", s)
	}
}

// TestRealTools wires SQL (PostgreSQL, DSN from the secret), Stripe (stripe-mock) and
// Zendesk (its stand-in) from one configuration and credentials from the environment
// provider, and pings each.
func TestRealTools(t *testing.T) {
	dsn := testenv.Postgres(t)
	mock := testenv.StripeMock(t)
	zd := zdtest.New(t)
	zs := zd.Secret()
	env := map[string]string{
		"SWITCHBOARD_SECRET_SWITCHBOARD_SQL":     `{"dsn":"` + dsn + `"}`,
		"SWITCHBOARD_SECRET_SWITCHBOARD_STRIPE":  `{"api_key":"sk_test_123"}`,
		"SWITCHBOARD_SECRET_SWITCHBOARD_ZENDESK": `{"email":"` + zs["email"] + `","api_token":"` + zs["api_token"] + `"}`,
	}
	p := secrets.NewEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, 0)
	cfg := load(t, `connectors:
  customers: sql
  tickets: zendesk
  payments: stripe
  kb: zendesk
  sql: {migrate: true}
  stripe: {base_url: '`+mock+`'}
  zendesk: {base_url: '`+zd.URL()+`'}
`)
	s, err := registry.Build(ctxT(t), cfg, registry.Options{Secrets: p})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := map[string]string{}
	for _, tl := range s.Tools {
		got[tl.Name] = tl.CapabilityList() + " / " + tl.AuthMethod
		if err := tl.Pinger.Ping(ctxT(t)); err != nil {
			t.Errorf("%s: Ping: %v", tl.Name, err)
		}
	}
	want := map[string]string{"sql": "customers / password", "zendesk": "tickets, kb / basic", "stripe": "payments / bearer"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("tool %s = %q, want %q", k, got[k], v)
		}
	}
	if len(s.Tools) != 3 {
		t.Errorf("tools = %v", got)
	}
	if _, err := s.Customers.FindCustomerByEmail(ctxT(t), connectortest.AdaEmail); !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("empty migrated database: %v, want not found", err)
	}
	if pay, err := s.Payments.FindPayment(ctxT(t), "pi_123"); err != nil || pay.ID != "pi_123" {
		t.Errorf("stripe-mock FindPayment = %+v, %v", pay, err)
	}
	if arts, err := s.KB.SearchArticles(ctxT(t), "password", 3); err != nil || len(arts) == 0 {
		t.Errorf("zendesk SearchArticles = %v, %v", arts, err)
	}
}

func TestBrokenToolsAreReported(t *testing.T) {
	mock := testenv.StripeMock(t)
	cfg := load(t, `data_dir: `+t.TempDir()+`
connectors:
  customers: sql
  payments: stripe
  stripe: {base_url: '`+mock+`'}
`)
	empty := secrets.Static{}
	// SQL reads its DSN from the secret when the first query needs it, so Build makes
	// no call and succeeds; the missing secret shows in the ping and in every lookup.
	s, err := registry.Build(ctxT(t), cfg, registry.Options{Secrets: empty})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	defer s.Close()
	byName := map[string]registry.Tool{}
	for _, tl := range s.Tools {
		byName[tl.Name] = tl
	}
	sql := byName["sql"]
	if sql.Err != nil || sql.Pinger == nil || sql.AuthMethod != "password" {
		t.Fatalf("sql = %+v", sql)
	}
	if err := sql.Pinger.Ping(ctxT(t)); !errors.Is(err, connector.ErrUnauthorized) || !strings.Contains(err.Error(), "sql") {
		t.Errorf("sql Ping without its secret: %v, want an unauthorized sql error", err)
	}
	if _, err := s.Customers.FindCustomerByEmail(ctxT(t), "ada@example.com"); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("lookup without the SQL secret: %v, want unauthorized", err)
	}
	// Stripe builds (its key is read lazily) but its ping is refused for the missing key.
	st := byName["stripe"]
	if st.Err != nil {
		t.Fatalf("stripe: %v", st.Err)
	}
	if err := st.Pinger.Ping(ctxT(t)); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("stripe Ping without a key: %v, want unauthorized", err)
	}
	if tl := byName["demo"]; tl.Err != nil || tl.CapabilityList() != "tickets, kb" {
		t.Errorf("demo = %+v", tl)
	}

	// A tool that cannot be built (SQL asked to migrate a database nobody serves) fails
	// Build, or with KeepGoing is reported and left out.
	dead := load(t, `data_dir: `+t.TempDir()+`
connectors:
  customers: sql
  sql: {dsn: 'postgres://switchboard@127.0.0.1:`+strconv.Itoa(testenv.FreePort(t))+`/crm?sslmode=disable', migrate: true, connect_timeout: 500ms}
`)
	if _, err := registry.Build(ctxT(t), dead, registry.Options{Secrets: empty}); err == nil || !strings.Contains(err.Error(), "sql") {
		t.Fatalf("Build with an unreachable database to migrate: %v, want an sql error", err)
	}
	ks, err := registry.Build(ctxT(t), dead, registry.Options{Secrets: empty, KeepGoing: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	if len(ks.Tools) == 0 || ks.Tools[0].Name != "sql" || ks.Tools[0].Err == nil || ks.Tools[0].Pinger != nil || ks.Customers != nil {
		t.Errorf("KeepGoing: tools %+v, customers %v; want sql reported with its error and customers unset", ks.Tools, ks.Customers)
	}
}

func TestSecretError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want connector.Kind
	}{
		{&secrets.NotFoundError{ID: "x"}, connector.KindUnauthorized},
		{&secrets.Error{ID: "x", Kind: secrets.KindDenied}, connector.KindUnauthorized},
		{&secrets.Error{ID: "x", Kind: secrets.KindMalformed}, connector.KindUnauthorized},
		{&secrets.Error{ID: "x", Kind: secrets.KindUnavailable}, connector.KindUnavailable},
		{&connector.Error{Kind: connector.KindRateLimited}, connector.KindRateLimited},
	} {
		if got := connector.KindOf(registry.SecretError("t", tc.err)); got != tc.want {
			t.Errorf("SecretError(%v) kind = %s, want %s", tc.err, got, tc.want)
		}
	}
}

func TestSecretsProviders(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.json")
	if err := os.WriteFile(file, []byte(`{"a":{"k":"from-file"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SWITCHBOARD_SECRET_A", `{"k":"from-env"}`)
	for _, tc := range []struct {
		cfg  config.Secrets
		want string
	}{
		{config.Secrets{Provider: "env"}, "from-env"},
		{config.Secrets{Provider: "file", File: file}, "from-file"},
	} {
		p, err := registry.Secrets(ctxT(t), tc.cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := p.Get(ctxT(t), "a")
		if err != nil || s["k"] != tc.want {
			t.Errorf("%s: %v %v", tc.cfg.Provider, s, err)
		}
	}
	if _, err := registry.Secrets(ctxT(t), config.Secrets{Provider: "vault"}, nil); err == nil {
		t.Errorf("unknown provider accepted")
	}
}

func TestSecretsFromSecretsManager(t *testing.T) {
	endpoint := testenv.Moto(t)
	testenv.AWSEnv(t, endpoint)
	p, err := registry.Secrets(ctxT(t), config.Secrets{Provider: "aws", Prefix: "reg-test/", Endpoint: endpoint}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var nf *secrets.NotFoundError
	if _, err := p.Get(ctxT(t), "absent"); !errors.As(err, &nf) {
		t.Errorf("absent secret: %v, want not found from Secrets Manager", err)
	}
}

// TestCRMs wires Salesforce and HubSpot from configuration against their stand-ins
// and finds the canonical customer through each.
func TestCRMs(t *testing.T) {
	sf := sftest.New(t)
	hs := hstest.New(t)
	for _, tc := range []struct {
		name, yaml, auth string
		secrets          secrets.Static
	}{
		{"salesforce", "connectors: {customers: salesforce, salesforce: {login_url: '" + sf.URL() + "'}}\n",
			"oauth2_client_credentials", secrets.Static{"switchboard/salesforce": sf.Secret()}},
		{"hubspot", "connectors: {customers: hubspot, hubspot: {base_url: '" + hs.URL() + "'}}\n",
			"bearer", secrets.Static{"switchboard/hubspot": hs.Secret()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := load(t, "data_dir: "+t.TempDir()+"\n"+tc.yaml)
			s, err := registry.Build(ctxT(t), cfg, registry.Options{Secrets: tc.secrets})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Tools[0].Name != tc.name || s.Tools[0].AuthMethod != tc.auth || s.Tools[0].CapabilityList() != "customers" {
				t.Errorf("tool = %+v", s.Tools[0])
			}
			if err := s.Tools[0].Pinger.Ping(ctxT(t)); err != nil {
				t.Errorf("Ping: %v", err)
			}
			c, err := s.Customers.FindCustomerByEmail(ctxT(t), connectortest.AdaEmail)
			want := connectortest.AdaWithAddress()
			c.ID = ""
			if err != nil || c != want {
				t.Errorf("FindCustomerByEmail = %+v, %v; want %+v", c, err, want)
			}
		})
	}
}

// TestNoneLeavesACapabilityUnserved: "none" builds nothing for that capability, so a
// deployed function can never fall back to demo data for a tool it does not use.
func TestNoneLeavesACapabilityUnserved(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load("", []string{
		"SWITCHBOARD_DATA_DIR=" + t.TempDir(),
		"SWITCHBOARD_CONNECTORS_CUSTOMERS=none", "SWITCHBOARD_CONNECTORS_TICKETS=none",
		"SWITCHBOARD_CONNECTORS_PAYMENTS=none",
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := registry.Build(context.Background(), cfg, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Customers != nil || s.Tickets != nil || s.Payments != nil || s.KB == nil {
		t.Fatalf("set = %+v, want only KB", s)
	}
	if len(s.Tools) != 1 || s.Tools[0].Name != "demo" {
		t.Fatalf("tools = %+v, want demo only", s.Tools)
	}
}
