package lambdafn_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/telemetry"

	// The demo backend and the lookup intent, as the lookupcustomer function links a
	// real backend and its own handler.
	_ "github.com/switchboard-dev/switchboard/shared/connector/demo"
	_ "github.com/switchboard-dev/switchboard/shared/intents/lookupcustomer/handler"
)

// writes keeps every Write call it gets: on Lambda each is a syscall on stdout and a
// pass through the log pipe.
type writes struct {
	mu    sync.Mutex
	calls [][]byte
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, append([]byte(nil), p...))
	return len(p), nil
}

func (w *writes) n() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.calls)
}

// TestLookupTurnWritesStdoutOnce: a signed Lex lookup served on Lambda's path (the
// handler boot.Init runs: lambdafn.Handler under telemetry.PerInvocation, telemetry
// as on Lambda) reaches stdout in one write per turn: its tool-call line, its turn
// line and its EMF documents together, each a whole JSON line, written before the
// handler returns. (Before: a write per line and one for the EMF, three per turn.)
func TestLookupTurnWritesStdoutOnce(t *testing.T) {
	cfg, err := config.LoadEmbedded([]string{"SWITCHBOARD_DATA_DIR=" + t.TempDir(), "SWITCHBOARD_INTENTS_ENABLED=lookup_customer",
		"SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1", "SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1"})
	if err != nil {
		t.Fatal(err)
	}
	var out writes
	env := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "sb-lookupcustomer", "AWS_LAMBDA_FUNCTION_VERSION": "3"}
	tel, err := telemetry.New(cfg.Service, telemetry.Settings(cfg.Telemetry), telemetry.Options{Logs: &out, EMF: &out, Traces: &out,
		Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.Build(ctx, cfg, app.Options{Telemetry: tel})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	inner := lambdafn.Handler(a.Engine, cfg.Server.MaxBodyBytes)
	var during int
	h := tel.PerInvocation(func(ctx context.Context, ev json.RawMessage) (any, error) {
		r, err := inner(ctx, ev)
		during = out.n()
		return r, err
	})
	event, err := os.ReadFile(filepath.Join("..", "..", "events", "lex", "lookup_customer_signed.json"))
	if err != nil {
		t.Fatal(err)
	}
	for turn := 1; turn <= 3; turn++ {
		before := out.n()
		resp, err := h(ctx, event)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(resp); !strings.Contains(string(b), "Lovelace") {
			t.Fatalf("turn %d: the signed lookup did not find Ada: %s", turn, b)
		}
		if during != before {
			t.Errorf("turn %d: %d writes while the turn ran, want its lines held until it returns", turn, during-before)
		}
		if got := out.n() - before; got != 1 {
			t.Errorf("turn %d: %d writes to stdout, want 1", turn, got)
		}
	}
	msgs := map[string]int{}
	emf := 0
	for i, c := range out.calls {
		if !bytes.HasSuffix(c, []byte("\n")) {
			t.Errorf("write %d does not end at a line end", i)
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(c), "\n"), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("write %d holds a line that is not a whole JSON object (%v): %q", i, err, l)
			}
			if _, ok := m["_aws"]; ok {
				emf++
			} else if s, _ := m["msg"].(string); s != "" {
				msgs[s]++
			}
		}
	}
	if msgs["turn"] != 3 || msgs["tool call"] < 3 || emf < 3 {
		t.Errorf("three turns wrote the lines %v and %d EMF documents, want each turn's tool-call and turn lines and EMF", msgs, emf)
	}
}
