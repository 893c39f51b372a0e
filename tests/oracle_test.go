package tests

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// No oracle for account existence: an anonymous code request for a known and for an
// unknown email moves the same metrics and makes the same store and tool calls. (That
// it also takes the same time is measured, not tested: `make oracle`.)

// oracleServer is the embedded demo default (`switchboard serve` without a
// configuration: demo tools, embedded store, codes to the outbox) with GET /metrics,
// served over real HTTP.
func oracleServer(t *testing.T, env ...string) (url string, a *app.App, tel *telemetry.Telemetry) {
	t.Helper()
	cfg, err := config.LoadEmbedded(append([]string{"SWITCHBOARD_DATA_DIR=" + t.TempDir(),
		"SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1", "SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1",
		// The turns run concurrently from one address: the upload cap is an abuse
		// limit, not what these tests are about.
		"SWITCHBOARD_SECURITY_UPLOADS_PER_SOURCE=-1",
		"SWITCHBOARD_IDENTITY_CODES_OFFER_TIME=5ms"}, env...))
	if err != nil {
		t.Fatal(err)
	}
	tel, err = telemetry.New(cfg.Service, telemetry.Settings(cfg.Telemetry), telemetry.Options{Logs: io.Discard, EMF: io.Discard, Traces: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err = app.Build(ctx, cfg, app.Options{Telemetry: tel})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(tel.Middleware(server.Handler(a.Engine, server.Options{Logger: tel.Logger,
		Extra: map[string]http.Handler{"GET /metrics": tel.MetricsHandler()}})))
	t.Cleanup(srv.Close)
	return srv.URL, a, tel
}

// post sends a webhook body and returns the reply body.
func post(t *testing.T, base string, p conversation.Platform, body []byte) string {
	t.Helper()
	resp, err := http.Post(base+"/webhooks/"+string(p), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, out)
	}
	return string(out)
}

// scrape reads GET /metrics as series → value. Histogram buckets and sums are left
// out (they hold timings, which are measured, not tested); their _count stays.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		name := line[:i]
		if strings.Contains(name, "_bucket{") || strings.Contains(name, "_sum{") || strings.HasSuffix(name, "_sum") {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[name] = v
	}
	return out
}

func delta(before, after map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func describe(m map[string]float64) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s %+g", k, m[k])
	}
	return b.String()
}

// codeReads are the registered reads that offer an unverified caller a one-time code
// (lookup_customer, verify_payment): what they answer an anonymous caller must not
// tell an account from none.
func codeReads() []conversation.Intent {
	var out []conversation.Intent
	for _, in := range spec.All() {
		if in.Codes() && !in.Write {
			out = append(out, conversation.Intent(in.Name))
		}
	}
	return out
}

// oracleTurn is an anonymous turn asking about email in a conversation of its own.
func oracleTurn(t *testing.T, p conversation.Platform, in conversation.Intent, email string) []byte {
	body := withSlots(t, p, readEvent(t, p, eventFile[in]), map[string]*string{"email": str(email)})
	return withTurn(t, p, body, nextID("oracle-s"), nextID("oracle-t"))
}

// TestAnonymousTurnMovesSameMetrics: on every platform, an anonymous lookup or payment
// check (a code offered) moves exactly the same /metrics series by the same amounts for
// ada@example.com (an account, already read by her own signed turn, so cached) and for
// an address without one: tool calls, cache hits and misses, tool errors by class
// (no not_found for the unknown one), turns and their outcomes.
func TestAnonymousTurnMovesSameMetrics(t *testing.T) {
	base, _, _ := oracleServer(t)
	// One unknown address for the whole test: asked as often as Ada, its code limits
	// are as used as hers.
	nobody := nextID("nobody") + "@example.com"
	for _, p := range webhookPlatforms() {
		for _, in := range codeReads() {
			// The owner's own signed turn first: her record is then in the read cache.
			signed := post(t, base, p, withTurn(t, p, readEvent(t, p, strings.TrimSuffix(eventFile[in], ".json")+"_signed.json"), nextID("s"), nextID("t")))
			if revealsAda(signed) == "" {
				t.Fatalf("%s %s: the signed turn did not answer: %s", p, in, signed)
			}
			var moved [2]map[string]float64
			var replies [2]string
			for i, email := range []string{"ada@example.com", nobody} {
				before := scrape(t, base)
				replies[i] = post(t, base, p, oracleTurn(t, p, in, email))
				moved[i] = delta(before, scrape(t, base))
			}
			if textOf(t, p, replies[0]) != textOf(t, p, replies[1]) || !strings.Contains(replies[0], "verification_code") {
				t.Fatalf("%s %s: not the same code offer:\n%s\n%s", p, in, replies[0], replies[1])
			}
			if describe(moved[0]) != describe(moved[1]) {
				t.Errorf("%s %s: an anonymous turn moves different metrics for a known and an unknown email\nknown:%s\nunknown:%s",
					p, in, describe(moved[0]), describe(moved[1]))
			}
		}
	}
}

// TestAnonymousTurnMakesSameCalls: through the production wiring on DynamoDB (moto)
// with the shared read cache on, an anonymous code request for a cached known email
// and for an unknown one make the same DynamoDB calls (by operation) and the same
// business-tool calls.
func TestAnonymousTurnMakesSameCalls(t *testing.T) {
	moto := testenv.Moto(t)
	table := storetest.MotoTable(t, storetest.MotoClient(t))
	endpoint, calls := countDynamo(t, moto)
	testenv.AWSEnv(t, moto)
	_, a, tel := oracleServer(t, "SWITCHBOARD_STORE_BACKEND=dynamodb", "SWITCHBOARD_STORE_TABLE="+table,
		"SWITCHBOARD_STORE_ENDPOINT="+endpoint, "SWITCHBOARD_STORE_CACHE_SHARED=true")
	ctx := context.Background()
	toolCalls := func() int64 { return tel.Metrics.Counter(metricdefs.Calls, telemetry.Dims{Tool: "demo"}) }
	// One unknown address for the whole test: asked as often as Ada, its code limits
	// are as used as hers (a request tries one conditional write per slot in use).
	nobody := nextID("nobody") + "@example.com"
	for _, p := range webhookPlatforms() {
		for _, in := range codeReads() {
			signed := a.Engine.Serve(ctx, p, withTurn(t, p, readEvent(t, p, strings.TrimSuffix(eventFile[in], ".json")+"_signed.json"), nextID("s"), nextID("t")))
			if revealsAda(string(signed.Body)) == "" {
				t.Fatalf("%s %s: the signed turn did not answer: %s", p, in, signed.Body)
			}
			var store [2]map[string]int
			var tools [2]int64
			for i, email := range []string{"ada@example.com", nobody} {
				calls.take()
				before := toolCalls()
				resp := a.Engine.Serve(ctx, p, oracleTurn(t, p, in, email))
				if resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), "verification_code") {
					t.Fatalf("%s %s %s: no code offer: %d %s", p, in, email, resp.Status, resp.Body)
				}
				store[i], tools[i] = calls.take(), toolCalls()-before
			}
			if fmt.Sprint(store[0]) != fmt.Sprint(store[1]) || tools[0] != tools[1] {
				t.Errorf("%s %s: known email: store %v, %d tool calls; unknown: store %v, %d tool calls",
					p, in, store[0], tools[0], store[1], tools[1])
			} else {
				t.Logf("%s %s: store %v, %d tool calls either way", p, in, store[0], tools[0])
			}
		}
	}
}
