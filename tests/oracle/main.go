// Command oracle measures whether the time of an anonymous code request tells a known
// email from an unknown one (docs/identity.md, "No oracle for account existence").
// It is a measurement, not a test (`make oracle`).
//
// It runs the embedded demo default (`switchboard serve` without a configuration: the
// demo tools, the embedded store, codes to the outbox) in process behind a real HTTP
// listener on 127.0.0.1, and sends -n requests for known addresses (the demo's nine
// customers in turn, each mailed a code every time) and -n for unknown ones (nine
// made-up addresses in turn), interleaved in a random order, one at a time, each an
// anonymous Dialogflow ES lookup in a conversation of its own. Both classes have the
// same number of addresses asked equally often, so their code limits are equally used
// (a request's store writes grow with the codes its address had that day; what is
// measured is whether an account exists, not how often an address was asked), and the
// daily per-email ceiling is raised for the run. A threshold classifier on the client-side latency
// is trained on a random half of the requests and tested on the other half; the
// accuracy is reported over -splits random splits (50 % is chance).
//
// It runs twice: with identity.codes.offer_time at its default (the fixed time every
// code offer takes) and, for comparison, with it at 1ns (no fixed time: only the equal
// calls of both paths).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	_ "github.com/switchboard-dev/switchboard/shared/connector/all" // the demo tools
	"github.com/switchboard-dev/switchboard/shared/identity"
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers" // every intent
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func main() {
	n := flag.Int("n", 300, "requests per class (known, unknown)")
	splits := flag.Int("splits", 50, "random train/test splits to average the classifier over")
	offer := flag.String("offer-time", "", "identity.codes.offer_time for the first run (default: the configuration's default)")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "random seed (order, splits)")
	flag.Parse()
	if err := run(*n, *splits, *offer, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
}

func run(n, splits int, offer string, seed uint64) error {
	event, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "events", "dialogflow", "lookup_customer.json"))
	if err != nil {
		return err
	}
	fmt.Printf("oracle: %d + %d interleaved anonymous code requests (Dialogflow ES lookup, known vs unknown email), %d train/test splits, seed %d\n\n",
		n, n, splits, seed)
	for _, ot := range []string{offer, "1ns"} {
		label := "offer_time " + ot
		if ot == "" {
			label = "offer_time default"
		}
		r, err := measure(event, n, ot, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		acc := classify(r, splits, rand.New(rand.NewPCG(seed, 2)))
		fmt.Printf("%s (%s):\n", label, r.offerTime)
		fmt.Printf("  known:   median %s  p90 %s  p99 %s  max %s  (%d codes mailed)\n", q(r.known, .5), q(r.known, .9), q(r.known, .99), q(r.known, 1), r.mailed)
		fmt.Printf("  unknown: median %s  p90 %s  p99 %s  max %s\n", q(r.unknown, .5), q(r.unknown, .9), q(r.unknown, .99), q(r.unknown, 1))
		fmt.Printf("  threshold classifier, test-half accuracy: mean %.1f %%, min %.1f %%, max %.1f %% (train-half mean %.1f %%)\n\n",
			100*acc.meanTest, 100*acc.minTest, 100*acc.maxTest, 100*acc.meanTrain)
	}
	return nil
}

// knownEmails are the demo directory's customers (shared/connector/demo/seed.json).
var knownEmails = []string{"ada@example.com", "grace.hopper@example.com", "alan.turing@example.org",
	"katherine.johnson@example.com", "charles.babbage@example.co.uk", "margaret.hamilton@example.com",
	"hedy.lamarr@example.com", "edsger.dijkstra@example.nl", "alonzo.church@example.edu"}

type result struct {
	known, unknown []time.Duration
	mailed         int
	offerTime      time.Duration
}

// measure serves the demo over HTTP and times the requests.
func measure(event []byte, n int, offerTime string, rng *rand.Rand) (result, error) {
	dir, err := os.MkdirTemp("", "switchboard-oracle-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	env := []string{"SWITCHBOARD_DATA_DIR=" + dir,
		"SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1", "SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1",
		fmt.Sprintf("SWITCHBOARD_IDENTITY_CODES_PER_DAY=%d", 2*n/len(knownEmails)+10)}
	if offerTime != "" {
		env = append(env, "SWITCHBOARD_IDENTITY_CODES_OFFER_TIME="+offerTime)
	}
	cfg, err := config.LoadEmbedded(env)
	if err != nil {
		return result{}, err
	}
	ctx := context.Background()
	a, err := app.Build(ctx, cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return result{}, err
	}
	defer a.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := &http.Server{Handler: server.Handler(a.Engine, server.Options{MaxBodyBytes: cfg.Server.MaxBodyBytes})}
	go srv.Serve(l)
	defer srv.Close()
	url := "http://" + l.Addr().String() + "/webhooks/dialogflow"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}

	// The order: n of each, shuffled; a short warm-up first, not counted.
	order := make([]bool, 0, 2*n)
	for i := range 2 * n {
		order = append(order, i < n)
	}
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	warm := []bool{true, false, true, false, true, false, true, false, true, false}
	var r result
	r.offerTime = cfg.Identity.Codes.OfferTime
	var want string
	var asked [2]int
	for i, known := range append(warm, order...) {
		k := 0
		if known {
			k = 1
		}
		email := fmt.Sprintf("nobody.%d@example.com", asked[k]%len(knownEmails))
		if known {
			email = knownEmails[asked[k]%len(knownEmails)]
		}
		asked[k]++
		body, err := turn(event, fmt.Sprintf("oracle-%d-%d", i, rng.Uint64()), email)
		if err != nil {
			return r, err
		}
		start := time.Now()
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return r, err
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK {
			return r, fmt.Errorf("request %d: HTTP %d %v: %s", i, resp.StatusCode, err, out)
		}
		text := fulfillmentText(out)
		if want == "" {
			want = text
		}
		if text != want || !strings.Contains(string(out), "verification_code") {
			return r, fmt.Errorf("request %d (%s): not the same code offer: %s", i, email, out)
		}
		if i < len(warm) {
			continue
		}
		if known {
			r.known = append(r.known, took)
		} else {
			r.unknown = append(r.unknown, took)
		}
	}
	mail, err := identity.ReadOutbox(cfg.Identity.Codes.Outbox, 0)
	if err != nil {
		return r, fmt.Errorf("outbox: %w", err)
	}
	r.mailed = len(mail) - len(warm)/2
	if r.mailed != n {
		return r, fmt.Errorf("%d codes mailed to the known addresses, want %d", r.mailed, n)
	}
	return r, nil
}

// turn is the sample event in a conversation and turn of its own, asking about email.
func turn(event []byte, id, email string) ([]byte, error) {
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, err
	}
	s := ev["session"].(string)
	ev["session"] = s[:strings.LastIndex(s, "/")+1] + id
	ev["responseId"] = id
	q := ev["queryResult"].(map[string]any)
	q["parameters"].(map[string]any)["email"] = email
	for _, c := range q["outputContexts"].([]any) {
		cm := c.(map[string]any)
		name := cm["name"].(string)
		cm["name"] = ev["session"].(string) + name[strings.Index(name, "/contexts/"):]
		if p, ok := cm["parameters"].(map[string]any); ok {
			if _, has := p["email"]; has {
				p["email"], p["email.original"] = email, email
			}
		}
	}
	return json.Marshal(ev)
}

func fulfillmentText(body []byte) string {
	var v struct {
		Text string `json:"fulfillmentText"`
	}
	_ = json.Unmarshal(body, &v)
	return v.Text
}

type sample struct {
	d     time.Duration
	known bool
}

type accuracy struct{ meanTest, minTest, maxTest, meanTrain float64 }

// classify trains a one-threshold classifier (known when slower than t, or when faster:
// whichever fits the training half better) on a random half of the requests and tests
// it on the other half, over several random splits.
func classify(r result, splits int, rng *rand.Rand) accuracy {
	var all []sample
	for _, d := range r.known {
		all = append(all, sample{d, true})
	}
	for _, d := range r.unknown {
		all = append(all, sample{d, false})
	}
	acc := accuracy{minTest: 1}
	for range splits {
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		train, test := slices.Clone(all[:len(all)/2]), all[len(all)/2:]
		t, slowIsKnown, trainAcc := fit(train)
		ok := 0
		for _, s := range test {
			if (s.d > t == slowIsKnown) == s.known {
				ok++
			}
		}
		a := float64(ok) / float64(len(test))
		acc.meanTest += a / float64(splits)
		acc.meanTrain += trainAcc / float64(splits)
		acc.minTest, acc.maxTest = min(acc.minTest, a), max(acc.maxTest, a)
	}
	return acc
}

// fit returns the threshold and direction with the best accuracy on train.
func fit(train []sample) (time.Duration, bool, float64) {
	slices.SortFunc(train, func(a, b sample) int { return int(a.d - b.d) })
	knownTotal := 0
	for _, s := range train {
		if s.known {
			knownTotal++
		}
	}
	// Threshold below everything: all "slow".
	best, bestT, bestSlow := 0.0, train[0].d-1, true
	knownBelow, unknownBelow := 0, 0
	n := float64(len(train))
	try := func(t time.Duration) {
		// slow is known: right = unknown at or below t + known above t.
		slowRight := float64(unknownBelow + (knownTotal - knownBelow))
		if a := slowRight / n; a > best {
			best, bestT, bestSlow = a, t, true
		}
		if a := (n - slowRight) / n; a > best {
			best, bestT, bestSlow = a, t, false
		}
	}
	try(bestT)
	for i, s := range train {
		if s.known {
			knownBelow++
		} else {
			unknownBelow++
		}
		if i+1 < len(train) && train[i+1].d == s.d {
			continue
		}
		try(s.d)
	}
	return bestT, bestSlow, best
}

// q is the p-quantile of ds, in ms.
func q(ds []time.Duration, p float64) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p * float64(len(s)-1))
	return fmt.Sprintf("%.2fms", float64(s[i].Microseconds())/1000)
}
