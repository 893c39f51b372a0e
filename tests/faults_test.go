package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/cache"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	stripeconn "github.com/switchboard-dev/switchboard/shared/connector/stripe"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/resilience/faultserver"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/memstore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// faultDeadline is the Dialogflow deadline the fault tests run under: short, so a test
// that waits for it stays quick, and long enough for one Retry-After of a second.
const faultDeadline = 1500 * time.Millisecond

// stripeTool is a Stripe stand-in answering PaymentIntent retrievals with Stripe's
// documented object (the connector's own fixture), behind a faultserver.
func stripeTool(t testing.TB) *faultserver.Server {
	t.Helper()
	pi, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "shared", "connector", "stripe", "testdata", "pi_succeeded.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := faultserver.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.URL.Path, "/v1/payment_intents/")
		if !ok || r.Method != http.MethodGet {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"code":"resource_missing","message":"Unrecognized request URL","type":"invalid_request_error"}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(bytes.Replace(pi, []byte(`"pi_3MtwBwLkdIwHu7ix28a3tqPa"`), []byte(strconv.Quote(id)), 1))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// faultStack is the production composition — engine, Dialogflow ES adapter,
// idempotency, intents, cache over resilience over each connector — with Stripe for
// payments and the demo backend for everything else.
type faultStack struct {
	engine   *engine.Engine
	payments *resilience.Policy
	tickets  *resilience.Policy
	cache    *cache.Cache
	clock    *storetest.Clock
	demo     *demo.Backend
	deadline time.Duration // the Dialogflow deadline the stack runs under
}

type stackOptions struct {
	store   store.Store // default: memstore
	key     stripeconn.KeyFunc
	stripe  string // Stripe base URL
	tickets connector.Helpdesk
	// updater is the CRM update_customer writes to (default: this process's demo).
	updater  connector.CustomerUpdater
	resource func(*config.Config)
}

func newFaultStack(t testing.TB, o stackOptions) *faultStack {
	t.Helper()
	cfg, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Deadlines.Platforms["dialogflow"] = faultDeadline
	if o.resource != nil {
		o.resource(&cfg)
	}
	if o.store == nil {
		o.store = memstore.New(nil)
	}
	be, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	sopts := stripeconn.Options{BaseURL: o.stripe, Key: o.key}
	if o.key == nil {
		sopts.APIKey = "sk_test_123"
	}
	sc, err := stripeconn.New(sopts)
	if err != nil {
		t.Fatal(err)
	}
	s := &faultStack{clock: storetest.NewClock(time.Now()), demo: be, deadline: cfg.Deadlines.Platforms["dialogflow"]}
	set := resilience.NewSet(func(tool string) resilience.Settings { return resilience.Settings(cfg.Resilience.For(tool)) }, resilience.Options{})
	s.payments = set.For("stripe")
	s.tickets = set.For(config.ToolDemo)
	s.cache = cache.New(o.store, cache.Options{Now: s.clock.Now})
	pol := app.CachePolicies(cfg.Store.Cache)
	var helpdesk connector.Helpdesk = be
	if o.tickets != nil {
		helpdesk = o.tickets
	}
	var updater connector.CustomerUpdater = be
	if o.updater != nil {
		updater = o.updater
	}
	deps := intents.Deps{
		Customers:    s.cache.Customers(config.ToolDemo, resilience.Customers(s.tickets, be), pol.Customer),
		Updater:      resilience.CustomerUpdater(s.tickets, updater),
		Tickets:      resilience.Helpdesk(s.tickets, helpdesk, resilience.HelpdeskOptions{HonoursExternalID: true}),
		Payments:     s.cache.Payments("stripe", resilience.Payments(s.payments, sc), pol.PaymentStatus),
		KB:           s.cache.KnowledgeBase(config.ToolDemo, resilience.KnowledgeBase(s.tickets, be), pol.KB),
		SupportEmail: cfg.SupportEmail,
		Now:          s.clock.Now,
	}
	svc := intents.New(deps)
	io := app.IdempotencyOptions(cfg, "")
	io.Writes = app.WritesOf(svc)
	h := idempotency.New(o.store, svc, io)
	// The identity layer with the demo key: turn() sends the signed sample events.
	v, err := app.Verifier(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.engine = engine.New(wiring.Engine(cfg), &identity.Resolver{Verifier: v, Next: h}, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
	return s
}

// withTurnID gives a Dialogflow event a fresh responseId: each call is a new turn.
func withTurnID(t testing.TB, body []byte, id string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	m["responseId"] = id
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var turnSeq atomic.Int64

// turn serves one new verify_payment turn and checks the reply is a valid Dialogflow
// response delivered inside the deadline; it returns the reply's text.
func (s *faultStack) turn(t *testing.T, event string) (string, time.Duration) {
	t.Helper()
	// The signed variant (ada@example.com): the checks below need the full answer.
	event = strings.TrimSuffix(event, ".json") + "_signed.json"
	body := withTurnID(t, readEvent(t, conversation.DialogflowES, event), "fault-"+strconv.FormatInt(turnSeq.Add(1), 10))
	start := time.Now()
	resp := s.engine.Serve(context.Background(), conversation.DialogflowES, body)
	took := time.Since(start)
	if took >= s.deadline {
		t.Fatalf("reply after %s, past the %s deadline", took, s.deadline)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("HTTP %d: %s", resp.Status, resp.Body)
	}
	schematest.Validate(t, conversation.DialogflowES, resp.Body)
	var out struct {
		FulfillmentText string `json:"fulfillmentText"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.FulfillmentText, took
}

func mustContain(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Fatalf("reply %q lacks %q", text, w)
		}
	}
}

func mustNotContain(t *testing.T, text string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(text, b) {
			t.Fatalf("reply %q claims %q", text, b)
		}
	}
}

const (
	paidText    = "went through: it is paid"
	paymentDown = "can't check that payment right now"
)

func TestFaultToolDown(t *testing.T) {
	t.Parallel()
	tool := stripeTool(t)
	s := newFaultStack(t, stackOptions{stripe: tool.URL})
	tool.Set(faultserver.Down)
	var last time.Duration
	for i := 0; i < 3; i++ {
		text, took := s.turn(t, "verify_payment.json")
		mustContain(t, text, paymentDown, "support@")
		mustNotContain(t, text, paidText)
		last = took
	}
	// 3 turns × up to 3 attempts: the breaker (5 consecutive failures) is open, and the
	// last turn was refused without reaching the tool.
	st := s.payments.Stats()
	if st.Breaker != resilience.BreakerOpen || st.BreakerOpens != 1 || st.BreakerRejections == 0 {
		t.Fatalf("stripe policy %+v, want the breaker open", st)
	}
	hits := tool.Hits()
	text, took := s.turn(t, "verify_payment.json")
	mustContain(t, text, paymentDown)
	if tool.Hits() != hits {
		t.Fatal("a turn reached the tool through an open breaker")
	}
	t.Logf("tool down: turn with breaker open answered in %s (a turn before: %s)", took, last)
}

func TestFaultToolDownServesStaleCacheWithItsAge(t *testing.T) {
	t.Parallel()
	tool := stripeTool(t)
	s := newFaultStack(t, stackOptions{stripe: tool.URL})
	text, _ := s.turn(t, "verify_payment.json")
	mustContain(t, text, paidText)
	mustNotContain(t, text, "as of")
	s.clock.Advance(12 * time.Minute)
	tool.Set(faultserver.Down)
	text, _ = s.turn(t, "verify_payment.json")
	mustContain(t, text, paidText, "as of 12 minutes ago")
	if st := s.cache.Stats(); st.Stale != 1 {
		t.Fatalf("cache %+v, want one stale answer", st)
	}
}

func TestFaultSlowPastBudget(t *testing.T) {
	t.Parallel()
	tool := stripeTool(t)
	tool.Set(faultserver.Slow)
	tool.SetDelay(10 * time.Second)
	// A second between the engine's budget and the platform's deadline: turn's check
	// that the reply beats the deadline then has a second of slack on a loaded machine,
	// where the default 300 ms margin would leave 300 ms.
	const margin = time.Second
	s := newFaultStack(t, stackOptions{stripe: tool.URL, resource: func(c *config.Config) {
		c.Deadlines.Platforms["dialogflow"] = 2 * time.Second
		c.Deadlines.ReplyMargin = margin
	}})
	text, took := s.turn(t, "verify_payment.json")
	mustNotContain(t, text, paidText)
	if !strings.Contains(text, paymentDown) && !strings.Contains(text, "slow to answer") {
		t.Fatalf("reply %q is not an honest timeout", text)
	}
	budget := s.deadline - margin
	if took < budget-50*time.Millisecond {
		t.Fatalf("answered after %s: the slow tool cannot have answered", took)
	}
	// The engine answered at the budget; the abandoned call ends at the same deadline.
	// Poll for it: the 10s is a hang guard, not a bound (the call ends within
	// milliseconds of the reply on an idle machine).
	st := s.payments.Stats()
	for wait := time.Now().Add(10 * time.Second); st.InFlight > 0 && time.Now().Before(wait); st = s.payments.Stats() {
		time.Sleep(5 * time.Millisecond)
	}
	if st.Failures != 1 || st.Calls != 1 || st.Breaker != resilience.BreakerClosed || st.InFlight != 0 {
		t.Fatalf("stripe policy %+v, want one failed call, breaker closed", st)
	}
}

func TestFault429Storm(t *testing.T) {
	t.Parallel()
	tool := stripeTool(t)
	tool.Set(faultserver.RateLimited)
	tool.SetRetryAfter(2)
	s := newFaultStack(t, stackOptions{stripe: tool.URL})
	text, _ := s.turn(t, "verify_payment.json")
	mustContain(t, text, paymentDown)
	// Not waited for: a wait would count a retry (or, cut short by the budget, a
	// limiter wait). The policy's counters say so whatever the machine's speed; a
	// bound on the turn's time would not.
	if st := s.payments.Stats(); st.Retries != 0 || st.LimiterWaits != 0 || tool.Hits() != 1 {
		t.Fatalf("stripe policy %+v hits %d: waited for a Retry-After that could not fit the budget", st, tool.Hits())
	}
	// The next turns do not provoke more 429s while the tool's Retry-After runs.
	for i := 0; i < 3; i++ {
		text, _ = s.turn(t, "verify_payment.json")
		mustContain(t, text, paymentDown)
	}
	st := s.payments.Stats()
	if tool.Hits() != 1 || st.LimiterRejections != 3 || st.Retries != 0 || st.Breaker != resilience.BreakerClosed {
		t.Fatalf("hits %d, stripe policy %+v; want one 429 and three local refusals", tool.Hits(), st)
	}
}

func Test429WithinBudgetIsRetriedAfterRetryAfter(t *testing.T) {
	t.Parallel()
	tool := stripeTool(t)
	tool.SetRetryAfter(1)
	tool.Next(faultserver.RateLimited)
	// A deadline with room to spare after the 1s Retry-After: under faultDeadline the
	// retry fits only if the first attempt takes under 200ms, which a loaded machine
	// can miss.
	s := newFaultStack(t, stackOptions{stripe: tool.URL, resource: func(c *config.Config) {
		c.Deadlines.Platforms["dialogflow"] = 5 * time.Second
	}})
	text, took := s.turn(t, "verify_payment.json")
	mustContain(t, text, paidText)
	if took < time.Second {
		t.Fatalf("retried after %s, before the Retry-After", took)
	}
	if st := s.payments.Stats(); st.Retries != 1 || tool.Hits() != 2 {
		t.Fatalf("stripe policy %+v hits %d", st, tool.Hits())
	}
}

func TestFault5xxBurst(t *testing.T) {
	t.Parallel()
	tool := stripeTool(t)
	// Without a cached answer to fall back on (see the stale-cache test for that).
	s := newFaultStack(t, stackOptions{stripe: tool.URL, resource: func(c *config.Config) { c.Store.Cache.PaymentStatus = -1 }})
	// A short burst is absorbed by the retries.
	tool.Next(faultserver.ServerError, faultserver.ServerError)
	text, _ := s.turn(t, "verify_payment.json")
	mustContain(t, text, paidText)
	if st := s.payments.Stats(); st.Retries != 2 || st.Breaker != resilience.BreakerClosed {
		t.Fatalf("stripe policy %+v, want two retries", st)
	}
	// A long one opens the breaker; replies stay honest and fast.
	tool.Set(faultserver.ServerError)
	for i := 0; i < 3; i++ {
		text, _ = s.turn(t, "verify_payment.json")
		mustContain(t, text, paymentDown)
	}
	if st := s.payments.Stats(); st.Breaker != resilience.BreakerOpen {
		t.Fatalf("stripe policy %+v, want open", st)
	}
}

func TestFaultMalformedBody(t *testing.T) {
	t.Parallel()
	tool := stripeTool(t)
	tool.Set(faultserver.Malformed)
	s := newFaultStack(t, stackOptions{stripe: tool.URL})
	text, _ := s.turn(t, "verify_payment.json")
	mustContain(t, text, paymentDown)
	mustNotContain(t, text, paidText)
	// An unreadable answer is not retried (it would be as unreadable again) but
	// counts against the breaker.
	st := s.payments.Stats()
	if tool.Hits() != 1 || st.Retries != 0 || st.Failures != 1 || st.Breaker != resilience.BreakerClosed {
		t.Fatalf("hits %d stripe policy %+v", tool.Hits(), st)
	}
}

func deadDynamo(t testing.TB) store.Store {
	return dynamostore.New(storetest.DynamoClient("http://127.0.0.1:"+strconv.Itoa(testenv.FreePort(t))), "switchboard", dynamostore.Options{})
}

// countingHelpdesk counts the ticket creations that reach the helpdesk.
type countingHelpdesk struct {
	connector.Helpdesk
	creates atomic.Int64
}

func (c *countingHelpdesk) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	c.creates.Add(1)
	return c.Helpdesk.CreateTicket(ctx, t)
}

func TestFaultDynamoDBDown(t *testing.T) {
	t.Parallel()
	tool := stripeTool(t)
	be, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "tickets.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	hd := &countingHelpdesk{Helpdesk: be}
	s := newFaultStack(t, stackOptions{stripe: tool.URL, store: deadDynamo(t), tickets: hd})
	// A read fails open: the answer comes from the tool, without the store.
	text, _ := s.turn(t, "verify_payment.json")
	mustContain(t, text, paidText)
	// A write fails closed: nothing is filed, and the user is told so.
	text, _ = s.turn(t, "create_ticket.json")
	mustContain(t, text, "haven't done anything", "support@")
	mustNotContain(t, text, "I've created")
	if hd.creates.Load() != 0 {
		t.Fatalf("%d tickets reached the helpdesk with no idempotency store", hd.creates.Load())
	}
	if st := s.payments.Stats(); st.Breaker != resilience.BreakerClosed || st.Calls != 1 {
		t.Fatalf("stripe policy %+v", st)
	}
}

func TestFaultSecretsManagerDown(t *testing.T) {
	t.Parallel()
	tool := stripeTool(t)
	sm := secrets.NewSecretsManager(aws.Config{Region: "us-east-1", Retryer: awsenv.NewRetryer,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "testing")},
		"http://127.0.0.1:"+strconv.Itoa(testenv.FreePort(t)))
	provider := secrets.NewAWS(sm, secrets.AWSOptions{Prefix: "switchboard/test/"})
	key := func(ctx context.Context, refresh bool) (string, error) {
		get := provider.Get
		if refresh {
			get = provider.Refresh
		}
		s, err := get(ctx, "stripe")
		if err != nil {
			return "", err
		}
		return s["api_key"], nil
	}
	s := newFaultStack(t, stackOptions{stripe: tool.URL, key: key})
	text, _ := s.turn(t, "verify_payment.json")
	mustContain(t, text, paymentDown, "support@")
	mustNotContain(t, text, paidText)
	// Stripe itself was never called, and its breaker has no reason to open.
	if st := s.payments.Stats(); tool.Hits() != 0 || st.Breaker != resilience.BreakerClosed {
		t.Fatalf("hits %d stripe policy %+v", tool.Hits(), st)
	}
}

// 50 deliveries of one create-ticket turn at once to one process, on the DynamoDB store
// in moto: one ticket, 50 identical replies, one claim in the store.
func TestConcurrentDeliveriesCreateOneTicket(t *testing.T) {
	t.Parallel()
	client, table := storetest.MotoStore(t)
	counting := dynamostore.NewCounting(client)
	st := dynamostore.New(counting, table, dynamostore.Options{})
	be, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "tickets.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	hd := &countingHelpdesk{Helpdesk: be}
	s := newFaultStack(t, stackOptions{store: st, tickets: hd, stripe: "http://127.0.0.1:1", resource: func(c *config.Config) {
		c.Deadlines.Platforms["dialogflow"] = 5 * time.Second // the platform's real deadline
	}})
	before, err := be.OpenTickets(context.Background(), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	body := withTurnID(t, readEvent(t, conversation.DialogflowES, "create_ticket.json"), "concurrent-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	const n = 50
	bodies := make([][]byte, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := s.engine.Serve(context.Background(), conversation.DialogflowES, body)
			if resp.Status != http.StatusOK {
				t.Errorf("delivery %d: HTTP %d %s", i, resp.Status, resp.Body)
			}
			bodies[i] = resp.Body
		}()
	}
	wg.Wait()
	took := time.Since(start)
	after, err := be.OpenTickets(context.Background(), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if hd.creates.Load() != 1 || len(after) != len(before)+1 {
		t.Fatalf("creates reaching the helpdesk %d, open tickets %d -> %d; want exactly one ticket", hd.creates.Load(), len(before), len(after))
	}
	schematest.Validate(t, conversation.DialogflowES, bodies[0])
	for i := 1; i < n; i++ {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("reply %d differs:\n%s\nvs\n%s", i, bodies[i], bodies[0])
		}
	}
	if !strings.Contains(string(bodies[0]), "created ticket #"+after[0].ID) {
		t.Fatalf("reply %s does not name ticket %s", bodies[0], after[0].ID)
	}
	c := counting.Counts()
	t.Logf("50 concurrent deliveries in %s: 1 ticket; DynamoDB calls %+v", took, c)
	// One process: the deliveries wait for the first in memory (or are answered from
	// its copy of the completed turn), so the store sees one claim (a transaction that
	// also checks that the customer and subject hold no unknown outcome), no poll, and
	// one completing UpdateItem. Contention between processes is
	// TestConcurrentDeliveriesCreateOneZendeskTicket's.
	if c != (dynamostore.Counts{TransactWriteItems: 1, UpdateItem: 1}) {
		t.Fatalf("DynamoDB calls %+v, want 1 TransactWriteItems (the claim) and 1 UpdateItem", c)
	}
}

// The time from a turn's arrival to its fallback reply when the tool's breaker is
// open: the whole turn (decode, idempotency on the in-memory store, intents, refusal,
// encode). Target < 2 ms.
func BenchmarkBreakerOpenTimeToFallback(b *testing.B) {
	tool := stripeTool(b)
	tool.Set(faultserver.ServerError)
	s := newFaultStack(b, stackOptions{stripe: tool.URL, resource: func(c *config.Config) {
		st := c.Resilience.Tools["stripe"]
		st.MaxAttempts = 1
		st.BreakerFailures = 1
		st.BreakerOpenFor = time.Hour
		c.Store.Cache.PaymentStatus = -1
	}})
	base := readEvent(b, conversation.DialogflowES, "verify_payment_signed.json")
	s.engine.Serve(context.Background(), conversation.DialogflowES, withTurnID(b, base, "open-breaker"))
	if st := s.payments.Stats(); st.Breaker != resilience.BreakerOpen {
		b.Fatalf("breaker %s", st.Breaker)
	}
	bodies := make([][]byte, 1024)
	for i := range bodies {
		bodies[i] = withTurnID(b, base, "bench-"+strconv.Itoa(i)+"-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	}
	hits := tool.Hits()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		resp := s.engine.Serve(context.Background(), conversation.DialogflowES, bodies[i%len(bodies)])
		if resp.Status != http.StatusOK || !bytes.Contains(resp.Body, []byte(paymentDown)) {
			b.Fatalf("HTTP %d %s", resp.Status, resp.Body)
		}
		i++
	}
	if tool.Hits() != hits {
		b.Fatal("the open breaker let calls through")
	}
}

func zendeskHelpdesk(t testing.TB, zd *zdtest.Server) *zendesk.Client {
	t.Helper()
	p := secrets.Static{"zendesk": zd.Secret()}
	c, err := zendesk.New(zendesk.Options{
		BaseURL: zd.URL(),
		Auth:    httpauth.BasicAuth(p, "zendesk", "email", "api_token").WithUser(zendesk.APITokenUser),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ticketPosts(zd *zdtest.Server) int {
	n := 0
	for _, r := range zd.Requests() {
		if r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/api/v2/tickets") {
			n++
		}
	}
	return n
}

// The same 50 concurrent deliveries against the Zendesk stand-in, which follows the
// documented Tickets API, spread over 3 processes (each its own Zendesk client and
// in-process state) on one DynamoDB table: one POST /api/v2/tickets, one ticket.
func TestConcurrentDeliveriesCreateOneZendeskTicket(t *testing.T) {
	t.Parallel()
	client, table := storetest.MotoStore(t)
	st := dynamostore.New(client, table, dynamostore.Options{})
	zd := zdtest.New(t)
	var procs [3]*faultStack
	for i := range procs {
		procs[i] = newFaultStack(t, stackOptions{store: st, tickets: zendeskHelpdesk(t, zd), stripe: "http://127.0.0.1:1", resource: func(c *config.Config) {
			c.Deadlines.Platforms["dialogflow"] = 5 * time.Second
		}})
	}
	before := len(zd.Tickets())
	body := withTurnID(t, readEvent(t, conversation.DialogflowES, "create_ticket.json"), "zd-concurrent-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	const n = 50
	bodies := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = procs[i%len(procs)].engine.Serve(context.Background(), conversation.DialogflowES, body).Body
		}()
	}
	wg.Wait()
	if got := len(zd.Tickets()); got != before+1 || ticketPosts(zd) != 1 {
		t.Fatalf("tickets %d -> %d, POSTs %d; want exactly one", before, got, ticketPosts(zd))
	}
	schematest.Validate(t, conversation.DialogflowES, bodies[0])
	for i := 1; i < n; i++ {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("reply %d differs:\n%s\nvs\n%s", i, bodies[i], bodies[0])
		}
	}
	if !strings.Contains(string(bodies[0]), "created ticket #") {
		t.Fatalf("reply %s", bodies[0])
	}
}

// A ticket creation the helpdesk refused with a 5xx is not repeated by the resilience
// layer (writes are not retried by default), the user is told nothing was filed, and
// the idempotency record is freed: the platform's retry of the same turn files it.
func TestFaultTicketWriteFailsHonestlyAndItsRetryRuns(t *testing.T) {
	t.Parallel()
	zd := zdtest.New(t)
	s := newFaultStack(t, stackOptions{tickets: zendeskHelpdesk(t, zd), stripe: "http://127.0.0.1:1"})
	zd.Fail(zdtest.Fault{Kind: zdtest.ServerError}.On(http.MethodPost, "/api/v2/tickets"))
	before := len(zd.Tickets())
	body := withTurnID(t, readEvent(t, conversation.DialogflowES, "create_ticket.json"), "zd-retry-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	serve := func() string {
		resp := s.engine.Serve(context.Background(), conversation.DialogflowES, body)
		schematest.Validate(t, conversation.DialogflowES, resp.Body)
		var out struct {
			FulfillmentText string `json:"fulfillmentText"`
		}
		json.Unmarshal(resp.Body, &out)
		return out.FulfillmentText
	}
	text := serve()
	mustContain(t, text, "nothing has been filed")
	mustNotContain(t, text, "I've created")
	if ticketPosts(zd) != 1 || len(zd.Tickets()) != before {
		t.Fatalf("POSTs %d tickets %d->%d: a failed write was repeated or filed", ticketPosts(zd), before, len(zd.Tickets()))
	}
	text = serve()
	mustContain(t, text, "I've created ticket #")
	if len(zd.Tickets()) != before+1 {
		t.Fatalf("the platform's retry did not file the ticket: %d -> %d", before, len(zd.Tickets()))
	}
	if st := s.tickets.Stats(); st.Retries != 0 || st.Breaker != resilience.BreakerClosed {
		t.Fatalf("helpdesk policy %+v", st)
	}
}
