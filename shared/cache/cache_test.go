package cache_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/cache"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents"
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers" // every intent's handler
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/embedded"
	"github.com/switchboard-dev/switchboard/shared/store/memstore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
	"github.com/switchboard-dev/switchboard/shared/testenv"
	"github.com/switchboard-dev/switchboard/shared/turntrace"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// crm is a customer directory whose answers the test controls.
type crm struct {
	calls atomic.Int64
	mu    sync.Mutex
	err   error
	plan  string
}

func (c *crm) set(plan string, err error) {
	c.mu.Lock()
	c.plan, c.err = plan, err
	c.mu.Unlock()
}

func (c *crm) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	c.calls.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return connector.Customer{}, c.err
	}
	return connector.Customer{ID: "c1", Email: strings.ToLower(email), FirstName: "Ada", LastName: "Lovelace", Plan: c.plan, Status: "active"}, nil
}

var down = &connector.Error{Kind: connector.KindUnavailable, Tool: "crm", Op: "find", StatusCode: 503}

type backend struct {
	name string
	open func(t testing.TB, now func() time.Time) store.Store
}

func backends() []backend {
	return []backend{
		{"memory-only", func(testing.TB, func() time.Time) store.Store { return nil }},
		{"memstore", func(_ testing.TB, now func() time.Time) store.Store { return memstore.New(now) }},
		{"embedded", func(t testing.TB, now func() time.Time) store.Store {
			s, err := embedded.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), embedded.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{"dynamodb", func(t testing.TB, now func() time.Time) store.Store {
			client, table := storetest.MotoStore(t)
			return dynamostore.New(client, table, dynamostore.Options{Now: now})
		}},
	}
}

var policy = cache.Policy{MaxAge: 10 * time.Minute, StaleLimit: 24 * time.Hour}

func TestFreshHitsSkipTheTool(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			clock := storetest.NewClock(time.Now())
			s := b.open(t, clock.Now)
			tool := &crm{plan: "Pro"}
			c := cache.New(s, cache.Options{Now: clock.Now})
			dir := c.Customers("crm", tool, policy)
			ctx := context.Background()
			for i := 0; i < 3; i++ {
				got, err := dir.FindCustomerByEmail(ctx, " Ada@Example.com")
				if err != nil || got.Plan != "Pro" {
					t.Fatalf("call %d: %+v %v", i, got, err)
				}
			}
			if tool.calls.Load() != 1 {
				t.Fatalf("tool called %d times, want 1", tool.calls.Load())
			}
			// Past the max age the tool is asked again.
			clock.Advance(10*time.Minute + time.Second)
			tool.set("Enterprise", nil)
			if got, _ := dir.FindCustomerByEmail(ctx, "ada@example.com"); got.Plan != "Enterprise" || tool.calls.Load() != 2 {
				t.Fatalf("after max age: plan %q, calls %d", got.Plan, tool.calls.Load())
			}
			if s == nil {
				return
			}
			// Another instance (empty memory) is served from the store.
			other := cache.New(s, cache.Options{Now: clock.Now}).Customers("crm", tool, policy)
			if got, err := other.FindCustomerByEmail(ctx, "ADA@example.com"); err != nil || got.Plan != "Enterprise" || tool.calls.Load() != 2 {
				t.Fatalf("second instance: %+v %v, calls %d", got, err, tool.calls.Load())
			}
		})
	}
}

func TestStaleAnswerDuringAnOutageCarriesItsAge(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			clock := storetest.NewClock(time.Now())
			s := b.open(t, clock.Now)
			tool := &crm{plan: "Pro"}
			c := cache.New(s, cache.Options{Now: clock.Now})
			dir := c.Customers("crm", tool, cache.Policy{MaxAge: 10 * time.Minute, StaleLimit: time.Hour})
			fetched := clock.Now()
			if _, err := dir.FindCustomerByEmail(context.Background(), "ada@example.com"); err != nil {
				t.Fatal(err)
			}
			clock.Advance(12 * time.Minute)
			tool.set("", down)
			ctx, fresh := connector.WithFreshness(context.Background())
			got, err := dir.FindCustomerByEmail(ctx, "ada@example.com")
			if err != nil || got.Plan != "Pro" {
				t.Fatalf("during outage: %+v %v, want the stale profile", got, err)
			}
			at, stale := fresh.Oldest()
			if !stale || at.UnixMilli() != fetched.UnixMilli() {
				t.Fatalf("freshness = %v %v, want fetched at %v", at, stale, fetched)
			}
			if st := c.Stats(); st.Stale != 1 {
				t.Fatalf("stats %+v", st)
			}
			// Beyond the stale limit the outage is reported, not papered over.
			clock.Advance(time.Hour)
			if _, err := dir.FindCustomerByEmail(context.Background(), "ada@example.com"); !errors.Is(err, connector.ErrUnavailable) {
				t.Fatalf("past stale limit: %v, want unavailable", err)
			}
		})
	}
}

func TestAuthoritativeAnswersAreNeitherCachedNorPaperedOver(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Now())
	tool := &crm{plan: "Pro"}
	dir := cache.New(memstore.New(clock.Now), cache.Options{Now: clock.Now}).Customers("crm", tool, policy)
	ctx := context.Background()
	tool.set("", connector.NotFound("crm", "find"))
	for i := 0; i < 2; i++ {
		if _, err := dir.FindCustomerByEmail(ctx, "new@example.com"); !errors.Is(err, connector.ErrNotFound) {
			t.Fatal(err)
		}
	}
	if tool.calls.Load() != 2 {
		t.Fatalf("not found was cached: %d calls", tool.calls.Load())
	}
	// A customer deleted since we cached them: the tool's "not found" wins.
	tool.set("Pro", nil)
	dir.FindCustomerByEmail(ctx, "gone@example.com")
	clock.Advance(11 * time.Minute)
	tool.set("", connector.NotFound("crm", "find"))
	if _, err := dir.FindCustomerByEmail(ctx, "gone@example.com"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
}

type ledger struct {
	calls  atomic.Int64
	status connector.PaymentStatus
	err    error
}

func (l *ledger) FindPayment(ctx context.Context, ref string) (connector.Payment, error) {
	l.calls.Add(1)
	return connector.Payment{ID: ref, CustomerEmail: "ada@example.com", Amount: 2000, Currency: "usd", Status: l.status}, l.err
}

func (l *ledger) RecentPayments(ctx context.Context, email string, limit int) ([]connector.Payment, error) {
	l.calls.Add(1)
	return []connector.Payment{{ID: "pi_1", Status: l.status}}, l.err
}

func TestPaymentsAreServedFromCacheOnlyWhenSettled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status    connector.PaymentStatus
		wantCalls int64
	}{
		{connector.PaymentPaid, 2},
		{connector.PaymentRefunded, 2},
		{connector.PaymentPending, 4},
		{connector.PaymentFailed, 4},
	}
	for _, tc := range tests {
		t.Run(string(tc.status), func(t *testing.T) {
			t.Parallel()
			l := &ledger{status: tc.status}
			p := cache.New(memstore.New(nil), cache.Options{}).Payments("ledger", l, cache.Policy{MaxAge: time.Minute, StaleLimit: time.Hour})
			for i := 0; i < 2; i++ {
				if _, err := p.FindPayment(context.Background(), "pi_1"); err != nil {
					t.Fatal(err)
				}
				if _, err := p.RecentPayments(context.Background(), "ada@example.com", 1); err != nil {
					t.Fatal(err)
				}
			}
			if l.calls.Load() != tc.wantCalls {
				t.Fatalf("calls = %d, want %d", l.calls.Load(), tc.wantCalls)
			}
			// Whatever the status, an outage gets the last known answer with its age.
			l.err = down
			ctx, fresh := connector.WithFreshness(context.Background())
			got, err := p.FindPayment(ctx, "pi_1")
			if _, stale := fresh.Oldest(); err != nil || got.Status != tc.status || (!stale && tc.wantCalls == 4) {
				t.Fatalf("outage: %+v %v stale %v", got, err, stale)
			}
		})
	}
}

func TestDisabledCapabilityAlwaysAsksTheTool(t *testing.T) {
	t.Parallel()
	tool := &crm{plan: "Pro"}
	s := memstore.New(nil)
	dir := cache.New(s, cache.Options{}).Customers("crm", tool, cache.Policy{MaxAge: -1})
	for i := 0; i < 3; i++ {
		dir.FindCustomerByEmail(context.Background(), "ada@example.com")
	}
	if tool.calls.Load() != 3 || s.Len() != 0 {
		t.Fatalf("calls %d records %d", tool.calls.Load(), s.Len())
	}
}

func TestLRUIsBounded(t *testing.T) {
	t.Parallel()
	tool := &crm{plan: "Pro"}
	dir := cache.New(nil, cache.Options{Size: 2}).Customers("crm", tool, policy)
	ctx := context.Background()
	for _, e := range []string{"a@x", "b@x", "a@x", "c@x", "a@x", "b@x"} {
		dir.FindCustomerByEmail(ctx, e)
	}
	// a, b miss; a hit; c miss evicts b; a hit; b miss.
	if tool.calls.Load() != 4 {
		t.Fatalf("calls = %d, want 4", tool.calls.Load())
	}
}

func TestUnreachableStoreCostsLittleAndBreaksNothing(t *testing.T) {
	t.Parallel()
	// A store that is down, counting the connections made to it: what the outage
	// costs is counted in attempts, not timed.
	endpoint, attempts := storetest.HangUp(t)
	dead := dynamostore.New(storetest.DynamoClient(endpoint), "switchboard", dynamostore.Options{})
	tool := &crm{plan: "Pro"}
	c := cache.New(dead, cache.Options{})
	dir := c.Customers("crm", tool, policy)
	for i := 0; i < 3; i++ {
		if got, err := dir.FindCustomerByEmail(context.Background(), "ada@example.com"); err != nil || got.Plan != "Pro" {
			t.Fatal(got, err)
		}
		t.Logf("lookup %d: %d connections to the store so far", i+1, attempts())
	}
	if n := attempts(); n > 2 {
		t.Fatalf("%d connections to a store that is down for 3 lookups, want at most the first one's read and write", n)
	}
	if tool.calls.Load() != 1 {
		t.Fatalf("memory should still serve: %d calls", tool.calls.Load())
	}
}

// The note reaches the user: the intent handler appends the age of the oldest stale
// value it used.
func TestStaleNoteReachesTheReply(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Now())
	tool := &crm{plan: "Pro"}
	dir := cache.New(memstore.New(clock.Now), cache.Options{Now: clock.Now}).Customers("crm", tool, policy)
	svc := intents.New(intents.Deps{Customers: dir, Now: clock.Now})
	// Ada herself, signed in: anonymous callers get no account details at all.
	turn := conversation.Turn{Intent: conversation.LookupCustomer, Phase: conversation.PhaseFulfill,
		Slots:  map[string]string{intents.SlotEmail: "ada@example.com"},
		Caller: conversation.Caller{Method: conversation.VerifiedToken, Email: "ada@example.com"}}
	if r := svc.Handle(context.Background(), turn); r.Outcome != conversation.OutcomeFulfilled || strings.Contains(r.Text(), "as of") {
		t.Fatalf("fresh reply %+v", r)
	}
	clock.Advance(12 * time.Minute)
	tool.set("", down)
	r := svc.Handle(context.Background(), turn)
	if r.Outcome != conversation.OutcomeFulfilled || !strings.Contains(r.Text(), "Pro plan") || !strings.Contains(r.Text(), "as of 12 minutes ago") {
		t.Fatalf("stale reply %q", r.Text())
	}
}

type cacheEvents struct {
	mu  sync.Mutex
	evs []string
}

func (o *cacheEvents) OnCache(_ context.Context, tool string, ev telemetry.CacheEvent) {
	o.mu.Lock()
	o.evs = append(o.evs, tool+":"+strconv.Itoa(int(ev)))
	o.mu.Unlock()
}

func TestObserverSeesHitsMissesAndStaleAnswers(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Now())
	obs := &cacheEvents{}
	tool := &crm{plan: "Pro"}
	dir := cache.New(nil, cache.Options{Now: clock.Now, Observer: obs}).Customers("hubspot", tool, policy)
	ctx := context.Background()
	dir.FindCustomerByEmail(ctx, "ada@example.com")
	dir.FindCustomerByEmail(ctx, "ada@example.com")
	clock.Advance(time.Hour)
	tool.set("", down)
	dir.FindCustomerByEmail(ctx, "ada@example.com")
	want := []string{"hubspot:1", "hubspot:0", "hubspot:1", "hubspot:2"}
	if strings.Join(obs.evs, " ") != strings.Join(want, " ") {
		t.Fatalf("events %v, want %v (miss, hit, miss, stale)", obs.evs, want)
	}
}

func TestEntriesAreScopedToTheTurnsIntent(t *testing.T) {
	t.Parallel()
	s := memstore.New(nil)
	tool := &crm{plan: "Pro"}
	c := cache.New(s, cache.Options{})
	dir := c.Customers("crm", tool, policy)
	var key string
	h := cache.Scoped(conversation.HandlerFunc(func(ctx context.Context, tn conversation.Turn) conversation.Reply {
		dir.FindCustomerByEmail(ctx, "Ada@Example.com")
		key = c.ToolKey(ctx, "crm", cache.CapCustomer, "ada@example.com")
		return conversation.Reply{}
	}))
	h.Handle(context.Background(), conversation.Turn{Intent: conversation.LookupCustomer})
	if !strings.HasPrefix(key, store.LeadingKeysPattern("lookup_customer")[:len("lookup_customer#")]) || strings.Contains(key, "ada") {
		t.Fatalf("key %q, want lookup_customer#cache#<hash>", key)
	}
	if _, err := s.Get(context.Background(), key); err != nil {
		t.Fatalf("entry not stored under the scoped key: %v", err)
	}
	// Another function's turn does not read this function's entry.
	h2 := cache.Scoped(conversation.HandlerFunc(func(ctx context.Context, tn conversation.Turn) conversation.Reply {
		dir.FindCustomerByEmail(ctx, "ada@example.com")
		return conversation.Reply{}
	}))
	h2.Handle(context.Background(), conversation.Turn{Intent: conversation.VerifyPayment})
	if tool.calls.Load() != 2 {
		t.Fatalf("calls %d, want 2 (one per scope)", tool.calls.Load())
	}
}

// The demo's answer is never served as another tool's: after a lookup through the demo
// configuration, the same store behind a HubSpot configuration whose tool is down
// serves nothing stale (the "Ada Lovelace as of 34 minutes ago").
func TestEntriesAreScopedToTheToolsIdentity(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		if b.name == "memory-only" {
			continue
		}
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			clock := storetest.NewClock(time.Now())
			s := b.open(t, clock.Now)
			ident := func(id string) func(string) string { return func(string) string { return id } }
			demoTool := &crm{plan: "Pro"}
			demoDir := cache.New(s, cache.Options{Now: clock.Now, Identity: ident("demo|/srv/demo.db")}).Customers("crm", demoTool, policy)
			if _, err := demoDir.FindCustomerByEmail(context.Background(), "ada@example.com"); err != nil {
				t.Fatal(err)
			}
			clock.Advance(34 * time.Minute)
			hubspot := &crm{}
			hubspot.set("", down)
			hsDir := cache.New(s, cache.Options{Now: clock.Now, Identity: ident("hubspot|https://api.hubapi.com")}).Customers("crm", hubspot, policy)
			if got, err := hsDir.FindCustomerByEmail(context.Background(), "ada@example.com"); !errors.Is(err, connector.ErrUnavailable) {
				t.Fatalf("another tool's configuration served %+v, %v; want its own outage", got, err)
			}
			// The same identity still finds its own entry.
			again := cache.New(s, cache.Options{Now: clock.Now, Identity: ident("demo|/srv/demo.db")}).Customers("crm", hubspot, policy)
			if got, err := again.FindCustomerByEmail(context.Background(), "ada@example.com"); err != nil || got.Plan != "Pro" {
				t.Fatalf("same identity: %+v %v, want the stored (stale) profile", got, err)
			}
		})
	}
}

// A turn asked to be traced (the console) sees each lookup's decision.
func TestDecisionsAreTraced(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Now())
	tool := &crm{plan: "Pro"}
	dir := cache.New(nil, cache.Options{Now: clock.Now}).Customers("hubspot", tool, policy)
	rec := turntrace.New()
	ctx := turntrace.With(context.Background(), rec)
	dir.FindCustomerByEmail(ctx, "ada@example.com")
	dir.FindCustomerByEmail(ctx, "ada@example.com")
	clock.Advance(time.Hour)
	tool.set("", down)
	dir.FindCustomerByEmail(ctx, "ada@example.com")
	var got []string
	for _, e := range rec.Events() {
		got = append(got, e.Kind+":"+e.Name+":"+e.Detail["decision"]+e.Detail["from"])
	}
	want := "cache:hubspot:miss cache:hubspot:hitprocess cache:hubspot:miss cache:hubspot:stale"
	if strings.Join(got, " ") != want {
		t.Fatalf("events %v, want %s", got, want)
	}
}
