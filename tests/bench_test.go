package tests

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app"
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
	for _, bk := range backends {
		// With the identity layer and the signed events (the demo key, HS256): the
		// full answer, as a signed-in customer gets it, token check included.
		v, err := app.Verifier(cfg, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		e := engine.New(cfg, &identity.Resolver{Verifier: v, Next: intents.New(bk.tools)}, engine.Options{Adapters: adapters.Default(cfg)})
		for _, p := range conversation.Platforms {
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
