package idempotency_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/embedded"
	"github.com/switchboard-dev/switchboard/shared/store/memstore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type backend struct {
	name string
	open func(t testing.TB) store.Store
}

func backends() []backend {
	return []backend{
		{"memory", func(t testing.TB) store.Store { return memstore.New(nil) }},
		{"embedded", func(t testing.TB) store.Store {
			s, err := embedded.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"), embedded.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{"dynamodb", func(t testing.TB) store.Store {
			client, table := storetest.MotoStore(t)
			return dynamostore.New(client, table, dynamostore.Options{})
		}},
	}
}

// tool counts the calls that reach "the business tool" and answers with reply.
type tool struct {
	calls atomic.Int64
	reply func(ctx context.Context, t conversation.Turn) conversation.Reply
}

func (h *tool) Handle(ctx context.Context, t conversation.Turn) conversation.Reply {
	n := h.calls.Add(1)
	if h.reply != nil {
		return h.reply(ctx, t)
	}
	return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"I've created ticket #" + strconv.FormatInt(n, 10) + "."}}
}

// Refusal makes tool an idempotency.Sayer: the middleware's own answers carry their
// typed outcome's name (the words are the intents').
func (h *tool) Refusal(t conversation.Turn, o idempotency.Outcome) conversation.Reply {
	return sayOutcome(t, o)
}

var seq atomic.Int64

func turn() conversation.Turn {
	return conversation.Turn{
		Platform: conversation.DialogflowES, Intent: conversation.CreateTicket, Phase: conversation.PhaseFulfill,
		SessionID: "s-1", TurnID: "resp-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.FormatInt(seq.Add(1), 10),
		Slots:    map[string]string{"email": "ada@example.com", "subject": "Cannot log in"},
		Deadline: time.Now().Add(5 * time.Second),
	}
}

func ctxFor(t conversation.Turn) (context.Context, context.CancelFunc) {
	return context.WithDeadline(context.Background(), t.Deadline.Add(-300*time.Millisecond))
}

func handle(m conversation.Handler, t conversation.Turn) conversation.Reply {
	ctx, cancel := ctxFor(t)
	defer cancel()
	return m.Handle(ctx, t)
}

func forEach(t *testing.T, f func(t *testing.T, s store.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f(t, b.open(t))
		})
	}
}

func TestDuplicateOfACompletedTurnGetsTheStoredReply(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s store.Store) {
		h := &tool{}
		m := idempotency.New(s, h, idempotency.Options{})
		tn := turn()
		first := handle(m, tn)
		tn.Deadline = time.Now().Add(5 * time.Second) // a redelivery gets a new deadline
		second := handle(m, tn)
		if h.calls.Load() != 1 {
			t.Fatalf("tool called %d times, want 1", h.calls.Load())
		}
		if !reflect.DeepEqual(first, second) || first.Text() != "I've created ticket #1." {
			t.Fatalf("replies differ: %+v vs %+v", first, second)
		}
		rec, err := s.Get(context.Background(), m.Key(tn))
		if err != nil || rec.Status != store.StatusCompleted || rec.PayloadHash != idempotency.PayloadHash(tn) {
			t.Fatalf("record = %+v, %v", rec, err)
		}
		if !strings.HasPrefix(rec.Key, "create_ticket#idem#") || strings.Contains(rec.Key, tn.TurnID) {
			t.Fatalf("key %q must be <function>#idem#<hash> without the turn id", rec.Key)
		}
		// Another turn is another request.
		if r := handle(m, turn()); r.Text() != "I've created ticket #2." {
			t.Fatalf("new turn got %q", r.Text())
		}
	})
}

func TestKeyReusedWithAnotherPayloadIsRejected(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s store.Store) {
		h := &tool{}
		m := idempotency.New(s, h, idempotency.Options{Say: sayOutcome})
		tn := turn()
		handle(m, tn)
		tn.Slots = map[string]string{"email": "ada@example.com", "subject": "Refund please"}
		r := handle(m, tn)
		if h.calls.Load() != 1 || r.Outcome != conversation.OutcomeFailed || r.Text() != idempotency.PayloadMismatch.String() {
			t.Fatalf("calls %d, reply %+v", h.calls.Load(), r)
		}
	})
}

func TestOutcomes(t *testing.T) {
	t.Parallel()
	unavailable := &connector.Error{Kind: connector.KindUnavailable, Tool: "zendesk", Op: "create_ticket"}
	tests := []struct {
		name      string
		reply     func(ctx context.Context, t conversation.Turn) conversation.Reply
		wantCalls int64 // after two deliveries
	}{
		{"fulfilled is stored", nil, 1},
		{"business failure is stored", func(ctx context.Context, t conversation.Turn) conversation.Reply {
			return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{"The helpdesk didn't accept that ticket."}}
		}, 1},
		{"failure after an outage frees the key", func(ctx context.Context, t conversation.Turn) conversation.Reply {
			resilience.NoteTrouble(ctx, unavailable)
			return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{"The helpdesk isn't responding."}}
		}, 2},
		{"fulfilled from a stale cache during an outage is stored", func(ctx context.Context, t conversation.Turn) conversation.Reply {
			resilience.NoteTrouble(ctx, unavailable)
			return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"as of 12 minutes ago"}}
		}, 1},
		{"slot prompt is not stored", func(ctx context.Context, t conversation.Turn) conversation.Reply {
			return conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email", Messages: []string{"Your email?"}}
		}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := memstore.New(nil)
			h := &tool{reply: tc.reply}
			m := idempotency.New(s, h, idempotency.Options{})
			tn := turn()
			handle(m, tn)
			handle(m, tn)
			if h.calls.Load() != tc.wantCalls {
				t.Fatalf("tool called %d times, want %d", h.calls.Load(), tc.wantCalls)
			}
		})
	}
}

func TestPanicFreesTheKey(t *testing.T) {
	t.Parallel()
	s := memstore.New(nil)
	var calls atomic.Int64
	m := idempotency.New(s, conversation.HandlerFunc(func(ctx context.Context, t conversation.Turn) conversation.Reply {
		if calls.Add(1) == 1 {
			panic("connector bug")
		}
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"ok"}}
	}), idempotency.Options{})
	tn := turn()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic swallowed: the engine must see it")
			}
		}()
		handle(m, tn)
	}()
	if r := handle(m, tn); r.Text() != "ok" || calls.Load() != 2 {
		t.Fatalf("retry after panic: %+v after %d calls", r, calls.Load())
	}
}

func TestBypass(t *testing.T) {
	t.Parallel()
	s := memstore.New(nil)
	h := &tool{}
	m := idempotency.New(s, h, idempotency.Options{Idempotent: func(in conversation.Intent) bool { return in != conversation.SearchKB }})
	validate := turn()
	validate.Phase = conversation.PhaseValidate
	noID := turn()
	noID.TurnID = ""
	kb := turn()
	kb.Intent = conversation.SearchKB
	for _, tn := range []conversation.Turn{validate, validate, noID, noID, kb, kb} {
		handle(m, tn)
	}
	if h.calls.Load() != 6 || s.Len() != 0 {
		t.Fatalf("calls %d records %d, want 6 and 0", h.calls.Load(), s.Len())
	}
}

func TestConcurrentDeliveryWaitsForTheFirst(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s store.Store) {
		release := make(chan struct{})
		started := make(chan struct{})
		var once sync.Once
		h := &tool{}
		h.reply = func(ctx context.Context, tn conversation.Turn) conversation.Reply {
			once.Do(func() { close(started) })
			<-release
			return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"I've created ticket #7."}}
		}
		m := idempotency.New(s, h, idempotency.Options{})
		// The second delivery reaches another process (its own middleware): it waits
		// through the store.
		other := idempotency.New(s, h, idempotency.Options{})
		tn := turn()
		firstDone := make(chan conversation.Reply, 1)
		go func() { firstDone <- handle(m, tn) }()
		<-started
		time.AfterFunc(150*time.Millisecond, func() { close(release) })
		start := time.Now()
		second := handle(other, tn)
		if took := time.Since(start); took < 100*time.Millisecond {
			t.Fatalf("duplicate answered after %s, before the first finished", took)
		}
		first := <-firstDone
		if !reflect.DeepEqual(first, second) || h.calls.Load() != 1 {
			t.Fatalf("first %+v second %+v calls %d", first, second, h.calls.Load())
		}
	})
}

func TestInProgressDuplicateSaysStillWorkingWithinItsBudget(t *testing.T) {
	t.Parallel()
	s := memstore.New(nil)
	release, started := make(chan struct{}), make(chan struct{})
	defer close(release)
	h := &tool{reply: func(ctx context.Context, tn conversation.Turn) conversation.Reply {
		close(started) // the first delivery holds its claim from here until release
		<-release
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled}
	}}
	m := idempotency.New(s, h, idempotency.Options{Writes: func(conversation.Intent) idempotency.Write { return notFound{} }})
	tn := turn()
	go handle(m, tn)
	<-started
	// The first delivery finishes only after this test's checks (release), so a
	// duplicate that waited for it instead of answering within its own budget never
	// answers: the watchdog turns that hang into a failure. Passing depends on no
	// clock; the watchdog only bounds a failing run.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	got := make(chan conversation.Reply, 1)
	go func() { got <- m.Handle(ctx, tn) }()
	var r conversation.Reply
	select {
	case r = <-got:
	case <-time.After(time.Minute):
		t.Fatal("no answer with a 200ms budget: the duplicate waited for the first delivery")
	}
	if r.Outcome != conversation.OutcomeFailed || r.Text() != idempotency.StillWorking.String() || h.calls.Load() != 1 {
		t.Fatalf("reply %+v calls %d", r, h.calls.Load())
	}
}

func TestExpiryIsCheckedInCode(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Now())
	s := memstore.New(clock.Now)
	h := &tool{}
	m := idempotency.New(s, h, idempotency.Options{Expiration: time.Minute, Now: clock.Now})
	tn := turn()
	handle(m, tn)
	clock.Advance(59 * time.Second)
	handle(m, tn)
	if h.calls.Load() != 1 {
		t.Fatalf("calls %d before expiry, want 1", h.calls.Load())
	}
	clock.Advance(time.Second)
	handle(m, tn)
	if h.calls.Load() != 2 {
		t.Fatalf("calls %d after expiry, want 2", h.calls.Load())
	}
}

func TestAbandonedLockIsTakenOver(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s store.Store) {
		h := &tool{}
		m := idempotency.New(s, h, idempotency.Options{})
		tn := turn()
		// A delivery that crashed: its lock ended with its deadline a moment ago.
		now := time.Now()
		if err := s.Put(context.Background(), store.Record{Key: m.Key(tn), Status: store.StatusInProgress,
			PayloadHash: idempotency.PayloadHash(tn), Expiration: now.Add(time.Hour), InProgressExpiration: now.Add(-time.Second)}); err != nil {
			t.Fatal(err)
		}
		if r := handle(m, tn); r.Outcome != conversation.OutcomeFulfilled || h.calls.Load() != 1 {
			t.Fatalf("reply %+v calls %d", r, h.calls.Load())
		}
	})
}

// sayOutcome words the middleware's own answers by their typed outcome: the words
// are the intents' (shared/intents Refusal), the middleware only says which.
func sayOutcome(_ conversation.Turn, o idempotency.Outcome) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{o.String()}}
}

func TestStoreUnreachable(t *testing.T) {
	t.Parallel()
	// A store that hangs up on every connection, counting them: the turn is refused
	// after one attempt at its claim (no waiting, no polling a store that is down).
	endpoint, attempts := storetest.HangUp(t)
	dead := dynamostore.New(storetest.DynamoClient(endpoint), "switchboard", dynamostore.Options{})
	h := &tool{}
	m := idempotency.New(dead, h, idempotency.Options{
		Say:      sayOutcome,
		FailOpen: func(in conversation.Intent) bool { return in != conversation.CreateTicket },
	})
	ticket := turn()
	r := handle(m, ticket)
	if n := attempts(); n != 1 {
		t.Fatalf("%d connections to the store for one refused turn, want 1", n)
	}
	if r.Outcome != conversation.OutcomeFailed || h.calls.Load() != 0 || r.Text() != idempotency.StoreUnavailable.String() {
		t.Fatalf("fail-closed reply %+v after %d calls", r, h.calls.Load())
	}
	lookup := turn()
	lookup.Intent = conversation.LookupCustomer
	if r := handle(m, lookup); r.Outcome != conversation.OutcomeFulfilled || h.calls.Load() != 1 {
		t.Fatalf("fail-open reply %+v after %d calls", r, h.calls.Load())
	}
}

// motoTimeout bounds a store call to moto where a test counts calls: moto under a
// loaded -race run once took over the default second for a completion, which the count
// then missed. The count must not depend on how fast moto answers.
const motoTimeout = 30 * time.Second

// The DynamoDB calls each request path costs, the figures the issue asks to report.
func TestDynamoDBCallsPerRequest(t *testing.T) {
	t.Parallel()
	client, table := storetest.MotoStore(t)
	counting := dynamostore.NewCounting(client)
	s := dynamostore.New(counting, table, dynamostore.Options{})
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	block := atomic.Bool{}
	h := &tool{}
	h.reply = func(ctx context.Context, tn conversation.Turn) conversation.Reply {
		if block.Load() {
			started <- struct{}{}
			<-release
		}
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"done"}}
	}
	m := idempotency.New(s, h, idempotency.Options{PollInterval: 50 * time.Millisecond, MaxPollInterval: 50 * time.Millisecond, StoreTimeout: motoTimeout})
	tn := turn()

	before := counting.Counts()
	handle(m, tn)
	newReq := counting.Counts().Sub(before)
	if newReq != (dynamostore.Counts{PutItem: 1, UpdateItem: 1}) {
		t.Errorf("new request: %+v, want 1 PutItem + 1 UpdateItem", newReq)
	}
	// The same process answered it: its local copy answers, no call.
	before = counting.Counts()
	if r := handle(m, tn); r.Outcome != conversation.OutcomeFulfilled {
		t.Fatalf("duplicate in the same process: %+v", r)
	}
	if local := counting.Counts().Sub(before); local.Total() != 0 {
		t.Errorf("duplicate in the process that answered it: %+v, want no call", local)
	}
	// Another process (Lambda instance): one conditional PutItem returns the record.
	other := idempotency.New(s, h, idempotency.Options{StoreTimeout: motoTimeout})
	before = counting.Counts()
	handle(other, tn)
	dup := counting.Counts().Sub(before)
	if dup != (dynamostore.Counts{PutItem: 1}) {
		t.Errorf("duplicate of a completed turn in another process: %+v, want 1 PutItem and no GetItem", dup)
	}

	block.Store(true)
	tn2 := turn()
	firstDone := make(chan struct{})
	go func() { handle(m, tn2); close(firstDone) }()
	<-started
	// A delivery to the process running the turn waits for it in memory: no call.
	before = counting.Counts()
	sameCtx, cancelSame := context.WithTimeout(context.Background(), 50*time.Millisecond)
	if r := m.Handle(sameCtx, tn2); r.Text() != idempotency.StillWorking.String() {
		t.Errorf("in-progress duplicate in the same process, past its budget: %+v", r)
	}
	cancelSame()
	if same := counting.Counts().Sub(before); same.Total() != 0 {
		t.Errorf("in-progress duplicate in the process running it: %+v, want no call", same)
	}
	// Another process polls the store.
	time.AfterFunc(220*time.Millisecond, func() { close(release) })
	before = counting.Counts()
	handle(idempotency.New(s, h, idempotency.Options{PollInterval: 50 * time.Millisecond, MaxPollInterval: 50 * time.Millisecond, StoreTimeout: motoTimeout}), tn2)
	<-firstDone
	inProg := counting.Counts().Sub(before)
	// The counts include the first delivery's completion (1 UpdateItem).
	// 220ms at one poll per 50ms is at most 5 polls (+1 after the release); a loaded
	// machine only makes fewer. At least one shows it polled rather than gave up.
	if inProg.PutItem != 1 || inProg.GetItem < 1 || inProg.GetItem > 6 {
		t.Errorf("in-progress duplicate: %+v, want 1 PutItem and at most about 5 polls", inProg)
	}
	t.Logf("DynamoDB calls per request: new %d (%+v), duplicate %d (%+v), in-progress duplicate waiting 220ms with 50ms polls %d (PutItem %d, GetItem %d; the first delivery's UpdateItem %d)",
		newReq.Total(), newReq, dup.Total(), dup, inProg.PutItem+inProg.GetItem, inProg.PutItem, inProg.GetItem, inProg.UpdateItem)
}

// notFound is a Write whose tool never has the write (unit tests).
type notFound struct{}

func (notFound) Subject(conversation.Turn) string    { return "" }
func (notFound) ExternalID(conversation.Turn) string { return "ext-1" }
func (notFound) Lookup(context.Context, conversation.Turn, string) (conversation.Reply, bool, error) {
	return conversation.Reply{}, false, nil
}
func (notFound) Unconfirmed(conversation.Turn) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{"not confirmed yet"}, Unconfirmed: true}
}
func (notFound) Promise(conversation.Turn) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{"noted; never twice"}, Unconfirmed: true}
}

// subjectWrite is a Write with a subject (customer and subject slots), whose tool has
// the write once found is set (unit tests).
type subjectWrite struct {
	notFound
	found *atomic.Bool
}

func (subjectWrite) Subject(t conversation.Turn) string {
	return t.Slots["email"] + "\x00" + t.Slots["subject"]
}
func (w subjectWrite) Lookup(context.Context, conversation.Turn, string) (conversation.Reply, bool, error) {
	if w.found.Load() {
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"your ticket #9 was created"}}, true, nil
	}
	return conversation.Reply{}, false, nil
}

// A write turn costs two DynamoDB calls: one TransactWriteItems claims the turn's key
// while checking that no unknown-outcome record holds the same customer and subject,
// and one UpdateItem records the reply. A new turn asking for what an unknown outcome
// holds is refused by that same call and never reaches the tool.
func TestWriteCallsPerRequest(t *testing.T) {
	t.Parallel()
	client, table := storetest.MotoStore(t)
	counting := dynamostore.NewCounting(client)
	s := dynamostore.New(counting, table, dynamostore.Options{})
	unconfirmed := atomic.Bool{}
	h := &tool{}
	h.reply = func(ctx context.Context, tn conversation.Turn) conversation.Reply {
		if unconfirmed.Load() {
			return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{"couldn't confirm"}, Unconfirmed: true}
		}
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"created #8"}}
	}
	w := subjectWrite{found: &atomic.Bool{}}
	m := idempotency.New(s, h, idempotency.Options{Writes: func(conversation.Intent) idempotency.Write { return w }})

	before := counting.Counts()
	if r := handle(m, turn()); r.Outcome != conversation.OutcomeFulfilled {
		t.Fatalf("new write turn: %+v", r)
	}
	if got := counting.Counts().Sub(before); got != (dynamostore.Counts{TransactWriteItems: 1, UpdateItem: 1}) {
		t.Errorf("new write turn: %+v, want 1 TransactWriteItems + 1 UpdateItem", got)
	}

	// An unknown outcome: the claim becomes an unknown-outcome record and one is kept
	// by customer and subject.
	unconfirmed.Store(true)
	tn := turn()
	tn.Slots = map[string]string{"email": "grace@example.com", "subject": "Refund"}
	before = counting.Counts()
	if r := handle(m, tn); r.Text() != "noted; never twice" {
		t.Fatalf("unknown outcome: %+v", r)
	}
	if got := counting.Counts().Sub(before); got != (dynamostore.Counts{TransactWriteItems: 1, PutItem: 2}) {
		t.Errorf("unknown outcome: %+v, want 1 TransactWriteItems + 2 PutItem", got)
	}
	calls := h.calls.Load()

	// A new turn asking the same while the outcome is unknown: one call, refused by
	// the subject's record; the tool is asked by external id, nothing is filed.
	again := turn()
	again.Slots = tn.Slots
	before = counting.Counts()
	if r := handle(m, again); r.Text() != "not confirmed yet" {
		t.Fatalf("new turn, same subject, outcome unknown: %+v", r)
	}
	if got := counting.Counts().Sub(before); got != (dynamostore.Counts{TransactWriteItems: 1}) {
		t.Errorf("new turn refused by the subject's record: %+v, want 1 TransactWriteItems", got)
	}
	// Once the tool has it, the answer is that ticket, and the resolution is kept.
	w.found.Store(true)
	third := turn()
	third.Slots = tn.Slots
	if r := handle(m, third); r.Text() != "your ticket #9 was created" {
		t.Fatalf("new turn, same subject, ticket found: %+v", r)
	}
	// Its redelivery replays that answer from its own record.
	if r := handle(idempotency.New(s, h, idempotency.Options{Writes: func(conversation.Intent) idempotency.Write { return w }}), third); r.Text() != "your ticket #9 was created" {
		t.Fatalf("redelivery of the resolved turn: %+v", r)
	}
	if h.calls.Load() != calls {
		t.Fatalf("the tool was asked to file %d more times, want none", h.calls.Load()-calls)
	}
}

// TestScopeOfOnlyWhenAKeyIsNeeded: ScopeOf is computed once, on the first turn that
// needs a key, never for turns that bypass the layer, and gives the keys Scope would.
func TestScopeOfOnlyWhenAKeyIsNeeded(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	idem := func(in conversation.Intent) bool { return in != conversation.SearchKB }
	m := idempotency.New(memstore.New(nil), &tool{}, idempotency.Options{Idempotent: idem,
		ScopeOf: func() string { calls.Add(1); return "tools-v1" }})
	kb := turn()
	kb.Intent = conversation.SearchKB
	handle(m, kb)
	handle(m, kb)
	if n := calls.Load(); n != 0 {
		t.Fatalf("ScopeOf called %d times for turns that need no key", n)
	}
	tn := turn()
	handle(m, tn)
	handle(m, tn)
	handle(m, turn())
	if n := calls.Load(); n != 1 {
		t.Fatalf("ScopeOf called %d times, want once", n)
	}
	eager := idempotency.New(memstore.New(nil), &tool{}, idempotency.Options{Idempotent: idem, Scope: "tools-v1"})
	unscoped := idempotency.New(memstore.New(nil), &tool{}, idempotency.Options{Idempotent: idem})
	if m.Key(tn) != eager.Key(tn) || m.Key(tn) == unscoped.Key(tn) {
		t.Errorf("keys: ScopeOf %s, Scope %s, none %s", m.Key(tn), eager.Key(tn), unscoped.Key(tn))
	}
}
