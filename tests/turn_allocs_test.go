package tests

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
)

// TestLookupTurnAllocations counts the allocations of BenchmarkTurn's signed
// lookup_customer turn on memoized answers (.../lookup_customer/memory): every
// platform's decode and encode, and what runs between them — the engine, the
// identity layer, the intent's validation, its three calls and its answer. The bound
// is each platform's count with the per-turn work of the engine and the lookup cut
// (2026-12-05: Dialogflow ES 83, from 135 before); a change that adds allocations
// to every turn fails here before it shows in the benchmarks.
func TestLookupTurnAllocations(t *testing.T) {
	cfg, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	be, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	mem := &memo{be: be}
	v, err := app.Verifier(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(wiring.Engine(cfg), &identity.Resolver{Verifier: v, Next: intents.New(intents.Deps{
		Customers: mem, Tickets: mem, Payments: mem, KB: mem})}, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
	// Before: dialogflow 135, dialogflow-cx 132, lex 153, rasa 137, bedrock-agent 151;
	// after: 83, 80, 101, 85, 99.
	bound := map[conversation.Platform]float64{
		conversation.DialogflowES: 90, conversation.DialogflowCX: 87,
		conversation.LexV2: 108, conversation.Rasa: 92, "bedrock-agent": 106,
	}
	for _, p := range webhookPlatforms() {
		body := readEvent(t, p, strings.TrimSuffix(eventFile[conversation.LookupCustomer], ".json")+"_signed.json")
		serve := func() {
			if r := e.Serve(context.Background(), p, body); r.Status != 200 {
				t.Fatalf("%s: HTTP %d: %s", p, r.Status, r.Body)
			}
		}
		serve() // the memo, the token cache and the catalogues filled
		n := testing.AllocsPerRun(200, serve)
		t.Logf("%s: %v allocations per turn", p, n)
		if max, ok := bound[p]; !ok || n > max {
			t.Errorf("%s: %v allocations per turn, want at most %v", p, n, max)
		}
	}
}
