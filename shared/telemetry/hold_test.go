package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// writeRecorder keeps every Write call it gets, as the bytes of that call: a write
// to Lambda's stdout is a syscall and a pass through the log pipe.
type writeRecorder struct {
	mu     sync.Mutex
	writes [][]byte
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, append([]byte(nil), p...))
	return len(p), nil
}

func (w *writeRecorder) calls() [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([][]byte(nil), w.writes...)
}

// lines checks that every write ends at a line end and returns every line written.
func (w *writeRecorder) lines(t *testing.T) []string {
	t.Helper()
	var out []string
	for i, b := range w.calls() {
		if len(b) == 0 || b[len(b)-1] != '\n' {
			t.Errorf("write %d does not end at a line end: %.80q…", i, b)
		}
		out = append(out, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")...)
	}
	return out
}

var lambdaEnv = map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "switchboard-lookup", "AWS_LAMBDA_FUNCTION_VERSION": "7"}

func lambdaTelemetry(t testing.TB, w *writeRecorder) *Telemetry {
	t.Helper()
	tel, err := New("switchboard", Settings{}, Options{Logs: w, EMF: w, Traces: w, Getenv: func(k string) string { return lambdaEnv[k] }})
	if err != nil {
		t.Fatal(err)
	}
	return tel
}

// lookupTurn runs what a lookup turn reports to telemetry: its start, one tool call,
// its end (the turn line and, on Lambda, the EMF flush).
func lookupTurn(tel *Telemetry, ctx context.Context) {
	turn := conversation.Turn{Platform: conversation.DialogflowES, Intent: conversation.LookupCustomer,
		SessionID: "projects/p/agent/sessions/1b2c3d4e", TurnID: "0f9e8d7c-6b5a"}
	tctx := tel.StartTurn(ctx, engine.TurnStart{Platform: conversation.DialogflowES, Turn: turn})
	tel.OnCall(tctx, resilience.CallInfo{Tool: "hubspot", Op: "find_customer", Attempt: 1, Latency: 40 * time.Millisecond})
	tel.EndTurn(tctx, engine.TurnEnd{Platform: conversation.DialogflowES, Turn: turn, Status: 200, Latency: 52 * time.Millisecond,
		Reply: conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"I found Ada Lovelace."}}})
}

// TestLambdaTurnInOneWrite: on Lambda a lookup turn's lines (the tool-call line, the
// turn line, the EMF documents) reach stdout in one write, made before the handler
// returns, and every line in it is a whole JSON object. (Before: one write per line
// and one for the EMF documents, three for this turn.)
func TestLambdaTurnInOneWrite(t *testing.T) {
	var w writeRecorder
	tel := lambdaTelemetry(t, &w)
	var during int
	h := tel.PerInvocation(func(ctx context.Context, _ json.RawMessage) (any, error) {
		lookupTurn(tel, ctx)
		during = len(w.calls())
		return "reply", nil
	})
	for turn := 1; turn <= 3; turn++ {
		out, err := h(context.Background(), json.RawMessage(`{}`))
		if err != nil || out != "reply" {
			t.Fatalf("handler: %v, %v", out, err)
		}
		if during != turn-1 {
			t.Errorf("turn %d: %d writes while the turn ran, want the lines held", turn, during-(turn-1))
		}
		if got := len(w.calls()); got != turn {
			t.Fatalf("after %d turns: %d writes to stdout, want one per turn", turn, got)
		}
	}
	msgs := map[string]int{}
	emf := 0
	for _, l := range w.lines(t) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line is not a whole JSON object: %v: %q", err, l)
		}
		if _, ok := m["_aws"]; ok {
			emf++
			continue
		}
		msgs[m["msg"].(string)]++
	}
	if msgs["tool call"] != 3 || msgs["turn"] != 3 || emf < 3 {
		t.Errorf("three turns wrote %v and %d EMF documents, want every tool-call and turn line and the EMF", msgs, emf)
	}
}

// TestPanicStillWritesTheHeldLines: a handler that panics mid-turn still writes the
// lines its turn logged before the panic, and the panic goes on to the runtime.
func TestPanicStillWritesTheHeldLines(t *testing.T) {
	var w writeRecorder
	tel := lambdaTelemetry(t, &w)
	h := tel.PerInvocation(func(ctx context.Context, _ json.RawMessage) (any, error) {
		tctx := tel.StartTurn(ctx, engine.TurnStart{Platform: conversation.LexV2, Turn: conversation.Turn{Intent: conversation.LookupCustomer}})
		tel.OnCall(tctx, resilience.CallInfo{Tool: "hubspot", Op: "find_customer", Attempt: 1, Latency: time.Millisecond})
		tel.Logger.WarnContext(tctx, "about to fail")
		panic("boom")
	})
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the handler's panic passed on", r)
			}
		}()
		_, _ = h(context.Background(), json.RawMessage(`{}`))
	}()
	calls := w.calls()
	if len(calls) != 1 {
		t.Fatalf("%d writes after the panic, want the held lines in one", len(calls))
	}
	if !bytes.Contains(calls[0], []byte(`"msg":"tool call"`)) || !bytes.Contains(calls[0], []byte(`"msg":"about to fail"`)) {
		t.Errorf("the lines logged before the panic are missing: %s", calls[0])
	}
	// Holding ended with the invocation: the next line goes through at once.
	tel.Logger.Info("after")
	if len(w.calls()) != 2 {
		t.Errorf("a line after the invocation was held")
	}
}

// TestBatchSplitsOnLineEnds: lines past maxBatch are written in more than one write,
// each at most maxBatch bytes and ending at a line end; none is lost or cut, and a
// line longer than maxBatch is written whole, alone.
func TestBatchSplitsOnLineEnds(t *testing.T) {
	var w writeRecorder
	tel := lambdaTelemetry(t, &w)
	long := strings.Repeat("x", maxBatch+1000)
	const n = 400
	h := tel.PerInvocation(func(ctx context.Context, _ json.RawMessage) (any, error) {
		for i := range n {
			tel.Logger.InfoContext(ctx, "line", "i", i, "pad", strings.Repeat("p", 300))
			if i == n/2 {
				tel.Logger.InfoContext(ctx, "long", "v", long)
			}
		}
		return nil, nil
	})
	if _, err := h(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	calls := w.calls()
	total := len(bytes.Join(calls, nil))
	if len(calls) < 3 || len(calls) > total/maxBatch+3 {
		t.Fatalf("%d writes for %d KiB of lines, want them in batches of up to %d KiB", len(calls), total>>10, maxBatch>>10)
	}
	seen := map[float64]bool{}
	longs := 0
	for _, l := range w.lines(t) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("a line was cut: %v (%d bytes)", err, len(l))
		}
		switch m["msg"] {
		case "line":
			seen[m["i"].(float64)] = true
		case "long":
			longs++
		}
	}
	if len(seen) != n || longs != 1 {
		t.Errorf("%d of %d lines and %d long lines written", len(seen), n, longs)
	}
	for i, c := range calls {
		if len(c) > maxBatch && bytes.Count(c, []byte{'\n'}) != 1 {
			t.Errorf("write %d is %d bytes with %d lines: over the cap with more than one line", i, len(c), bytes.Count(c, []byte{'\n'}))
		}
	}
}

// TestLinesAfterTheReplyAreNotHeld: a line logged outside an invocation (by work a
// turn left running after its reply) is written at once, never held for a next
// invocation that may not come before the sandbox is frozen.
func TestLinesAfterTheReplyAreNotHeld(t *testing.T) {
	var w writeRecorder
	tel := lambdaTelemetry(t, &w)
	h := tel.PerInvocation(func(context.Context, json.RawMessage) (any, error) { return nil, nil })
	_, _ = h(context.Background(), nil)
	tel.Logger.Info("late tool call")
	if len(w.calls()) != 1 {
		t.Fatalf("%d writes, want the late line written at once", len(w.calls()))
	}
}

// TestDeadlineWritesTheHeldLines: an invocation still running deadlineMargin before
// its deadline writes what it holds then, and its later lines go through at once:
// Lambda ends it at the deadline without running the deferred flush. One that starts
// already within the margin holds nothing. It runs in a synctest bubble: the clock is
// fake, so the margin is checked to the nanosecond and the hang costs no real time.
func TestDeadlineWritesTheHeldLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var w writeRecorder
		tel := lambdaTelemetry(t, &w)
		ctx, cancel := context.WithTimeout(context.Background(), deadlineMargin+time.Second)
		defer cancel()
		h := tel.PerInvocation(func(ctx context.Context, _ json.RawMessage) (any, error) {
			tel.Logger.InfoContext(ctx, "before the hang")
			// A turn stuck until Lambda's timeout: the line is held until the deadline
			// less the margin, and comes out then, before the deadline.
			dl, _ := ctx.Deadline()
			time.Sleep(time.Until(dl) - deadlineMargin - time.Nanosecond)
			synctest.Wait()
			if got := len(w.calls()); got != 0 {
				t.Errorf("%d writes a nanosecond before the deadline less the margin, want the line held", got)
			}
			time.Sleep(time.Nanosecond)
			synctest.Wait()
			if got := len(w.calls()); got != 1 || ctx.Err() != nil {
				t.Errorf("%d writes at the deadline less the margin (ctx err %v), want the held line written before the deadline", got, ctx.Err())
			}
			tel.Logger.InfoContext(ctx, "past the margin")
			if got := len(w.calls()); got != 2 {
				t.Errorf("a line past the margin was held (%d writes)", got)
			}
			return nil, nil
		})
		_, _ = h(ctx, nil)
		if got := len(w.calls()); got != 2 {
			t.Errorf("%d writes in all, want 2", got)
		}

		short, cancel2 := context.WithTimeout(context.Background(), deadlineMargin/2)
		defer cancel2()
		h2 := tel.PerInvocation(func(ctx context.Context, _ json.RawMessage) (any, error) {
			tel.Logger.InfoContext(ctx, "a")
			if got := len(w.calls()); got != 3 {
				t.Errorf("within the margin a line was held (%d writes)", got)
			}
			return nil, nil
		})
		_, _ = h2(short, nil)

		// The next invocation holds again.
		h3 := tel.PerInvocation(func(ctx context.Context, _ json.RawMessage) (any, error) {
			tel.Logger.InfoContext(ctx, "b")
			tel.Logger.InfoContext(ctx, "c")
			return nil, nil
		})
		_, _ = h3(context.Background(), nil)
		if got := len(w.calls()); got != 4 {
			t.Errorf("the next invocation made %d writes, want 1", got-3)
		}
	})
}

// TestConcurrentInvocationsLoseNothing: invocations running at once (Lambda managed
// instances) share the holder; every line of every invocation is written by the time
// that invocation returns, whole.
func TestConcurrentInvocationsLoseNothing(t *testing.T) {
	var w writeRecorder
	tel := lambdaTelemetry(t, &w)
	var missing sync.Map
	h := tel.PerInvocation(func(ctx context.Context, ev json.RawMessage) (any, error) {
		lookupTurn(tel, ctx)
		tel.Logger.InfoContext(ctx, "mark", "id", string(ev))
		return nil, nil
	})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := string(rune('a' + i))
			_, _ = h(context.Background(), json.RawMessage(id))
			if !bytes.Contains(bytes.Join(w.calls(), nil), []byte(`"id":"`+id+`"`)) {
				missing.Store(id, true)
			}
		}()
	}
	wg.Wait()
	missing.Range(func(k, _ any) bool {
		t.Errorf("invocation %s returned before its line was written", k)
		return true
	})
	n := 0
	for _, l := range w.lines(t) {
		if !json.Valid([]byte(l)) {
			t.Fatalf("line cut: %q", l)
		}
		n++
	}
	if n < 16*3 {
		t.Errorf("%d lines, want at least 48", n)
	}
}

// TestNotHeldOffLambda: `switchboard serve` writes every line at once.
func TestNotHeldOffLambda(t *testing.T) {
	var w writeRecorder
	tel, err := New("switchboard", Settings{}, Options{Logs: &w, EMF: &w, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	h := tel.PerInvocation(func(ctx context.Context, _ json.RawMessage) (any, error) {
		lookupTurn(tel, ctx)
		if len(w.calls()) != 2 {
			t.Errorf("%d writes during the turn, want the tool-call and turn lines at once", len(w.calls()))
		}
		return nil, nil
	})
	_, _ = h(context.Background(), nil)
}

// TestFailedWriteLosesOnlyItsBatch: a batch whose write fails does not keep the
// batches after it from being written.
func TestFailedWriteLosesOnlyItsBatch(t *testing.T) {
	var w writeRecorder
	fail := true
	fw := writerFunc(func(p []byte) (int, error) {
		if fail {
			fail = false
			return 0, errors.New("pipe full")
		}
		return w.Write(p)
	})
	b := bytes.Repeat([]byte(strings.Repeat("y", 1000)+"\n"), 3*maxBatch/1000)
	if err := writeBatches(fw, b); err == nil {
		t.Error("the failed write is not reported")
	}
	if len(w.calls()) < 2 {
		t.Errorf("%d batches written after the failed one, want the rest", len(w.calls()))
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
