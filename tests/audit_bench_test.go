package tests

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/identity/ddbaudit"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// BenchmarkAuditTurn measures what the dynamodb audit sink (one conditional PutItem
// into the audit table, answered before the reply: issue 24's "the reply is sent only
// after the event is durable") adds to a turn that discloses personal data: a signed
// owner's Lex lookup_customer, answered in full, through app.Build as a function
// wires it (the DynamoDB store, the demo tools), on moto_server.
//
//   - turn/audit=none: the same turn with the sink that records nothing
//     (identity.audit.sink: none), the baseline;
//   - turn/audit=dynamodb: the turn with the dynamodb sink (what the CDK app deploys);
//   - putitem: ddbaudit's Record alone (the SDK's PutItem, as the registered sink
//     builds it from awsenv) with an event of the turn's shape.
//
// ns/op of turn/audit=dynamodb − turn/audit=none is the latency the audit adds on
// moto; cpu-ns/op is this process's CPU per op (moto runs in its own). ddb-calls/op
// and putitem/op are every DynamoDB call of a turn, counted by a proxy in front of
// moto (countDynamo) over turns served, before the measured ones, by an app of the
// same configuration pointed at the proxy: the measured app talks to moto directly,
// so the proxy's hop is not in ns/op. Each turn has a fresh turn id (none is a
// replay). moto answers from a Python process on the same machine: its latency is not
// DynamoDB's (docs/benchmarks-history.md, "What the audit adds to a turn").
func BenchmarkAuditTurn(b *testing.B) {
	moto := testenv.Moto(b)
	testenv.AWSEnv(b, moto)
	client := storetest.MotoClient(b)
	store := storetest.MotoTable(b, client)
	_, table := newAuditTable(b)
	counted, calls := countDynamo(b, moto)

	p := conversation.LexV2
	body := readEvent(b, p, "lookup_customer_signed.json")
	id := benchTurnID(b, p, body)
	at := allIndexes(body, id)
	if len(at) == 0 {
		b.Fatal("the turn id is not in the event")
	}
	// Seeded from the clock and counted up across every round and case: a turn id
	// is never sent twice, so no turn is a replay.
	n := uint64(time.Now().UnixNano())
	turn := func(b *testing.B, a *app.App) {
		n++
		for _, i := range at {
			putTurnID(body[i:i+len(id)], n)
		}
		r := a.Engine.Serve(context.Background(), p, body)
		if r.Status != http.StatusOK || !bytes.Contains(r.Body, []byte("Ada Lovelace")) {
			b.Fatalf("the owner's lookup: HTTP %d %s", r.Status, r.Body)
		}
	}
	for _, sink := range []string{config.AuditNone, config.AuditDynamoDB} {
		b.Run("turn/audit="+sink, func(b *testing.B) {
			// The calls per turn, through the counting proxy.
			const countTurns = 10
			ca := auditBenchApp(b, sink, counted, store, table)
			turn(b, ca) // the process's first lookup fills its cache, as on the measured app
			calls.take()
			for range countTurns {
				turn(b, ca)
			}
			got := calls.take()
			total := 0
			for _, c := range got {
				total += c
			}
			if want := map[string]int{config.AuditNone: 0, config.AuditDynamoDB: countTurns}[sink]; got["PutItem"] != want {
				b.Fatalf("audit=%s: DynamoDB calls over %d turns %v, want %d PutItem", sink, countTurns, got, want)
			}

			a := auditBenchApp(b, sink, moto, store, table)
			turn(b, a)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				turn(b, a)
			}
			b.ReportMetric(float64(total)/countTurns, "ddb-calls/op")
			b.ReportMetric(float64(got["PutItem"])/countTurns, "putitem/op")
		})
	}
	b.Run("putitem", func(b *testing.B) {
		cfg, err := awsenv.Load(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		sink := ddbaudit.New(cfg, moto, table)
		e := identity.Event{Intent: "lookup_customer", Platform: string(p), TurnID: "0123456789abcdef",
			Session: "fedcba9876543210", Verification: "token", CustomerID: "aaaabbbbccccdddd", Tool: "demo", Outcome: "answered"}
		ctx := context.Background()
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			e.Time = time.Now().UTC()
			if err := sink.Record(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// auditBenchApp is app.Build on the embedded default with the DynamoDB store and the
// given audit sink, both at endpoint, abuse limits off as in `make bench`.
func auditBenchApp(b *testing.B, sink, endpoint, store, table string) *app.App {
	b.Helper()
	cfg, err := config.LoadEmbedded([]string{
		"SWITCHBOARD_DATA_DIR=" + b.TempDir(),
		"SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1",
		"SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1",
		"SWITCHBOARD_SECURITY_UPLOADS_PER_SOURCE=-1",
		"SWITCHBOARD_STORE_BACKEND=dynamodb", "SWITCHBOARD_STORE_TABLE=" + store, "SWITCHBOARD_STORE_ENDPOINT=" + endpoint,
		"SWITCHBOARD_IDENTITY_AUDIT_SINK=" + sink, "SWITCHBOARD_IDENTITY_AUDIT_TABLE=" + table,
		"SWITCHBOARD_IDENTITY_AUDIT_ENDPOINT=" + endpoint,
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.Build(ctx, cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	return a
}
