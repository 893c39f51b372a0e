package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// testAdapter is a minimal platform for engine unit tests: the body is a JSON Turn and
// the response is the JSON Reply. The real adapters are tested in their packages and
// end to end.
type testAdapter struct{}

func (testAdapter) Platform() conversation.Platform { return "test" }
func (testAdapter) Decode(body []byte) (platform.Request, error) {
	var t conversation.Turn
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, platform.NewBadRequest("test", "body is not JSON")
	}
	return testRequest{t}, nil
}

type testRequest struct{ t conversation.Turn }

func (r testRequest) Turn() conversation.Turn { return r.t }
func (r testRequest) Encode(rep conversation.Reply) (int, []byte, error) {
	b, err := json.Marshal(rep)
	return 200, b, err
}

// defaults are the settings the embedded configuration gives the engine.
func defaults() Settings {
	return Settings{SupportEmail: "support@example.com", ReplyMargin: 300 * time.Millisecond}
}

func newEngine(s Settings, h conversation.HandlerFunc) *Engine {
	return New(s, h, Options{Adapters: map[conversation.Platform]platform.Adapter{conversation.DialogflowES: testAdapter{}}})
}

func serve(t *testing.T, e *Engine, turn conversation.Turn) (Response, conversation.Reply) {
	t.Helper()
	body, _ := json.Marshal(turn)
	resp := e.Serve(context.Background(), conversation.DialogflowES, body)
	var r conversation.Reply
	if err := json.Unmarshal(resp.Body, &r); err != nil {
		t.Fatalf("response %q: %v", resp.Body, err)
	}
	return resp, r
}

func ok(context.Context, conversation.Turn) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"done"}}
}

func TestServe(t *testing.T) {
	t.Parallel()
	e := newEngine(defaults(), ok)
	if _, r := serve(t, e, conversation.Turn{Intent: conversation.LookupCustomer}); r.Outcome != conversation.OutcomeFulfilled {
		t.Fatalf("outcome %s", r.Outcome)
	}
	if _, r := serve(t, e, conversation.Turn{}); r.Outcome != conversation.OutcomeUnknownIntent {
		t.Fatalf("unknown intent: outcome %s", r.Outcome)
	}
	resp := e.Serve(context.Background(), conversation.DialogflowES, []byte("{nope"))
	if resp.Status != 400 || !strings.Contains(string(resp.Body), "not JSON") {
		t.Fatalf("malformed: %d %s", resp.Status, resp.Body)
	}
	if resp := e.Serve(context.Background(), conversation.Rasa, []byte("{}")); resp.Status != 404 {
		t.Fatalf("unknown platform: %d", resp.Status)
	}
}

func TestDisabledIntentIsRejected(t *testing.T) {
	t.Parallel()
	cfg := defaults()
	cfg.Enabled = []conversation.Intent{conversation.LookupCustomer}
	called := false
	e := newEngine(cfg, func(context.Context, conversation.Turn) conversation.Reply {
		called = true
		return conversation.Reply{}
	})
	_, r := serve(t, e, conversation.Turn{Intent: conversation.VerifyPayment})
	if r.Outcome != conversation.OutcomeRejected || called {
		t.Fatalf("outcome %s, handler called %v", r.Outcome, called)
	}
}

func TestBudgetFallbackArrivesBeforeDeadline(t *testing.T) {
	t.Parallel()
	cfg := defaults()
	cfg.Deadlines = map[conversation.Platform]time.Duration{conversation.DialogflowES: 300 * time.Millisecond}
	cfg.ReplyMargin = 100 * time.Millisecond
	// The engine's clock is pinned to the turn's arrival, so the budget it computes is
	// exact: the platform deadline (arrival + 300ms) minus the 100ms reply margin.
	arrival := time.Now()
	var budget time.Time
	release, returned := make(chan struct{}), make(chan struct{})
	e := New(cfg, conversation.HandlerFunc(func(ctx context.Context, t conversation.Turn) conversation.Reply {
		defer close(returned)
		budget, _ = ctx.Deadline()
		// A handler that ignores its context: it answers only when the test lets it
		// (or after a minute), so an engine that waited for it cannot pass.
		select {
		case <-release:
		case <-time.After(time.Minute):
		}
		return ok(ctx, t)
	}), Options{Adapters: map[conversation.Platform]platform.Adapter{conversation.DialogflowES: testAdapter{}},
		Now: func() time.Time { return arrival }})
	_, r := serve(t, e, conversation.Turn{Intent: conversation.CreateTicket})
	select {
	case <-returned:
		t.Fatal("the engine waited for the handler instead of answering at the budget")
	default:
	}
	close(release)
	<-returned
	if want := arrival.Add(200 * time.Millisecond); !budget.Equal(want) {
		t.Errorf("handler budget ends at arrival+%s, want arrival+200ms (300ms deadline - 100ms margin)", budget.Sub(arrival))
	}
	if r.Outcome != conversation.OutcomeFailed || !strings.Contains(r.Text(), "couldn't confirm") {
		t.Fatalf("got %s %q", r.Outcome, r.Text())
	}
	// The engine's answer for a handler that did not answer is a fallback, on the wire.
	if !r.Fallback {
		t.Error("budget fallback not marked Fallback")
	}
}

func TestHandlerSeesBudgetAsDeadline(t *testing.T) {
	t.Parallel()
	cfg := defaults()
	cfg.Deadlines = map[conversation.Platform]time.Duration{conversation.DialogflowES: 5 * time.Second}
	cfg.ReplyMargin = time.Second
	arrival := time.Now()
	var deadline time.Time
	e := New(cfg, conversation.HandlerFunc(func(ctx context.Context, t conversation.Turn) conversation.Reply {
		deadline, _ = ctx.Deadline()
		return ok(ctx, t)
	}), Options{Adapters: map[conversation.Platform]platform.Adapter{conversation.DialogflowES: testAdapter{}},
		Now: func() time.Time { return arrival }})
	serve(t, e, conversation.Turn{Intent: conversation.SearchKB})
	if left := deadline.Sub(arrival); left != 4*time.Second {
		t.Fatalf("handler budget %s, want 4s (5s deadline - 1s margin)", left)
	}
}

func TestPanicBecomesApology(t *testing.T) {
	t.Parallel()
	e := newEngine(defaults(), func(context.Context, conversation.Turn) conversation.Reply { panic("boom") })
	resp, r := serve(t, e, conversation.Turn{Intent: conversation.SearchKB})
	if resp.Status != 200 || r.Outcome != conversation.OutcomeFailed || strings.Contains(r.Text(), "boom") || !r.Fallback {
		t.Fatalf("got %d %s %q fallback %v", resp.Status, r.Outcome, r.Text(), r.Fallback)
	}
}

// A platform's redelivery of a turn already admitted takes no token from the
// conversation's limit; a new turn past the limit is refused in the platform's own
// reply shape (HTTP 200, an honest "slow down"), not with a bare 429.
func TestConversationLimitCountsTurnsNotDeliveries(t *testing.T) {
	t.Parallel()
	cfg := defaults()
	// Only the conversation limit: no source limit, the default depth.
	g, err := security.NewGuard(security.Options{PerSourceRate: -1, PerSessionRate: 0.001, PerSessionBurst: 1, MaxJSONDepth: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := New(cfg, conversation.HandlerFunc(ok), Options{Guard: g, Adapters: map[conversation.Platform]platform.Adapter{conversation.DialogflowES: testAdapter{}}})
	turn := conversation.Turn{Intent: conversation.LookupCustomer, SessionID: "s1", TurnID: "t1"}
	for i := range 3 {
		if resp, r := serve(t, e, turn); resp.Status != 200 || r.Outcome != conversation.OutcomeFulfilled {
			t.Fatalf("delivery %d of the admitted turn: HTTP %d %+v", i+1, resp.Status, r)
		}
	}
	turn.TurnID = "t2"
	resp, r := serve(t, e, turn)
	if resp.Status != 200 || r.Outcome != conversation.OutcomeFailed || !strings.Contains(r.Text(), "slow down") {
		t.Fatalf("a new turn past the limit: HTTP %d %+v, want the platform's shape saying slow down", resp.Status, r)
	}
}

// TestTurnAfterABudgetFallback: a handler that answers after its turn's budget ran out
// answers into its own turn, never into a later one (the engine reuses a turn's
// hand-off once its worker has answered).
func TestTurnAfterABudgetFallback(t *testing.T) {
	t.Parallel()
	cfg := defaults()
	cfg.Deadlines = map[conversation.Platform]time.Duration{conversation.DialogflowES: 150 * time.Millisecond}
	cfg.ReplyMargin = 100 * time.Millisecond
	release, late := make(chan struct{}), make(chan struct{})
	e := newEngine(cfg, func(ctx context.Context, t conversation.Turn) conversation.Reply {
		if t.SessionID == "slow" {
			<-release
			defer close(late)
		}
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"for " + t.SessionID}}
	})
	if _, r := serve(t, e, conversation.Turn{Intent: conversation.CreateTicket, SessionID: "slow"}); !r.Fallback {
		t.Fatalf("the slow turn got %q, want the budget fallback", r.Text())
	}
	for i := range 20 {
		if i == 5 {
			close(release) // the slow turn's handler answers now, into its own turn
			<-late
		}
		id := fmt.Sprint("s", i)
		if _, r := serve(t, e, conversation.Turn{Intent: conversation.CreateTicket, SessionID: id}); r.Text() != "for "+id || r.Fallback {
			t.Fatalf("turn %s got %q (fallback %v)", id, r.Text(), r.Fallback)
		}
	}
}

// TestHandlerContextEndsAtTheBudget: a handler that waits on its context sees it end
// at the budget, as context.WithDeadline's, while the engine answers for it; a caller
// whose own context ends (a client gone) is answered at once too.
func TestHandlerContextEndsAtTheBudget(t *testing.T) {
	t.Parallel()
	cfg := defaults()
	cfg.Deadlines = map[conversation.Platform]time.Duration{conversation.DialogflowES: 150 * time.Millisecond}
	cfg.ReplyMargin = 100 * time.Millisecond
	errs := make(chan error, 2)
	e := newEngine(cfg, func(ctx context.Context, t conversation.Turn) conversation.Reply {
		<-ctx.Done()
		errs <- ctx.Err()
		return ok(ctx, t)
	})
	if _, r := serve(t, e, conversation.Turn{Intent: conversation.CreateTicket}); !r.Fallback {
		t.Fatalf("got %q, want the budget fallback", r.Text())
	}
	if err := <-errs; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("handler's context ended with %v, want DeadlineExceeded", err)
	}

	cfg.Deadlines[conversation.DialogflowES] = time.Hour
	release := make(chan struct{})
	defer close(release)
	e = newEngine(cfg, func(ctx context.Context, t conversation.Turn) conversation.Reply {
		<-ctx.Done()
		errs <- ctx.Err()
		<-release // a handler that does not return when its context ends
		return ok(ctx, t)
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	body, _ := json.Marshal(conversation.Turn{Intent: conversation.CreateTicket})
	resp := e.Serve(ctx, conversation.DialogflowES, body)
	var r conversation.Reply
	if err := json.Unmarshal(resp.Body, &r); err != nil || !r.Fallback {
		t.Fatalf("a gone caller's turn got %s (%v), want the fallback", resp.Body, err)
	}
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("handler's context ended with %v, want Canceled", err)
	}
}
