package telemetry

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// BenchmarkTurnOverhead measures what logging and metrics add to one turn at info
// level: the turn hook (context, turn line, intent metrics) and one business-tool call
// (tool line, tool metrics), logs written to io.Discard. "lambda" also writes the EMF
// documents after the turn, as a Lambda function does; "serve" keeps only the
// Prometheus counters.
func BenchmarkTurnOverhead(b *testing.B) {
	for _, mode := range []struct {
		name, emf string
		calls     int
	}{{"serve/1call", "off", 1}, {"lambda/1call", "on", 1}, {"lambda/3calls", "on", 3}} {
		b.Run(mode.name, func(b *testing.B) {
			cfg := config.Default()
			cfg.Telemetry.EMF = mode.emf
			tel, err := New(cfg.Service, Settings(cfg.Telemetry), Options{Logs: io.Discard, EMF: io.Discard, Getenv: func(k string) string {
				return map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "switchboard-lookup",
					"_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}[k]
			}})
			if err != nil {
				b.Fatal(err)
			}
			turn := conversation.Turn{Platform: conversation.DialogflowES, Intent: conversation.LookupCustomer,
				SessionID: "projects/p/agent/sessions/1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809", TurnID: "0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b"}
			reply := conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"I found Ada Lovelace."}}
			ctx := WithRequest(context.Background(), RequestInfo{ID: "8f5c2a1e-1111-2222-3333-444455556666"})
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				tctx := tel.StartTurn(ctx, engine.TurnStart{Platform: conversation.DialogflowES, Turn: turn})
				for i := 0; i < mode.calls; i++ {
					tel.OnCall(tctx, resilience.CallInfo{Tool: "hubspot", Op: "find_customer", Attempt: 1, Latency: 40 * time.Millisecond})
				}
				tel.EndTurn(tctx, engine.TurnEnd{Platform: conversation.DialogflowES, Turn: turn, Reply: reply, Status: 200, Latency: 52 * time.Millisecond})
			}
			// CPU time per turn (user+system of the process, GC included): unlike
			// ns/op it does not grow when other processes share the cores.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkRedactString(b *testing.B) {
	r := newRedactor("zd-api-token-9f8e7d6c5b4a3210")
	for _, in := range []string{"lookup_customer", "Sorry, our systems are slow to answer right now.",
		"customer jane.doe@example.com, card 4242 4242 4242 4242, Bearer abcdefghijkl"} {
		b.Run(in[:8], func(b *testing.B) {
			for b.Loop() {
				_ = r.String(in)
			}
		})
	}
}

// BenchmarkLambdaTurnStdout is one lookup turn's telemetry on Lambda (turn hook, one
// tool call, the EMF flush) written to a real file descriptor (/dev/null: every write
// is a syscall, as on Lambda's stdout pipe): "per-line" writes each line and the EMF
// documents as they come (what a function did before PerInvocation, and what a line
// outside an invocation still does), "held" runs the turn under PerInvocation with a
// deadline, as boot.Init does. writes/op counts the writes reaching the file.
func BenchmarkLambdaTurnStdout(b *testing.B) {
	for _, held := range []bool{false, true} {
		name := "per-line"
		if held {
			name = "held"
		}
		b.Run(name, func(b *testing.B) {
			devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer devnull.Close()
			w := &countingWriter{w: devnull}
			tel, err := New("switchboard", Settings{}, Options{Logs: w, EMF: w, Traces: w, Getenv: func(k string) string { return lambdaEnv[k] }})
			if err != nil {
				b.Fatal(err)
			}
			h := func(ctx context.Context, _ json.RawMessage) (any, error) {
				lookupTurn(tel, ctx)
				return nil, nil
			}
			if held {
				h = tel.PerInvocation(h)
			}
			ctx, cancel := context.WithTimeout(WithRequest(context.Background(), RequestInfo{ID: "8f5c2a1e-1111-2222-3333-444455556666"}), time.Hour)
			defer cancel()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				_, _ = h(ctx, nil)
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(w.n)/float64(b.N), "writes/op")
		})
	}
}

type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) { c.n++; return c.w.Write(p) }
