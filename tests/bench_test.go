package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
)

// BenchmarkTurn measures one webhook turn in process — decode, engine, intent handler,
// encode — per platform and intent, on the embedded demo backend (SQLite; search_kb
// runs an FTS5 BM25 query with snippets) and, to show what Switchboard's own code
// costs, on the same answers memoized in memory. The target is < 50 µs per
// turn; create_ticket on the demo backend includes a durable SQLite write the first time
// and an external-id lookup after.
//
// The "server" variant is what `switchboard serve` runs for each request once the body
// is read: app.Build on the embedded default (demo tools, the store, idempotency, the
// identity layer, the guard; abuse limits off as in `make bench`), every turn with a
// fresh turn id, so each one is answered rather than replayed.
//
// cpu-ns/op is the process's CPU time per turn (reportCPU: the GC's and the worker
// goroutines' too), steadier than ns/op on a machine other work loads.
func BenchmarkTurn(b *testing.B) {
	cfg, err := config.Load("", []string{})
	if err != nil {
		b.Fatal(err)
	}
	be, err := demo.Open(context.Background(), filepath.Join(b.TempDir(), "demo.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	mem := &memo{be: be}
	backends := []struct {
		name  string
		tools intents.Deps
	}{
		{"demo", intents.Deps{Customers: be, Tickets: be, Payments: be, KB: be}},
		{"memory", intents.Deps{Customers: mem, Tickets: mem, Payments: mem, KB: mem}},
	}
	b.Run("server", func(b *testing.B) { benchServerTurns(b) })
	for _, bk := range backends {
		// With the identity layer and the signed events (the demo key, HS256): the
		// full answer, as a signed-in customer gets it, token check included.
		v, err := app.Verifier(cfg, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		e := engine.New(wiring.Engine(cfg), &identity.Resolver{Verifier: v, Next: intents.New(bk.tools)}, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
		for _, p := range webhookPlatforms() {
			for _, in := range conversation.Intents {
				file := eventFile[in]
				if in != conversation.SearchKB {
					file = strings.TrimSuffix(file, ".json") + "_signed.json"
				}
				body := readEvent(b, p, file)
				b.Run(string(p)+"/"+string(in)+"/"+bk.name, func(b *testing.B) {
					ctx := context.Background()
					b.ReportAllocs()
					b.SetBytes(int64(len(body)))
					defer reportCPU(b)()
					for b.Loop() {
						if r := e.Serve(ctx, p, body); r.Status != 200 {
							b.Fatalf("HTTP %d: %s", r.Status, r.Body)
						}
					}
				})
			}
		}
	}
}

// memo answers each distinct call once from the demo backend, then from memory.
type memo struct {
	be *demo.Backend
	m  sync.Map
}

func remember[T any](m *memo, key string, f func() (T, error)) (T, error) {
	type entry struct {
		v   T
		err error
	}
	if e, ok := m.m.Load(key); ok {
		return e.(entry).v, e.(entry).err
	}
	v, err := f()
	m.m.Store(key, entry{v, err})
	return v, err
}

func (m *memo) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	return remember(m, "c"+email, func() (connector.Customer, error) { return m.be.FindCustomerByEmail(ctx, email) })
}

func (m *memo) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	return remember(m, "t"+t.ExternalID, func() (connector.Ticket, error) { return m.be.CreateTicket(ctx, t) })
}

func (m *memo) OpenTickets(ctx context.Context, email string) ([]connector.Ticket, error) {
	return remember(m, "o"+email, func() ([]connector.Ticket, error) { return m.be.OpenTickets(ctx, email) })
}

func (m *memo) FindPayment(ctx context.Context, ref string) (connector.Payment, error) {
	return remember(m, "p"+ref, func() (connector.Payment, error) { return m.be.FindPayment(ctx, ref) })
}

func (m *memo) RecentPayments(ctx context.Context, email string, limit int) ([]connector.Payment, error) {
	return remember(m, fmt.Sprint("r", email, limit), func() ([]connector.Payment, error) { return m.be.RecentPayments(ctx, email, limit) })
}

func (m *memo) SearchArticles(ctx context.Context, q string, limit int) ([]connector.Article, error) {
	return remember(m, fmt.Sprint("k", q, limit), func() ([]connector.Article, error) { return m.be.SearchArticles(ctx, q, limit) })
}

// benchServerTurns runs each platform × intent through the engine app.Build wires for
// the server, a new turn id each time (written in place: no allocation of the bench's
// own in the figures).
func benchServerTurns(b *testing.B) {
	for _, p := range webhookPlatforms() {
		for _, in := range conversation.Intents {
			file := eventFile[in]
			if in != conversation.SearchKB {
				file = strings.TrimSuffix(file, ".json") + "_signed.json"
			}
			body := readEvent(b, p, file)
			id := benchTurnID(b, p, body)
			// The turn counter outlives each run (-count, a new server): a turn id is
			// never sent twice, so no turn is a replay of an earlier one.
			var n uint64
			at := allIndexes(body, id) // found once: the runs rewrite the id in place
			if len(at) == 0 {
				b.Fatalf("%s/%s: the turn id is not in the event", p, in)
			}
			b.Run(string(p)+"/"+string(in), func(b *testing.B) {
				// A server of its own: the tickets create_ticket makes never reach
				// another case's lookup.
				a := benchApp(b)
				ctx := context.Background()
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				defer reportCPU(b)()
				for b.Loop() {
					n++
					for _, i := range at {
						putTurnID(body[i:i+len(id)], n)
					}
					if r := a.Engine.Serve(ctx, p, body); r.Status != 200 {
						b.Fatalf("HTTP %d: %s", r.Status, r.Body)
					}
				}
			})
		}
	}
}

// benchApp is app.Build as `make bench` starts the server, on a fresh data directory.
func benchApp(b *testing.B) *app.App {
	cfg, err := config.LoadEmbedded([]string{
		"SWITCHBOARD_DATA_DIR=" + b.TempDir(),
		"SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1",
		"SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1",
		"SWITCHBOARD_SECURITY_UPLOADS_PER_SOURCE=-1",
	})
	if err != nil {
		b.Fatal(err)
	}
	a, err := app.Build(context.Background(), cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	return a
}

// benchTurnID finds the turn id in a platform's sample event.
func benchTurnID(b *testing.B, p conversation.Platform, body []byte) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		b.Fatal(err)
	}
	field := func(m any, path ...string) string {
		for _, k := range path {
			mm, _ := m.(map[string]any)
			m = mm[k]
		}
		s, _ := m.(string)
		return s
	}
	id := map[conversation.Platform]string{
		conversation.DialogflowES: field(m, "responseId"),
		conversation.DialogflowCX: field(m, "detectIntentResponseId"),
		conversation.LexV2:        field(m, "sessionState", "originatingRequestId"),
		conversation.Rasa:         field(m, "tracker", "latest_message", "message_id"),
		// A Bedrock agent's turn id is its session id and a hash of the call.
		bedrockagent.Platform: field(m, "sessionId"),
	}[p]
	if len(id) < 12 {
		b.Fatalf("%s: no turn id to vary", p)
	}
	return []byte(id)
}

func allIndexes(s, sep []byte) []int {
	var at []int
	for i := 0; ; {
		j := bytes.Index(s[i:], sep)
		if j < 0 {
			return at
		}
		at = append(at, i+j)
		i += j + len(sep)
	}
}

// putTurnID writes n in hex at the end of dst, which keeps its length and its leading
// characters (the id stays the shape the platform sends).
func putTurnID(dst []byte, n uint64) {
	const hex = "0123456789abcdef"
	for i := len(dst) - 1; i >= len(dst)-12; i-- {
		dst[i] = hex[n&15]
		n >>= 4
	}
}
