package tests

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// eventFile names each registered intent's sample event in events/<platform>/ (its
// contract's Samples).
var eventFile = func() map[conversation.Intent]string {
	m := map[conversation.Intent]string{}
	for _, in := range spec.All() {
		m[conversation.Intent(in.Name)] = in.Samples
	}
	return m
}()

// goldenCase changes an intent's sample event into one situation.
type goldenCase struct {
	name string
	// slots to set (a nil value removes the slot) in the sample event.
	slots map[string]*string
	// backendDown makes every business tool fail as unavailable.
	backendDown bool
	// signed uses the sample event signed for ada@example.com (<intent>_signed.json).
	signed bool
}

func str(s string) *string { return &s }

// invalidValue is what the invalid_slot case puts in an intent's first required slot:
// no slot kind accepts it.
const invalidValue = "?"

// casesFor lists the situations each intent is tested in, from its contract: its first
// required slot is removed (missing_slot), made invalid (invalid_slot) and given the
// slot's Unknown value (not_found); an intent whose answer depends on who the caller
// is (Identity) is also tested signed in (<intent>_signed.json).
func casesFor(t *testing.T, in conversation.Intent) []goldenCase {
	t.Helper()
	s, ok := spec.Lookup(string(in))
	if !ok {
		t.Fatalf("%s is not registered", in)
	}
	var required *spec.Slot
	for i := range s.Slots {
		if s.Slots[i].Required {
			required = &s.Slots[i]
			break
		}
	}
	if required == nil || required.Unknown == "" {
		t.Fatalf("%s: the golden matrix needs a required slot with an Unknown value "+
			"(spec.Slot.Unknown in shared/intents/%s)", in, s.Function)
	}
	notFound := map[string]*string{required.Name: str(required.Unknown)}
	cases := []goldenCase{
		{name: "success"},
		{name: "missing_slot", slots: map[string]*string{required.Name: nil}},
		{name: "invalid_slot", slots: map[string]*string{required.Name: str(invalidValue)}},
		{name: "not_found", slots: notFound},
		{name: "backend_error", backendDown: true},
	}
	if s.Identity {
		// Since issue 11 the unsigned events are anonymous callers: lookups and payment
		// checks get the neutral answer ("success" and "not_found" read the same), and
		// the full answers live in the signed cases. (A signed update_customer changes
		// the token's customer's own record, whatever the slot names.)
		cases = append(cases,
			goldenCase{name: "signed", signed: true},
			goldenCase{name: "signed_not_found", signed: true, slots: notFound},
			goldenCase{name: "signed_backend_error", signed: true, backendDown: true})
	}
	return cases
}

// TestGoldenMatrix runs every platform × intent × situation through the whole stack
// (adapter → engine → intents → demo backend → adapter), validates each 200 response
// against the platform's response schema, and compares it with its golden file.
func TestGoldenMatrix(t *testing.T) {
	for _, p := range webhookPlatforms() {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			for _, in := range conversation.Intents {
				for _, c := range casesFor(t, in) {
					t.Run(string(in)+"/"+c.name, func(t *testing.T) {
						file := eventFile[in]
						if file == "" {
							t.Fatalf("%s registers no sample event (spec.Intent.Samples)", in)
						}
						if c.signed {
							file = strings.TrimSuffix(file, ".json") + "_signed.json"
						}
						body := readEvent(t, p, file)
						if c.slots != nil {
							body = withSlots(t, p, body, c.slots)
						}
						e := newEngine(t, c.backendDown)
						resp := e.Serve(context.Background(), p, body)
						checkResponse(t, p, resp)
						golden(t, filepath.Join("testdata", "golden", string(p), string(in), c.name+".json"), resp)
					})
				}
			}
			for _, c := range []struct{ name, file string }{
				{"malformed_json", "malformed.json"},
				{"unknown_intent", "invalid/unknown_intent.json"},
			} {
				t.Run(c.name, func(t *testing.T) {
					resp := newEngine(t, false).Serve(context.Background(), p, readEvent(t, p, c.file))
					checkResponse(t, p, resp)
					golden(t, filepath.Join("testdata", "golden", string(p), c.name+".json"), resp)
				})
			}
		})
	}
}

func readEvent(t testing.TB, p conversation.Platform, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "events", string(p), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newEngine wires the default stack on a fresh demo database, or on tools that are all
// down.
func newEngine(t *testing.T, down bool) *engine.Engine {
	t.Helper()
	var deps intents.Deps
	if down {
		deps = intents.Deps{Customers: downTool{}, Tickets: downTool{}, Payments: downTool{}, KB: downTool{}, Updater: downTool{}}
	} else {
		b, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		deps = intents.Deps{Customers: b, Tickets: b, Payments: b, KB: b, Updater: b}
	}
	return engineOver(t, deps)
}

// engineOver wires newEngine's stack over deps.
func engineOver(t *testing.T, deps intents.Deps) *engine.Engine {
	t.Helper()
	cfg, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	deps.SupportEmail = cfg.SupportEmail
	// The identity layer with the demo key (what `make run` accepts): the signed
	// events verify, the unsigned ones are anonymous. No codes: anonymous callers get
	// the neutral answer.
	v, err := app.Verifier(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &identity.Resolver{Verifier: v, Next: intents.New(deps)}
	return engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
}

// checkResponse validates a response: 200 bodies against the platform's schema, errors
// as JSON with a reason.
func checkResponse(t *testing.T, p conversation.Platform, resp engine.Response) {
	t.Helper()
	if resp.Status == 200 {
		schematest.Validate(t, p, resp.Body)
		return
	}
	var reason struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(resp.Body, &reason); err != nil || reason.Error == "" {
		t.Fatalf("HTTP %d without a JSON reason: %s", resp.Status, resp.Body)
	}
}

func golden(t *testing.T, path string, resp engine.Response) {
	t.Helper()
	var pretty bytes.Buffer
	fmt.Fprintf(&pretty, "{\n  \"status\": %d,\n  \"body\": ", resp.Status)
	if err := json.Indent(&pretty, resp.Body, "  ", "  "); err != nil {
		t.Fatalf("body is not JSON: %s", resp.Body)
	}
	pretty.WriteString("\n}\n")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tests -run Golden -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("response differs from %s\ngot:\n%s\nwant:\n%s", path, pretty.Bytes(), want)
	}
}

// downTool is every business tool failing as unavailable.
type downTool struct{}

var errDown = &connector.Error{Kind: connector.KindUnavailable, Tool: "test", Op: "any", StatusCode: 503}

func (downTool) FindCustomerByEmail(context.Context, string) (connector.Customer, error) {
	return connector.Customer{}, errDown
}
func (downTool) CreateTicket(context.Context, connector.NewTicket) (connector.Ticket, error) {
	return connector.Ticket{}, errDown
}
func (downTool) OpenTickets(context.Context, string) ([]connector.Ticket, error) { return nil, errDown }
func (downTool) FindPayment(context.Context, string) (connector.Payment, error) {
	return connector.Payment{}, errDown
}
func (downTool) RecentPayments(context.Context, string, int) ([]connector.Payment, error) {
	return nil, errDown
}
func (downTool) SearchArticles(context.Context, string, int) ([]connector.Article, error) {
	return nil, errDown
}
func (downTool) UpdateCustomer(context.Context, string, connector.ContactChange) (connector.Customer, error) {
	return connector.Customer{}, errDown
}

// withSlots sets or removes slot values in a sample event, where each platform carries
// them.
func withSlots(t *testing.T, p conversation.Platform, body []byte, slots map[string]*string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	obj := func(m map[string]any, path ...string) map[string]any {
		for _, k := range path {
			next, _ := m[k].(map[string]any)
			if next == nil {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		return m
	}
	for name, v := range slots {
		switch p {
		case conversation.DialogflowES:
			setOrDelete(obj(ev, "queryResult", "parameters"), name, v)
			ctxs, _ := obj(ev, "queryResult")["outputContexts"].([]any)
			for _, c := range ctxs {
				if cm, ok := c.(map[string]any); ok {
					if params, ok := cm["parameters"].(map[string]any); ok {
						setOrDelete(params, name, v)
						delete(params, name+".original")
					}
				}
			}
		case conversation.DialogflowCX:
			setOrDelete(obj(ev, "sessionInfo", "parameters"), name, v)
			if ii, ok := ev["intentInfo"].(map[string]any); ok {
				if params, ok := ii["parameters"].(map[string]any); ok {
					if v == nil {
						delete(params, name)
					} else {
						params[name] = map[string]any{"originalValue": *v, "resolvedValue": *v}
					}
				}
			}
		case conversation.LexV2:
			s := obj(ev, "sessionState", "intent", "slots")
			if v == nil {
				s[name] = nil
			} else {
				s[name] = map[string]any{"shape": "Scalar", "value": map[string]any{
					"originalValue": *v, "interpretedValue": *v, "resolvedValues": []any{*v}}}
			}
		case bedrockagent.Platform:
			bedrockSetParam(ev, name, v)
		case conversation.Rasa:
			s := obj(ev, "tracker", "slots")
			if v == nil {
				s[name] = nil
			} else {
				s[name] = *v
			}
			lm := obj(ev, "tracker", "latest_message")
			if ents, ok := lm["entities"].([]any); ok {
				kept := ents[:0]
				for _, e := range ents {
					if em, ok := e.(map[string]any); ok && em["entity"] == name {
						continue
					}
					kept = append(kept, e)
				}
				lm["entities"] = kept
			}
		}
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func setOrDelete(m map[string]any, k string, v *string) {
	if v == nil {
		delete(m, k)
		return
	}
	m[k] = *v
}

// Hostile text from the helpdesk, the knowledge base and an anonymous caller (issue 21).
const (
	hostileSubject = "[Reset your password](https://evil.example/login) <img src=x onerror=alert(1)>"
	hostileQuery   = "quarantine"
)

// hostileArticles are stored in the demo help center next to its own: a title with a
// javascript: link, an article whose link is http, and one with an allowed https link
// but Markdown emphasis in its title.
var hostileArticles = []struct{ id, slug, title, body, url string }{
	{"901", "guide", "[Quarantine guide](javascript:alert(1))", "Quarantine explained: <script>alert(1)</script> read on.", "javascript:alert(1)"},
	{"902", "plain", "Quarantine over plain http", "Quarantine, but fetched over http://help.example.com.", "http://help.example.com/articles/902-plain"},
	{"903", "release", "Quarantine **release** steps", "Release a quarantined message from the Quarantine page.", "https://help.example.com/articles/903-release"},
}

// TestGoldenHostileToolText runs, on every platform, what an attacker does: file a
// ticket for someone else's email without signing in, with a Markdown link and an
// HTML img onerror as its subject, while the help center holds articles with a
// javascript: and an http link. The golden replies show the anonymous caller's own
// confirmation, the owner filing a ticket with the same hostile subject, the owner's
// signed lookup (the stranger's ticket neither quoted nor counted) and the search: no
// markup, no HTML, links only https on the tool's hosts.
func TestGoldenHostileToolText(t *testing.T) {
	for _, p := range webhookPlatforms() {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			e := hostileEngine(t)
			steps := []struct {
				name, file, turnID string
				slots              map[string]*string
			}{
				{"anonymous_create_ticket", "create_ticket.json", "hostile-anon-1",
					map[string]*string{intents.SlotEmail: str("ada@example.com"), intents.SlotSubject: str(hostileSubject)}},
				{"signed_create_ticket", "create_ticket_signed.json", "hostile-own-1",
					map[string]*string{intents.SlotSubject: str(hostileSubject)}},
				{"signed_lookup_customer", "lookup_customer_signed.json", "hostile-lookup-1", nil},
				{"search_kb", "search_kb.json", "hostile-kb-1", map[string]*string{intents.SlotQuery: str(hostileQuery)}},
			}
			for _, s := range steps {
				body := withPlatformTurnID(t, p, readEvent(t, p, s.file), s.turnID)
				if s.slots != nil {
					body = withSlots(t, p, body, s.slots)
				}
				resp := e.Serve(context.Background(), p, body)
				checkResponse(t, p, resp)
				checkInert(t, s.name, resp.Body)
				golden(t, filepath.Join("testdata", "golden", string(p), "hostile", s.name+".json"), resp)
			}
		})
	}
}

// checkInert fails on what must never reach a channel whatever the golden files say:
// a live Markdown link, an HTML tag, or a link that is not https on the demo's hosts,
// in any field the channel shows.
func checkInert(t *testing.T, step string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(k string, v any)
	walk = func(k string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for kk, vv := range x {
				switch kk {
				case "outputContexts", "sessionInfo", "sessionState", "events":
					// The dialog's state (the slots the caller typed, echoed back to
					// the platform), not what the channel shows.
					continue
				}
				walk(kk, vv)
			}
		case []any:
			for _, vv := range x {
				walk(k, vv)
			}
		case string:
			for _, bad := range []string{"](", "<img", "<script", "javascript:alert", "http://help", "https://evil"} {
				if strings.Contains(x, bad) && !(bad == "javascript:alert" && !isLinkField(k)) {
					t.Errorf("%s: field %q carries %q: %q", step, k, bad, x)
				}
			}
			// A button's payload that is a bare value (a quick reply's "yes") is no link.
			bare := k == "payload" && !strings.ContainsAny(x, ":/.")
			if isLinkField(k) && x != "" && !bare && !strings.HasPrefix(x, "https://help.example.com/") &&
				!strings.HasPrefix(x, "https://support.example.com/") {
				t.Errorf("%s: link %q = %q is not https on the demo's hosts", step, k, x)
			}
		}
	}
	walk("", v)
}

func isLinkField(k string) bool {
	switch k {
	case "actionLink", "link", "href", "url", "postback", "payload":
		return true
	}
	return false
}

// hostileEngine is newEngine's stack on a demo database that also holds
// hostileArticles.
func hostileEngine(t *testing.T) *engine.Engine {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	b, err := demo.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, a := range hostileArticles {
		if _, err := db.Exec(`INSERT INTO articles (id, slug, title, body, url) VALUES (?, ?, ?, ?, ?)`,
			a.id, a.slug, a.title, a.body, a.url); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')`); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := app.Verifier(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	deps := intents.Deps{Customers: b, Tickets: b, Payments: b, KB: b, Updater: b, SupportEmail: cfg.SupportEmail}
	h := &identity.Resolver{Verifier: v, Next: intents.New(deps)}
	return engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
}

// withPlatformTurnID gives a sample event its own turn id, so each step files its own ticket.
func withPlatformTurnID(t *testing.T, p conversation.Platform, body []byte, id string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	switch p {
	case conversation.DialogflowES:
		ev["responseId"] = id
	case conversation.DialogflowCX:
		ev["detectIntentResponseId"] = id
	case conversation.LexV2:
		ss, _ := ev["sessionState"].(map[string]any)
		ss["originatingRequestId"] = id
	case conversation.Rasa:
		tr, _ := ev["tracker"].(map[string]any)
		lm, _ := tr["latest_message"].(map[string]any)
		lm["message_id"] = id
	case bedrockagent.Platform:
		bedrockWithTurn(ev, ev["sessionId"].(string), id)
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
