package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/dynamotable"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// countingProxy forwards to moto_server and counts DynamoDB calls by X-Amz-Target
// (e.g. "DynamoDB_20120810.PutItem"), whoever makes them.
type countingProxy struct {
	next http.Handler
	mu   sync.Mutex
	n    map[string]int
}

func (c *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		_, op, _ := strings.Cut(t, ".")
		c.mu.Lock()
		c.n[op]++
		c.mu.Unlock()
	}
	c.next.ServeHTTP(w, r)
}

func (c *countingProxy) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.n))
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

// calls is what happened between two snapshots, per operation.
type calls map[string]int

func since(after, before map[string]int) calls {
	out := calls{}
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

func (c calls) total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// per renders calls per request, e.g. "2.00 (PutItem 1.00, UpdateItem 1.00)".
func (c calls) per(requests uint64) string {
	if requests == 0 {
		return "no requests"
	}
	if len(c) == 0 {
		return "0 (no call)"
	}
	ops := make([]string, 0, len(c))
	for k := range c {
		ops = append(ops, k)
	}
	sort.Strings(ops)
	parts := make([]string, 0, len(ops))
	for _, k := range ops {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, float64(c[k])/float64(requests)))
	}
	return fmt.Sprintf("%.2f (%s)", float64(c.total())/float64(requests), strings.Join(parts, ", "))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startMoto starts moto_server on a free loopback port.
func startMoto(ctx context.Context) (string, *testenv.Process, error) {
	bin, ok := testenv.LookPath("moto_server")
	if !ok {
		return "", nil, fmt.Errorf("moto_server not found (moto 5.2.1: pip install 'moto[server]==5.2.1')")
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	p, err := testenv.Start("moto-bench", exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port)))
	if err != nil {
		return "", nil, err
	}
	u := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := testenv.WaitHTTP(ctx, u+"/moto-api/", 60*time.Second); err != nil {
		p.Stop()
		return "", nil, fmt.Errorf("moto_server: %w", err)
	}
	return u, p, nil
}

func benchIdempotency(ctx context.Context, o *options, r *report) {
	const sec = "3"
	figNew := "idempotent create_ticket, new turns: Switchboard / Powertools throughput"
	// Every comparison has the same-process copy on both sides or on neither.
	figDup := "idempotent create_ticket, duplicates in the process that answered them (local copy on both sides: Powertools useLocalCache): Switchboard / Powertools throughput"
	figDupOther := "idempotent create_ticket, duplicates in another process (no copy on either side): Switchboard / Powertools throughput"
	figCallsNew := "DynamoDB calls per new create_ticket turn: Switchboard vs Powertools"
	figCallsDup := "DynamoDB calls per duplicate, same process (local copy on both sides): Switchboard vs Powertools useLocalCache"
	figCallsOther := "DynamoDB calls per duplicate, another process (no copy on either side): Switchboard vs Powertools"
	figIntent := "DynamoDB calls per turn by intent (app.Build on the demo tools; first turn, then a new turn asking the same)"
	allMissing := func(reason string) {
		r.missing(sec, figDupLoaded, "0", reason)
		r.missing(sec, figNew, "≥ 2×", reason)
		r.missing(sec, figDup, "≥ 2×", reason)
		r.missing(sec, figIntent, "reads 0 writes, create_ticket 2", reason)
		r.missing(sec, figDupOther, "≥ 2×", reason)
		r.missing(sec, figCallsNew, "≤ Powertools", reason)
		r.missing(sec, figCallsDup, "≤ Powertools", reason)
		r.missing(sec, figCallsOther, "≤ Powertools", reason)
	}
	motoURL, moto, err := startMoto(ctx)
	if err != nil {
		allMissing(err.Error())
		return
	}
	defer moto.Stop()
	target, _ := url.Parse(motoURL)
	proxy := &countingProxy{next: httputil.NewSingleHostReverseProxy(target), n: map[string]int{}}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	proxyURL, err := listen(pctx, proxy)
	if err != nil {
		allMissing(err.Error())
		return
	}
	// moto accepts any credentials; these are the SDKs' usual test values.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
	} {
		os.Setenv(k, v)
	}
	// moto runs a TransactWriteItems by copying the table and restoring the copy when
	// the transaction is cancelled, undoing concurrent writes: MotoIsolation runs each
	// conditional write alone, as DynamoDB's isolation makes it appear.
	client, err := dynamostore.NewClient(ctx, proxyURL, storetest.MotoIsolation)
	if err != nil {
		allMissing(err.Error())
		return
	}
	awsCfg, err := awsenv.Load(ctx)
	if err != nil {
		allMissing(err.Error())
		return
	}
	tables := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(proxyURL) })
	const sbTable, ptTable = "switchboard-bench", "powertools-bench"
	for _, t := range []string{sbTable, ptTable} {
		if err := dynamotable.CreateTable(ctx, tables, t); err != nil {
			allMissing("create table: " + err.Error())
			return
		}
	}
	motoClaimCost(ctx, r, sec, client, tables)
	callsPerIntent(ctx, o, r, sec, figIntent, proxy, proxyURL, sbTable, false)
	callsPerIntent(ctx, o, r, sec, figIntent+", with store.cache.shared", proxy, proxyURL, sbTable, true)
	allMissing = func(reason string) {
		r.missing(sec, figDupLoaded, "0", reason)
		for _, f := range []string{figNew, figDup, figDupOther} {
			r.missing(sec, f, "≥ 2×", reason)
		}
		for _, f := range []string{figCallsNew, figCallsDup, figCallsOther} {
			r.missing(sec, f, "≤ Powertools", reason)
		}
	}

	// Switchboard: the create-ticket function's stack, twice on one table.
	sbEndpoints, closeSB, err := idemSwitchboard(pctx, client, sbTable, 2)
	if err != nil {
		allMissing(err.Error())
		return
	}
	defer closeSB()
	sbEndpoint, sbOther := sbEndpoints[0], sbEndpoints[1]

	peerURL, peerProc, err := startPeer(ctx, o.root, "powertools-idempotency.js", "@aws-lambda-powertools/idempotency",
		"DYNAMODB_ENDPOINT="+proxyURL, "TABLE="+ptTable)
	if err != nil {
		allMissing(err.Error())
		return
	}
	defer peerProc.Stop()
	peerLocalURL, peerLocalProc, err := startPeer(ctx, o.root, "powertools-idempotency.js", "@aws-lambda-powertools/idempotency",
		"DYNAMODB_ENDPOINT="+proxyURL, "TABLE="+ptTable, "PEER_LOCAL_CACHE=1")
	if err != nil {
		allMissing(err.Error())
		return
	}
	defer peerLocalProc.Stop()

	b, err := sampleBodies(o.root, conversation.DialogflowES, "create_ticket.json")
	if err != nil {
		allMissing(err.Error())
		return
	}
	// Each side must create on the first delivery and replay on the second.
	for name, u := range map[string]string{"switchboard": sbEndpoint, "powertools": peerURL, "powertools-local": peerLocalURL} {
		body := b.nth(1 << 43)
		first, err := post(ctx, u, body)
		if err != nil {
			allMissing(name + ": " + err.Error())
			return
		}
		again, err := post(ctx, u, body)
		if err != nil {
			allMissing(name + " duplicate: " + err.Error())
			return
		}
		if string(first) != string(again) || !strings.Contains(string(first), "#") {
			allMissing(fmt.Sprintf("%s: the duplicate got %.160s, the first %.160s", name, again, first))
			return
		}
	}

	workers := max(o.concurrency/2, 1)
	type side struct {
		newRun, dupRun, otherRun   loadResult
		newCalls, dupCls, otherCls calls
	}
	// run delivers idemTurns new turns to u, then the same turns again to u, then (when
	// other is set) once more to other, a second instance on the same table.
	run := func(name, u, other string, first uint64) (side, string) {
		var s side
		c0 := proxy.snapshot()
		s.newRun = attack(name+"-new", u, b, workers, 60*time.Second, o.idemTurns, first)
		c1 := proxy.snapshot()
		s.dupRun = attack(name+"-dup", u, b, workers, 60*time.Second, o.idemTurns, first)
		c2 := proxy.snapshot()
		s.newCalls, s.dupCls = since(c1, c0), since(c2, c1)
		if f := s.newRun.failure(); f != "" {
			return s, "new turns: " + f
		}
		if f := s.dupRun.failure(); f != "" {
			return s, "duplicates: " + f
		}
		if other != "" {
			s.otherRun = attack(name+"-other", other, b, workers, 60*time.Second, o.idemTurns, first)
			s.otherCls = since(proxy.snapshot(), c2)
			if f := s.otherRun.failure(); f != "" {
				return s, "duplicates in another instance: " + f
			}
		}
		return s, ""
	}
	sb, f := run("switchboard", sbEndpoint, sbOther, 1<<20)
	if f != "" {
		allMissing("switchboard " + f)
		return
	}
	// Powertools keeps no copy by default, so a duplicate costs it the same call in
	// whichever process it lands: its own duplicates phase serves both comparisons.
	pt, f := run("powertools", peerURL, "", 1<<21)
	if f != "" {
		allMissing("powertools " + f)
		return
	}
	ptLocal, f := run("powertools-local", peerLocalURL, "", 1<<22)
	if f != "" {
		allMissing("powertools with useLocalCache " + f)
		return
	}
	ratio := func(a, b loadResult) string {
		return fmt.Sprintf("%.2f× (%.0f vs %.0f turns/s; p99 %s vs %s; %d turns each, c=%d)",
			a.Throughput/b.Throughput, a.Throughput, b.Throughput, ms(a.P99), ms(b.P99), a.Requests, workers)
	}
	r.check(sec, figNew, ratio(sb.newRun, pt.newRun), "≥ 2×", sb.newRun.Throughput >= 2*pt.newRun.Throughput)
	r.check(sec, figDup, ratio(sb.dupRun, ptLocal.dupRun), "≥ 2×", sb.dupRun.Throughput >= 2*ptLocal.dupRun.Throughput)
	r.check(sec, figDupOther, ratio(sb.otherRun, pt.dupRun), "≥ 2×", sb.otherRun.Throughput >= 2*pt.dupRun.Throughput)
	perTurn := func(c calls, n uint64) float64 { return float64(c.total()) / float64(n) }
	r.check(sec, figCallsNew, sb.newCalls.per(sb.newRun.Requests)+" vs "+pt.newCalls.per(pt.newRun.Requests), "≤ Powertools",
		perTurn(sb.newCalls, sb.newRun.Requests) <= perTurn(pt.newCalls, pt.newRun.Requests))
	r.check(sec, figCallsDup, sb.dupCls.per(sb.dupRun.Requests)+" vs "+ptLocal.dupCls.per(ptLocal.dupRun.Requests), "≤ Powertools",
		perTurn(sb.dupCls, sb.dupRun.Requests) <= perTurn(ptLocal.dupCls, ptLocal.dupRun.Requests))
	r.check(sec, figCallsOther, sb.otherCls.per(sb.otherRun.Requests)+" vs "+pt.dupCls.per(pt.dupRun.Requests), "≤ Powertools",
		perTurn(sb.otherCls, sb.otherRun.Requests) <= perTurn(pt.dupCls, pt.dupRun.Requests))
	loadedDuplicates(o, r, sec, proxy, sbEndpoint, b, o.idemTurns, 1<<24)
}

// idemSwitchboard starts n instances of the create-ticket function's stack on one table,
// as n Lambda instances would be (each meets the others' turns as strangers, its local
// copy empty): idempotency on DynamoDB around the intents, the demo helpdesk behind its
// resilience policy. It returns each one's Dialogflow ES webhook URL.
func idemSwitchboard(ctx context.Context, client dynamostore.API, table string, n int) ([]string, func(), error) {
	dir, err := os.MkdirTemp("", "switchboard-bench-idem-")
	if err != nil {
		return nil, nil, err
	}
	cfg, err := benchConfig(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	be, err := demo.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	cleanup := func() { be.Close(); os.RemoveAll(dir) }
	set := resilience.NewSet(func(tool string) resilience.Settings { return resilience.Settings(cfg.Resilience.For(tool)) }, resilience.Options{})
	deps := intents.Deps{
		Tickets:      resilience.Helpdesk(set.For(config.ToolDemo), be, resilience.HelpdeskOptions{HonoursExternalID: true}),
		SupportEmail: cfg.SupportEmail,
	}
	var out []string
	for range n {
		svc := intents.New(deps)
		io := app.IdempotencyOptions(cfg, "createticket")
		io.Writes = app.WritesOf(svc) // create_ticket as production runs it: a write
		h := idempotency.New(dynamostore.New(client, table, dynamostore.Options{}), svc, io)
		e := engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
		u, err := listen(ctx, server.Handler(e, server.Options{}))
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		out = append(out, u+server.PathPrefix+string(conversation.DialogflowES))
	}
	return out, cleanup, nil
}

// intentEvents are the sample events the per-intent row sends: signed by the demo key
// (the caller verified), so each read reaches its tool.
var intentEvents = []struct {
	in   conversation.Intent
	file string
}{
	{conversation.LookupCustomer, "lookup_customer_signed.json"}, {conversation.CreateTicket, "create_ticket_signed.json"},
	{conversation.VerifyPayment, "verify_payment_signed.json"}, {conversation.SearchKB, "search_kb.json"},
}

// callsPerIntent counts the DynamoDB calls of one turn of each intent through the
// production wiring (app.Build: idempotency for store.idempotent_intents, the read
// cache, the demo tools) on the table behind the counting proxy: a first turn, then a
// new turn asking the same (a read answered from the cache, a ticket filed again).
//
// With shared, the read cache also keeps its entries in the store (store.cache.shared):
// the row reports that option's cost and carries no target.
func callsPerIntent(ctx context.Context, o *options, r *report, sec, fig string, proxy *countingProxy, endpoint, table string, shared bool) {
	target := "reads 0 writes, create_ticket 2"
	if shared {
		target = "—"
	}
	dir, err := os.MkdirTemp("", "switchboard-bench-intents-")
	if err != nil {
		r.missing(sec, fig, target, err.Error())
		return
	}
	defer os.RemoveAll(dir)
	cfg, err := benchConfig(dir, "SWITCHBOARD_STORE_BACKEND=dynamodb", "SWITCHBOARD_STORE_TABLE="+table,
		"SWITCHBOARD_STORE_ENDPOINT="+endpoint, "SWITCHBOARD_STORE_CACHE_SHARED="+strconv.FormatBool(shared))
	if err != nil {
		r.missing(sec, fig, target, err.Error())
		return
	}
	a, err := app.Build(ctx, cfg, app.Options{})
	if err != nil {
		r.missing(sec, fig, target, err.Error())
		return
	}
	defer a.Close()
	writes := func(c calls) int { return c["PutItem"] + c["UpdateItem"] + c["DeleteItem"] + c["TransactWriteItems"] }
	var parts []string
	ok := true
	for i, ev := range intentEvents {
		b, err := sampleBodies(o.root, conversation.DialogflowES, ev.file)
		if err != nil {
			r.missing(sec, fig, target, err.Error())
			return
		}
		var per []string
		for k := range 2 {
			before := proxy.snapshot()
			base := uint64(1 << 30) // turn ids of their own in each run: no run replays another's
			if shared {
				base = 1 << 31
			}
			resp := a.Engine.Serve(ctx, conversation.DialogflowES, b.nth(base+uint64(i*10+k)))
			c := since(proxy.snapshot(), before)
			if resp.Status != http.StatusOK {
				r.missing(sec, fig, target, fmt.Sprintf("%s: HTTP %d", ev.in, resp.Status))
				return
			}
			per = append(per, c.per(1))
			if ev.in == conversation.CreateTicket {
				ok = ok && c.total() <= 2
			} else {
				ok = ok && writes(c) == 0
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %s; then %s", ev.in, per[0], per[1]))
	}
	if shared {
		r.add(sec, fig, strings.Join(parts, " · "), target, "—")
		return
	}
	r.check(sec, fig, strings.Join(parts, " · "), target, ok)
}

// motoClaimCost times the two kinds of claim on moto, on a fresh table and on one of
// 400 items (the size the new-turn phase leaves): Create (one conditional PutItem, a
// read intent's claim) and CreateGuarded (one TransactWriteItems, create_ticket's).
// moto copies every table a transaction touches, so its transactions slow down as the
// table grows; DynamoDB's do not. This row says where the Switchboard side's time goes
// in the throughput rows above.
func motoClaimCost(ctx context.Context, r *report, sec string, client dynamostore.API, tables dynamotable.TableAPI) {
	const fig = "moto's cost of a claim: conditional PutItem vs TransactWriteItems (median of 25, on an empty table and on one of 400 items)"
	table := fmt.Sprintf("switchboard-bench-claims-%d", time.Now().UnixNano())
	if err := dynamotable.CreateTable(ctx, tables, table); err != nil {
		r.missing(sec, fig, "—", err.Error())
		return
	}
	st := dynamostore.New(client, table, dynamostore.Options{})
	seq := 0
	rec := func() store.Record {
		seq++
		now := time.Now()
		return store.Record{Key: store.Key("bench", "idem", strconv.Itoa(seq)), Status: store.StatusInProgress,
			Expiration: now.Add(time.Hour), InProgressExpiration: now.Add(5 * time.Second), PayloadHash: "h",
			Data: []byte(`{"owner":"0123456789abcdef01234567","external_id":"ext","until_ms":1}`)}
	}
	timeIt := func(f func() error) (time.Duration, error) {
		ds := make([]time.Duration, 0, 25)
		for range 25 {
			start := time.Now()
			if err := f(); err != nil {
				return 0, err
			}
			ds = append(ds, time.Since(start))
		}
		return median(ds), nil
	}
	var parts []string
	for _, size := range []int{0, 400} {
		for seq < size {
			if err := st.Put(ctx, rec()); err != nil {
				r.missing(sec, fig, "—", err.Error())
				return
			}
		}
		put, err := timeIt(func() error { return st.Create(ctx, rec()) })
		if err != nil {
			r.missing(sec, fig, "—", err.Error())
			return
		}
		tx, err := timeIt(func() error { return st.CreateGuarded(ctx, rec(), store.Key("bench", "unknown", "guard")) })
		if err != nil {
			r.missing(sec, fig, "—", err.Error())
			return
		}
		parts = append(parts, fmt.Sprintf("%d items: %s vs %s", size, ms(put), ms(tx)))
	}
	r.add(sec, fig, strings.Join(parts, "; "), "—", "—")
}
