package main

import (
	"context"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The benchmark program's rows stay measurable: a change that makes a row unmeasurable
// (a sample event the handlers now refuse, an environment the functions no longer start
// with) fails here, not in the next `make bench`. Only that each row was measured is
// asserted — never a figure against its target, which would make a test depend on the
// machine's speed.
func TestRowsAreMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the servers under (brief) load")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	o := &options{root: testenv.RepoRoot(), duration: 300 * time.Millisecond, concurrency: 4, maxRequests: 300}
	r := &report{}
	benchLocal(ctx, o, r)
	benchFanOut(ctx, o, r)
	benchBreaker(ctx, o, r)

	// The per-intent DynamoDB calls, with and without the shared read cache, through a
	// counting proxy in front of moto.
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	target, _ := url.Parse(moto)
	proxy := &countingProxy{next: httputil.NewSingleHostReverseProxy(target), n: map[string]int{}}
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	endpoint, err := listen(pctx, proxy)
	if err != nil {
		t.Fatal(err)
	}
	table := storetest.MotoTable(t, storetest.MotoClient(t))
	callsPerIntent(ctx, o, r, "3", "calls per intent", proxy, endpoint, table, false)
	callsPerIntent(ctx, o, r, "3", "calls per intent, shared cache", proxy, endpoint, table, true)

	// Same-process duplicates under load, on the create-ticket function's stack.
	client, err := dynamostore.NewClient(ctx, endpoint, storetest.MotoIsolation)
	if err != nil {
		t.Fatal(err)
	}
	sb, closeSB, err := idemSwitchboard(pctx, client, storetest.MotoTable(t, storetest.MotoClient(t)), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSB()
	create, err := sampleBodies(o.root, conversation.DialogflowES, "create_ticket.json")
	if err != nil {
		t.Fatal(err)
	}
	extra, completed := loadedDuplicates(o, r, "3", proxy, sb[0], create, 40, 1<<24)
	// The count is asserted when every turn completed: a machine so loaded that a turn
	// reaches its deadline leaves that record in progress, and its duplicate must ask
	// DynamoDB (the bench row reports it; this test must not depend on speed).
	if completed >= 40 && extra != 0 {
		t.Errorf("every turn completed, yet the duplicates cost %d DynamoDB calls, want 0", extra)
	} else if completed < 40 {
		t.Logf("%d of 40 turns reached their deadline on this machine: the duplicates' count (%d) is not asserted", 40-completed, extra)
	}

	for _, row := range r.rows {
		if row.Verdict == na {
			t.Errorf("%s: not measured: %s", row.Figure, row.Value)
		} else {
			t.Logf("%s: %s", row.Figure, row.Value)
		}
	}
	if len(r.rows) < 9 {
		t.Errorf("%d rows, want the 4 local rows, fan-out, breaker, the 2 per-intent rows and the loaded duplicates", len(r.rows))
	}
	// The per-intent target is a count, not a time: it holds on any machine.
	dupRow := false
	for _, row := range r.rows {
		if row.Figure == "calls per intent" && row.Verdict != pass {
			t.Errorf("%s: %s, want %s", row.Figure, row.Value, row.Target)
		}
		dupRow = dupRow || row.Figure == figDupLoaded
	}
	if !dupRow {
		t.Error("no loaded duplicates row")
	}
}

// Every function, built for the example deployment (only its tools, no code sender),
// starts under the RIE with the environment the CDK app deploys it with (what the
// cold-start rows time).
func TestColdStartEnvironmentStartsEveryFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every function")
	}
	rie, ok := testenv.LookPath("aws-lambda-rie")
	if !ok {
		testenv.Missing(t, "aws-lambda-rie", "make tool-rie")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := t.TempDir()
	for _, f := range functions {
		t.Run(f.name, func(t *testing.T) {
			out := filepath.Join(bin, f.name, "bootstrap")
			if err := buildFunction(ctx, testenv.RepoRoot(), f.name, out, runtime.GOARCH); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if _, _, err := coldStart(ctx, rie, out, initOnly, dir, deployedEnv(f.name)); err != nil {
				t.Fatalf("%v", err)
			}
		})
	}
}

// The routed/direct CPU row is measured: the router and the lookup_customer function
// start under the RIE, answer signed ES lookups (auth on) directly and routed, and their
// CPU time is read. Only that the row was measured is asserted, never the ratio.
func TestRoutedRowIsMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two functions and runs them under the RIE")
	}
	if _, ok := testenv.LookPath("aws-lambda-rie"); !ok {
		testenv.Missing(t, "aws-lambda-rie", "make tool-rie")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r := &report{}
	benchRouted(ctx, &options{root: testenv.RepoRoot(), duration: 300 * time.Millisecond}, r)
	if len(r.rows) != 1 || r.rows[0].Figure != figRouted || r.rows[0].Verdict == na {
		t.Fatalf("rows %+v, want the measured %q row", r.rows, figRouted)
	}
	t.Logf("%s: %s", r.rows[0].Figure, r.rows[0].Value)
}

// The fair peer does Switchboard's work on a signed lookup: with the right key its
// reply is Switchboard's, whole; with another key (a token it cannot verify) it
// refuses, as Switchboard does to an unproven caller.
func TestFairPeerSendsSwitchboardsReplyAfterVerifyingTheToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	root := testenv.RepoRoot()
	b, err := sampleBodies(root, conversation.DialogflowES, "lookup_customer_signed.json")
	if err != nil {
		t.Fatal(err)
	}
	records, _, err := peerRecords(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	sbURL, stop, err := startSwitchboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	sbOut, err := post(ctx, sbURL+server.PathPrefix+string(conversation.DialogflowES), b.nth(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key       string
		wantWhole bool
	}{{identity.DemoKey, true}, {"another-key", false}} {
		u, proc, err := startPeer(ctx, root, "dialogflow-fulfillment.js", "jsonwebtoken",
			"PEER_RECORDS="+string(records), "PEER_TOKEN_KEY="+tc.key)
		if err != nil {
			testenv.Missing(t, "the Node peer", err.Error())
		}
		out, err := post(ctx, u, b.nth(1))
		proc.Stop()
		if err != nil {
			t.Fatal(err)
		}
		if got := sameJSON(sbOut, out); got != tc.wantWhole {
			t.Errorf("key %q: reply equals Switchboard's = %v, want %v\nswitchboard: %s\npeer: %s", tc.key, got, tc.wantWhole, sbOut, out)
		}
		if !tc.wantWhole && (strings.Contains(string(out), "Ada") || !strings.Contains(string(out), "account holder")) {
			t.Errorf("key %q: an unverified caller got %s", tc.key, out)
		}
	}
}
