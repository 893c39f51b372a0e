package tests

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/platform/adapters"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/intents"
)

// BenchmarkTurn measures one webhook turn in process — decode, engine, intent handler on
// the embedded demo backend (SQLite), encode — per platform and intent. The issue's
// target is < 50 µs per read turn; create_ticket includes a durable SQLite insert.
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
	e := engine.New(cfg, intents.New(intents.Deps{Customers: be, Tickets: be, Payments: be, KB: be}),
		engine.Options{Adapters: adapters.Default(cfg)})
	for _, p := range conversation.Platforms {
		for _, in := range conversation.Intents {
			body := readEvent(b, p, eventFile[in])
			b.Run(string(p)+"/"+string(in), func(b *testing.B) {
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
