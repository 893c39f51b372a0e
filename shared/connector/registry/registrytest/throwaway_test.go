// Package registrytest_test proves that a business tool is one folder: it adds a
// throwaway helpdesk, "acmedesk", from this test package alone — its configuration
// section, defaults, validation, resilience quota and client on the shared REST
// backend — and drives it from a YAML file through config.Load, registry.Build and a
// whole create-ticket turn, without a line changed in any other package.
package registrytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/connector/rest"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers" // every intent's handler
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// ---- the tool: what shared/connector/acmedesk would hold ----

// acmeConfig is the connectors.acmedesk section.
type acmeConfig struct {
	BaseURL  string `yaml:"base_url"`
	SecretID string `yaml:"secret_id"`
	Project  string `yaml:"project"`
}

func (c *acmeConfig) ApplyDefaults() {
	if c.SecretID == "" {
		c.SecretID = "switchboard/acmedesk"
	}
	if c.Project == "" {
		c.Project = "SUP"
	}
}

func (c *acmeConfig) Validate() error {
	if _, err := rest.ParseBase(c.BaseURL); err != nil {
		return fmt.Errorf("config: connectors.acmedesk.base_url: %w", err)
	}
	return nil
}

func init() {
	registry.Register(registry.Connector{
		ToolSpec: registry.ToolSpec{
			Name:         "acmedesk",
			Capabilities: []string{registry.CapTickets},
			NewSection:   func() registry.Section { return &acmeConfig{} },
			SecretKey:    "secret_id",
			Resilience:   registry.Resilience{Rate: 5, Burst: 5, MaxInFlight: 3},
		},
		Build: func(_ context.Context, in registry.BuildInput) (registry.Built, error) {
			s := registry.SectionOf[acmeConfig](in)
			api, err := rest.New(rest.Options{Tool: "acmedesk", BaseURL: s.BaseURL, HTTPClient: in.HTTPClient,
				Auth: httpauth.Bearer(in.Secrets, s.SecretID, "token")})
			if err != nil {
				return registry.Built{}, err
			}
			return registry.Built{Client: &acmeClient{api: api, project: s.Project}, AuthMethod: httpauth.NameBearer}, nil
		},
		AuthMethod: func(registry.BuildInput) string { return httpauth.NameBearer },
	})
}

type acmeTicket struct {
	ID       int    `json:"id"`
	Project  string `json:"project"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Email    string `json:"email"`
	Priority string `json:"priority"`
	State    string `json:"state"`
	Key      string `json:"key"`
}

// acmeClient is connector.Helpdesk over AcmeDesk: paths and shapes only.
type acmeClient struct {
	api     *rest.Backend
	project string
}

func (c *acmeClient) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	resp, err := c.api.Do(ctx, rest.Request{Op: "create_ticket", Method: http.MethodPost, Path: "/api/tickets",
		JSON: acmeTicket{Project: c.project, Title: t.Subject, Body: t.Description, Email: t.RequesterEmail,
			Priority: string(t.Priority), Key: t.ExternalID}})
	if err != nil {
		return connector.Ticket{}, err
	}
	var at acmeTicket
	if err := json.Unmarshal(resp.Body, &at); err != nil {
		return connector.Ticket{}, connector.InvalidResponse("acmedesk", "create_ticket", "body", err)
	}
	return connector.Ticket{ID: fmt.Sprint(at.ID), Subject: at.Title, Status: connector.TicketNew,
		Priority: connector.Priority(at.Priority), RequesterEmail: at.Email, ExternalID: at.Key}, nil
}

func (c *acmeClient) OpenTickets(context.Context, string) ([]connector.Ticket, error) {
	return []connector.Ticket{}, nil
}

func (c *acmeClient) Ping(ctx context.Context) error {
	_, err := c.api.Do(ctx, rest.Request{Op: "ping", Path: "/api/me"})
	return err
}

// ---- its stand-in ----

type acmeServer struct {
	*httptest.Server
	mu      sync.Mutex
	tickets []acmeTicket
}

func newAcmeServer(t *testing.T) *acmeServer {
	s := &acmeServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer acme-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/me":
			_, _ = w.Write([]byte(`{"id":1}`))
		case r.Method == http.MethodPost && r.URL.Path == "/api/tickets":
			var at acmeTicket
			if err := json.NewDecoder(r.Body).Decode(&at); err != nil || at.Title == "" || at.Email == "" {
				w.WriteHeader(http.StatusUnprocessableEntity)
				return
			}
			s.mu.Lock()
			at.ID, at.State = 100+len(s.tickets), "new"
			s.tickets = append(s.tickets, at)
			s.mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(at)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// ---- the proof ----

func load(t *testing.T, yaml string, env ...string) (config.Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "switchboard.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return config.Load(path, env)
}

func TestThrowawayToolPlugsIn(t *testing.T) {
	srv := newAcmeServer(t)
	keys := config.Keys()
	for _, k := range []string{"connectors.acmedesk.base_url", "connectors.acmedesk.project", "resilience.acmedesk.max_attempts"} {
		if !slices.Contains(keys, k) {
			t.Errorf("Keys() lacks %s", k)
		}
	}
	if !slices.Contains(config.ToolsFor(config.CapTickets), "acmedesk") || slices.Contains(config.ToolsFor(config.CapKB), "acmedesk") {
		t.Errorf("tickets tools %v, kb tools %v: want acmedesk for tickets only", config.ToolsFor(config.CapTickets), config.ToolsFor(config.CapKB))
	}

	// Its section is held to its own keys and validated when it serves a capability.
	if _, err := load(t, "connectors: {acmedesk: {projekt: X}}\n"); err == nil || !strings.Contains(err.Error(), "projekt") {
		t.Errorf("unknown key: %v, want it refused", err)
	}
	if _, err := load(t, "connectors: {tickets: acmedesk}\n"); err == nil || !strings.Contains(err.Error(), "connectors.acmedesk.base_url") {
		t.Errorf("missing base_url: %v, want its own validation error", err)
	}
	if _, err := load(t, "connectors: {kb: acmedesk, acmedesk: {base_url: 'http://x'}}\n"); err == nil || !strings.Contains(err.Error(), "connectors.kb") {
		t.Errorf("kb=acmedesk: %v, want refused (it serves tickets only)", err)
	}

	data := t.TempDir()
	cfg, err := load(t, `data_dir: `+data+`
connectors:
  customers: none
  tickets: acmedesk
  payments: none
  kb: none
  acmedesk: {base_url: '`+srv.URL+`'}
resilience:
  acmedesk: {max_attempts: 2}
`, "SWITCHBOARD_CONNECTORS_ACMEDESK_PROJECT=OPS")
	if err != nil {
		t.Fatal(err)
	}
	sec := config.SectionOf[acmeConfig](cfg.Connectors, "acmedesk")
	if sec.Project != "OPS" || sec.SecretID != "switchboard/acmedesk" || sec.BaseURL != srv.URL {
		t.Errorf("section = %+v, want project from the environment and the default secret id", sec)
	}
	if r := cfg.Resilience.For("acmedesk"); r.MaxAttempts != 2 || r.Rate != 5 || r.MaxInFlight != 3 || r.BreakerFailures != 5 {
		t.Errorf("resilience = %+v, want the file's attempts over the tool's quota over the global defaults", r)
	}

	creds := secrets.Static{"switchboard/acmedesk": {"token": "acme-token"}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	set, err := registry.Build(ctx, cfg, registry.Options{Secrets: creds})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if len(set.Tools) != 1 || set.Tools[0].Name != "acmedesk" || set.Tools[0].AuthMethod != "bearer" || set.Customers != nil {
		t.Fatalf("tools = %+v", set.Tools)
	}
	if err := set.Tools[0].Pinger.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	tk, err := set.Tickets.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "ada@example.com", Subject: "Cannot log in",
		Priority: connector.PriorityHigh, ExternalID: "turn-1"})
	if err != nil || tk.ID != "100" || tk.Subject != "Cannot log in" {
		t.Fatalf("CreateTicket = %+v, %v", tk, err)
	}
	// Wrong credentials come back typed, through the shared backend.
	bad, err := registry.Build(ctx, cfg, registry.Options{Secrets: secrets.Static{"switchboard/acmedesk": {"token": "nope"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if _, err := bad.Tickets.CreateTicket(ctx, connector.NewTicket{RequesterEmail: "ada@example.com", Subject: "x"}); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("refused token: %v, want unauthorized", err)
	}

	// And a whole turn: Dialogflow ES create-ticket event → engine → intents →
	// resilience → acmedesk → reply.
	a, err := app.Build(ctx, cfg, app.Options{Secrets: creds})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	body, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "events", "dialogflow", "create_ticket.json"))
	if err != nil {
		t.Fatal(err)
	}
	resp := a.Engine.Serve(ctx, conversation.DialogflowES, body)
	if resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), "101") {
		t.Errorf("turn = %d %s, want the reply naming AcmeDesk ticket 101", resp.Status, resp.Body)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.tickets) != 2 || srv.tickets[1].Project != "OPS" || srv.tickets[1].Email != "ada@example.com" || srv.tickets[1].Priority != "high" {
		t.Errorf("AcmeDesk holds %+v, want the turn's ticket in project OPS", srv.tickets)
	}
}
