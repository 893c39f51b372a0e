package telemetry_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers" // every intent's handler
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

// The seeded secrets and personal data. The registered secret is what the secret
// store would hand the connectors; the unregistered one is only recognisable by its
// shape (a Stripe secret key).
const (
	seededSecret     = "zd-api-token-9f8e7d6c5b4a3210"
	unregisteredKey  = "sk_live_51HxYzAbCdEfGhIjKlMnOp"
	seededCard       = "4111 1111 1111 1111"
	seededPhone      = "+1 415 555 0132"
	seededUtterance  = " My card is " + seededCard + ", call me on " + seededPhone + "."
	seededCallerID   = "+14155550132"
	seededBearer     = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzd2l0Y2hib2FyZCJ9.c2lnbmF0dXJlLWJ5dGVz"
	seededCardDigits = "4111111111111111"
)

var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

// failing stands in for a business tool that fails the way real ones do, with the
// request (e-mail in the query, token in a header) echoed in the error text.
type failing struct {
	kind connector.Kind
}

func (f failing) err(op, subject string) error {
	return &connector.Error{Kind: f.kind, Tool: "zendesk", Op: op, StatusCode: 401, Code: "invalid_token",
		Err: fmt.Errorf("GET https://acme.zendesk.example/api/v2/search?query=%s&token=%s (Authorization: Bearer %s, stripe %s)",
			subject, seededSecret, seededBearer, unregisteredKey)}
}

func (f failing) FindCustomerByEmail(_ context.Context, email string) (connector.Customer, error) {
	return connector.Customer{}, f.err("find_customer", email)
}
func (f failing) CreateTicket(_ context.Context, t connector.NewTicket) (connector.Ticket, error) {
	return connector.Ticket{}, f.err("create_ticket", t.RequesterEmail+" "+t.Description)
}
func (f failing) OpenTickets(_ context.Context, email string) ([]connector.Ticket, error) {
	return nil, f.err("open_tickets", email)
}
func (f failing) FindPayment(_ context.Context, ref string) (connector.Payment, error) {
	return connector.Payment{}, f.err("find_payment", ref)
}
func (f failing) RecentPayments(_ context.Context, email string, _ int) ([]connector.Payment, error) {
	return nil, f.err("recent_payments", email)
}
func (f failing) SearchArticles(_ context.Context, q string, _ int) ([]connector.Article, error) {
	return nil, f.err("search_articles", q)
}

// bodyRouted lists the platforms whose sample events carry their intent in the body
// (the engine routes them alone); the tool API's intent is in its path and its own
// tests cover its logs.
func bodyRouted() []conversation.Platform {
	var out []conversation.Platform
	for _, e := range platform.Entries() {
		if e.Smoke.Unsupported == "" {
			out = append(out, e.Platform())
		}
	}
	return out
}

// seededEvents loads every sample event of every platform and seeds the user's text
// (and the telephony caller id) with a card number and a phone number.
func seededEvents(t *testing.T) (map[conversation.Platform][][]byte, []string) {
	t.Helper()
	root := filepath.Join("..", "..", "events")
	out := map[conversation.Platform][][]byte{}
	emails := map[string]bool{}
	for _, p := range bodyRouted() {
		files, _ := filepath.Glob(filepath.Join(root, string(p), "*.json"))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var ev map[string]any
			if json.Unmarshal(raw, &ev) != nil || strings.HasPrefix(filepath.Base(f), "malformed") {
				continue // malformed events never reach a turn: the adapters' own tests cover them
			}
			seed(ev)
			b, _ := json.Marshal(ev)
			for _, e := range emailRE.FindAllString(string(b), -1) {
				emails[e] = true
			}
			out[p] = append(out[p], b)
		}
		if len(out[p]) < 4 {
			t.Fatalf("%s: want a sample event per intent under events/, found %d", p, len(out[p]))
		}
	}
	list := make([]string, 0, len(emails))
	for e := range emails {
		list = append(list, e)
	}
	slices.Sort(list)
	return out, list
}

func seed(x any) {
	switch v := x.(type) {
	case map[string]any:
		for k, val := range v {
			switch s, ok := val.(string); {
			case ok && (k == "queryText" || k == "text" || k == "inputTranscript"):
				v[k] = s + seededUtterance
			case ok && k == "caller_id":
				v[k] = seededCallerID
			default:
				seed(val)
			}
		}
	case []any:
		for _, e := range v {
			seed(e)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.b.Bytes())
}

// TestConversationLogsCarryNoSecretsOrPII drives every sample event of every platform
// (all four intents) through the real adapters, engine, intent handlers, resilience
// policies and demo backend — healthy, with every tool failing, and with a crashing
// tool — at debug and at info level, and checks that no log line contains the seeded
// secrets, card number, phone number or any full e-mail address, while the lines still
// carry what ops need.
func TestConversationLogsCarryNoSecretsOrPII(t *testing.T) {
	events, emails := seededEvents(t)
	if len(emails) == 0 {
		t.Fatal("the sample events carry no e-mail address to check for")
	}
	forbidden := append([]string{seededSecret, unregisteredKey, seededCard, seededCardDigits, seededPhone,
		seededCallerID, "415 555 0132", "4155550132", seededBearer}, emails...)

	cfg, err := config.Load("", []string{"SWITCHBOARD_DATA_DIR=" + t.TempDir(),
		"SWITCHBOARD_RESILIENCE_DEFAULTS_BACKOFF_BASE=1ms", "SWITCHBOARD_RESILIENCE_DEFAULTS_BACKOFF_MAX=2ms"})
	if err != nil {
		t.Fatal(err)
	}
	backend, err := demo.Open(context.Background(), filepath.Join(cfg.DataDir, "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { backend.Close() })

	for _, level := range []string{"debug", "info"} {
		for _, mode := range []string{"healthy", "unauthorized", "unavailable", "panic"} {
			t.Run(level+"/"+mode, func(t *testing.T) {
				var logs, emf syncBuffer
				c := cfg
				c.Telemetry.LogLevel = level
				c.Telemetry.EMF = "on"
				tel, err := telemetry.New(c.Service, telemetry.Settings(c.Telemetry), telemetry.Options{Logs: &logs, EMF: &emf, Secrets: []string{seededSecret},
					Getenv: func(k string) string {
						return map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "switchboard-router",
							"_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}[k]
					}})
				if err != nil {
					t.Fatal(err)
				}
				set := resilience.NewSet(func(tool string) resilience.Settings { return resilience.Settings(c.Resilience.For(tool)) }, resilience.Options{Observer: tel, Logger: tel.Logger})
				deps := intents.Deps{SupportEmail: c.SupportEmail}
				switch mode {
				case "healthy":
					p := set.For("demo")
					deps.Customers, deps.Tickets = resilience.Customers(p, backend), resilience.Helpdesk(p, backend, resilience.HelpdeskOptions{})
					deps.Payments, deps.KB = resilience.Payments(p, backend), resilience.KnowledgeBase(p, backend)
				default:
					f := failing{kind: connector.KindUnauthorized}
					if mode == "unavailable" {
						f.kind = connector.KindUnavailable
					}
					p := set.For("zendesk")
					deps.Customers, deps.Tickets = resilience.Customers(p, f), resilience.Helpdesk(p, f, resilience.HelpdeskOptions{})
					deps.Payments, deps.KB = resilience.Payments(p, f), resilience.KnowledgeBase(p, f)
				}
				var h conversation.Handler = intents.New(deps)
				if mode == "panic" {
					// A handler crashing with the user's data in the panic value (the
					// engine recovers it and logs the value).
					h = conversation.HandlerFunc(func(_ context.Context, t conversation.Turn) conversation.Reply {
						panic(fmt.Sprintf("crashed on %v with key %s", t.Slots, seededSecret))
					})
				}
				eng := engine.New(wiring.Engine(c), h, engine.Options{Logger: tel.Logger, Adapters: adapters.Default(wiring.Adapters(c)), Hook: tel})
				intentsSeen := map[string]bool{}
				for _, p := range bodyRouted() {
					for i, body := range events[p] {
						ctx := telemetry.WithRequest(context.Background(), telemetry.RequestInfo{ID: fmt.Sprintf("req-%s-%d", p, i)})
						resp := eng.Serve(ctx, p, body)
						if resp.Status != 200 {
							t.Errorf("%s event %d: status %d %s", p, i, resp.Status, resp.Body)
						}
					}
				}
				lines := splitLines(t, logs.Bytes())
				var turns, toolCalls, debugBodies int
				for _, l := range lines {
					for _, bad := range forbidden {
						if strings.Contains(l.raw, bad) {
							t.Errorf("log line contains %q:\n%s", bad, l.raw)
						}
					}
					switch l.fields["msg"] {
					case "turn":
						turns++
						intentsSeen[fmt.Sprint(l.fields["intent"])] = true
						for _, k := range []string{"service", "function_name", "cold_start", "request_id", "platform", "intent",
							"session_id", "correlation_id", "xray_trace_id", "outcome", "latency_ms"} {
							if _, ok := l.fields[k]; !ok {
								t.Errorf("turn line lacks %s: %s", k, l.raw)
							}
						}
						if got := l.fields["xray_trace_id"]; got != "1-5759e988-bd862e3fe1be46a994272793" {
							t.Errorf("xray_trace_id %v, want the Lambda trace root", got)
						}
					case "tool call":
						toolCalls++
						for _, k := range []string{"tool", "operation", "status", "latency_ms", "attempt", "breaker_state", "intent", "request_id"} {
							if _, ok := l.fields[k]; !ok {
								t.Errorf("tool call line lacks %s: %s", k, l.raw)
							}
						}
						if mode == "unauthorized" || mode == "unavailable" {
							if l.fields["error_code"] == nil || l.fields["error"] == nil {
								t.Errorf("failed tool call line lacks error_code/error: %s", l.raw)
							}
						}
					case "webhook request", "webhook reply":
						debugBodies++
					}
				}
				for _, in := range conversation.Intents {
					if !intentsSeen[string(in)] {
						t.Errorf("no turn line for intent %s", in)
					}
				}
				if turns == 0 || (mode != "panic" && toolCalls == 0) {
					t.Errorf("%d turn lines, %d tool call lines", turns, toolCalls)
				}
				if (level == "debug") != (debugBodies > 0) {
					t.Errorf("level %s: %d debug body lines", level, debugBodies)
				}
				if mode == "unauthorized" && !strings.Contains(string(logs.Bytes()), telemetry.Redacted) {
					t.Errorf("failing calls logged no redaction marker: the seeded secret never reached a log line, so the test proves nothing")
				}
				// Debug bodies show their structure (names, types, lengths), not even a
				// masked value.
				if level == "debug" && (!strings.Contains(string(logs.Bytes()), `"string(`) ||
					strings.Contains(string(logs.Bytes()), "[card ****1111]")) {
					t.Errorf("debug bodies should show the structure of the body, not its values")
				}
				for _, l := range splitLines(t, emf.Bytes()) {
					for _, bad := range forbidden {
						if strings.Contains(l.raw, bad) {
							t.Errorf("EMF line contains %q", bad)
						}
					}
				}
			})
		}
	}
}

type logLine struct {
	raw    string
	fields map[string]any
}

func splitLines(t *testing.T, b []byte) []logLine {
	t.Helper()
	var out []logLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var f map[string]any
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Errorf("not a JSON line: %v: %s", err, sc.Text())
			continue
		}
		out = append(out, logLine{raw: sc.Text(), fields: f})
	}
	return out
}
