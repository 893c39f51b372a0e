package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"
)

// verdict of a row.
const (
	pass = "pass"
	fail = "FAIL"
	na   = "n/a"
	info = "—" // a figure without a target (context for the ratios)
)

type row struct {
	Section, Figure, Value, Target, Verdict string
}

type report struct {
	mu   sync.Mutex
	rows []row
}

func (r *report) add(section, figure, value, target, verdict string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows = append(r.rows, row{section, figure, value, target, verdict})
	fmt.Fprintf(os.Stderr, "   %-58s %-44s %s\n", figure, value, verdict)
}

// missing records a figure that could not be measured, with the reason.
func (r *report) missing(section, figure, target, reason string) {
	r.add(section, figure, "n/a: "+reason, target, na)
}

// check records a measured ratio or duration against its bound.
func (r *report) check(section, figure, value, target string, ok bool) {
	v := fail
	if ok {
		v = pass
	}
	r.add(section, figure, value, target, v)
}

func (r *report) markdown() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("| # | figure | measured | target | result |\n|---|---|---|---|---|\n")
	for _, x := range r.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", x.Section, esc(x.Figure), esc(x.Value), esc(x.Target), x.Verdict)
	}
	var passed, failed, missing int
	for _, x := range r.rows {
		switch x.Verdict {
		case pass:
			passed++
		case fail:
			failed++
		case na:
			missing++
		}
	}
	fmt.Fprintf(&b, "\n%d passed, %d failed, %d not measured\n", passed, failed, missing)
	return b.String()
}

func esc(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// machine describes where the figures come from.
func machine(ctx context.Context) string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	gov := runtime.Version()
	if out, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		gov = strings.TrimSpace(string(out))
	}
	node := "node: not found"
	if out, err := exec.CommandContext(ctx, "node", "--version").Output(); err == nil {
		node = "node " + strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%s, %d logical cores (GOMAXPROCS %d), %s/%s; %s; %s",
		cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, gov, node)
}

const docIntro = `# Benchmarks

Measured by ` + "`make bench`" + ` (the program in ` + "`tests/loadbench`" + `): every figure below comes
from one run on one machine, servers on 127.0.0.1 only, every load bounded in count and
time. A row reading "n/a" names what was missing; nothing is estimated. Re-run
` + "`make bench`" + ` to refresh this page (it overwrites it). Before/after comparisons across
changes are kept by hand in [benchmarks-history.md](benchmarks-history.md), and so are
the per-turn allocations and CPU in process (` + "`make bench-turn`" + `).

`

const docMethod = `
## What each row measures

1. **Local throughput and latency.** The real server in process (` + "`app.Build`" + ` on the
   embedded default with a temporary data directory, ` + "`server.Handler`" + ` on 127.0.0.1:0)
   answering ` + "`POST /webhooks/<platform>`" + ` with ` + "`events/<platform>/lookup_customer_signed.json`" + `
   (the caller's identity token signed by the demo key, verified on every request, so
   each turn gets the full answer rather than the code offer an anonymous caller gets),
   driven by vegeta (as a library) in closed loop: a fixed number of workers, each sending
   its next request when the last one answered, for a fixed time or request count. Each
   request carries a fresh turn id, so every one is a new turn, not a replay. The
   per-source and per-session abuse limits are switched off for this run (one loopback
   client would otherwise be held to 50 requests per second by design).
2. **dialogflow-fulfillment peer.** Google's ` + "`dialogflow-fulfillment`" + ` library (npm) in a
   Node HTTP server (` + "`_tools/peers/dialogflow-fulfillment.js`" + `) answering the same
   Dialogflow ES request from an in-memory copy of the same demo record, with the same
   messages and output context (checked before the load: the texts must match). Same
   load generator and settings. Switchboard's like-for-like side serves the same record
   from memory through its identity layer (verifying the request's HS256 token, which the
   peer does not do), engine, intents and adapters, in a process of its own as the
   peer is (once with every core, once held to one core as Node's single thread is).
   The fair peer is the same script with ` + "`PEER_TOKEN_KEY`" + ` set: it verifies the same token
   with the ` + "`jsonwebtoken`" + ` package (HS256 only, ` + "`exp`" + ` and ` + "`iat`" + ` required, 60 s leeway, a
   key object made once) and sends Switchboard's whole reply (text, messages, payload,
   context; checked equal as JSON before the load); its target is 2×.
   Both servers answer as fast as the shared load generator can ask, so their raw
   throughputs mostly measure the generator; the capacity figure is each server's CPU
   time per request (user + system from ` + "`/proc/<pid>/stat`" + ` over the run), whose
   inverse is the requests one CPU second serves. The target is judged on that ratio.
   The "net/http alone" row is the floor under any net/http handler: a server in its own
   process, on one core, that reads the same request and answers the same bytes
   Switchboard answers, with nothing in between. Issue 24's figure, Switchboard's one-core
   CPU per signed lookup over that floor (target ≤ 2.0×), is its own row: both move
   with the machine by more than the margin (the floor alone 13.7–17.5 µs between two
   runs of the same code), so each side runs three more times, alternately, each in
   one process, and the ratio is of the two medians (every run is listed).
   Every server process here (Switchboard's
   and the floor) runs with ` + "`switchboard serve`" + `'s GC setting (` + "`shared/gctune`" + `, GOGC=400).
3. **Powertools idempotency peer.** Powertools for AWS Lambda (TypeScript)
   ` + "`makeIdempotent`" + ` with its DynamoDB persistence layer (` + "`_tools/peers/powertools-idempotency.js`" + `)
   wrapping a create-ticket function, keyed by the turn id with the slot values
   validated, against Switchboard's create-ticket path (` + "`shared/idempotency`" + ` on
   ` + "`dynamostore`" + `, the demo helpdesk behind the resilience decorator). Both talk to the same
   ` + "`moto_server`" + ` through a counting reverse proxy that tallies each request's
   ` + "`X-Amz-Target`" + `. Phase "new": every turn id once; phase "duplicates in the process
   that answered them": the same turns delivered again to the same server (Switchboard
   answers those from its in-process copy of completed turns, Powertools by default from
   DynamoDB; a second Powertools process with ` + "`useLocalCache`" + ` shows its own cache);
   phase "duplicates in another process": the same turns delivered to a second
   Switchboard instance on the same table, as a retry landing on another Lambda instance
   would. Switchboard's claim for a ticket is one ` + "`TransactWriteItems`" + ` (the claim plus
   the check that no unknown outcome holds the same customer and subject); Powertools'
   is a conditional ` + "`PutItem`" + `. The "moto's cost of a claim" row times both kinds on
   moto. The per-intent rows send each sample event (signed by the demo key) twice
   through ` + "`app.Build`" + ` on the same moto table and count every DynamoDB call: once
   with the default per-process read cache, once with ` + "`store.cache.shared`" + `.
   The loaded duplicates row sends new create_ticket turns each twice back to back (two
   workers of a closed loop of c, so a turn's second delivery arrives while its first is
   being answered) to one Switchboard instance, with the generator, the server and moto
   on both cores, and counts every DynamoDB call once they have stopped: a turn's own
   work is one claim and one completion, whichever delivery does it; every other call
   (a read polling the record, a claim or completion more) is the duplicates' cost
   (target 0: a duplicate waits for its first delivery in memory). A turn answered at
   its deadline leaves its record in progress, and then its duplicate must ask
   DynamoDB: the row says how many records were completed.
4. **Fan-out.** A lookup whose three tools (customer directory, helpdesk, payments) are
   HTTP servers that each answer after 100 ms, for a signed caller, through the identity
   layer, the engine, the intents handler and the resilience decorators: the turn's total time over its slowest tool call
   (median of the runs).
5. **Cold start.** Each Lambda function's ` + "`bootstrap`" + `, built for the host's architecture
   as ` + "`make build ENV=example`" + ` builds it (the Lambda tags and the example deployment's
   link tags: HubSpot, Zendesk and Stripe only, and no SES code sender, since
   ` + "`infra/env/example.yaml`" + ` sets no ` + "`sesIdentity`" + `), started by aws-lambda-rie in a Lambda
   sandbox's environment and the configuration the CDK app deploys (DynamoDB store, the
   tools' connectors, Secrets Manager), timed over the first invocation of an event no
   handler takes: process start, Go's package initialisation and ` + "`main`" + ` up to
   ` + "`lambda.Start`" + ` — what a Lambda's Init Duration covers; divided by the same for a
   hello-world aws-lambda-go bootstrap (` + "`tests/testdata/hello`" + `). Each function's cold
   starts alternate with the hello-world's (function, hello, function, …), so a drift of
   the machine lands on both sides of its ratio; medians of each. Target (issue 24): at
   most 1.3× for every function. Binary sizes are linux/arm64, twice: the files
   ` + "`make build`" + ` writes to ` + "`build/`" + ` (no ` + "`ENV`" + `: every tool that can serve each function, as
   today's default) and the example deployment's build (` + "`make build ENV=example`" + `, which
   the bench builds itself); target every function ≤ 10 MiB and searchkb ≤ 8 MiB.
   **Routed ES turn CPU / direct CPU**: the router's and lookupcustomer's bootstraps
   (built without the ` + "`lambdabuild`" + ` tag, so the embedded store replaces DynamoDB; ES
   webhook auth on, HubSpot and Zendesk stand-ins, the secrets in a file), each under
   its own aws-lambda-rie, answer signed ES lookups sent as API Gateway events one at a
   time: straight to the function, then through the router, which invokes the function
   through a Lambda Invoke API the bench plays. The figure is the bootstraps' CPU time
   (` + "`/proc/<pid>/stat`" + `, 10 ms ticks, so at least 200 turns) per turn: both bootstraps
   routed, the function's alone direct; the RIEs' and the Invoke stand-in's time (the
   Lambda service's part) is not counted. ` + "`make bench-turn`" + `'s BenchmarkRouted splits it.
6. **Breaker open.** With the tool's circuit breaker open (tripped by real failures from
   an HTTP server answering 503), the time from a webhook turn entering the engine to the
   honest fallback reply.

Limits worth knowing when reading the table:
- Row 1 runs the load generator in the same process as the server; in row 2 every
  server has a process of its own.
- On the demo backend every lookup makes three SQLite queries (pure-Go SQLite); the
  dialogflow-fulfillment peer reads a JavaScript object. The "in-memory record" row
  compares like with like.
- In row 3 both sides wait on the same single moto_server, which bounds both
  throughputs: a new turn needs two calls on either side (claim, then completion), so
  new-turn throughput can only differ by what each call costs moto. moto runs a
  transaction by deep-copying every table it touches (to restore it if the transaction
  is cancelled), so Switchboard's claim costs moto time in proportion to the table's
  size, and its transactions must be run one at a time (` + "`storetest.MotoIsolation`" + `)
  because the restore would undo concurrent writes. DynamoDB's transactions cost neither;
  the throughput rows measure moto here, not the design. The DynamoDB call counts do not
  depend on it.
- aws-lambda-rie's REPORT line prints an "Init Duration" of about 0.02 ms for every
  binary: this build returns from its Init before the runtime is up. The first
  invocation's round trip is what is timed instead (RIE starts the bootstrap when that
  invocation arrives). The example deployment's functions (11–12 MiB on arm64)
  initialise their packages in 1.4–2.0 ms against the hello-world's (6 MiB) 0.3–0.5 ms
  (` + "`GODEBUG=inittrace=1`" + `), most of it the AWS SDK's generated ` + "`schemas`" + ` packages and
  endpoint tables; ` + "`main`" + ` up to ` + "`lambda.Start`" + ` (configuration, telemetry, the wiring)
  takes about 0.5 ms; the rest of the difference is loading the larger binary. In a real
  Lambda the sandbox's own start-up, common to both, makes the ratio smaller.

Two cores are shared by the load generator, the servers under test, the peers and
moto_server, so absolute figures are modest; the ratios compare like with like.
`

func (r *report) document(machine string, started time.Time, took time.Duration, command, table string) string {
	var b strings.Builder
	b.WriteString(docIntro)
	fmt.Fprintf(&b, "- **Command:** `%s` (about %s)\n", command, took.Round(time.Second))
	fmt.Fprintf(&b, "- **Date:** %s\n", started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- **Machine:** %s\n\n", machine)
	b.WriteString("## Results\n\n")
	b.WriteString(table)
	b.WriteString(docMethod)
	return b.String()
}
