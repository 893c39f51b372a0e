package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// functions are the Lambda functions `make build` builds.
var functions = []struct{ name string }{
	{"lookupcustomer"}, {"createticket"}, {"verifypayment"}, {"searchkb"}, {"updatecustomer"}, {"router"},
}

// Issue 24's targets for row 5.
const (
	coldTarget     = 1.3      // cold start / hello-world, every function
	sizeTarget     = 10 << 20 // every bootstrap
	searchkbTarget = 8 << 20
)

// initOnly is the event each cold start is timed with: one no handler takes, answered
// at once, so the RIE's first invocation measures what a Lambda's Init Duration does —
// process start, Go's package init and main up to lambda.Start — and nothing of a turn.
// (The RIE's own "Init Duration" reads ~0.02 ms: it stops timing before the runtime is
// up.) A first real turn then pays for its first connections to the tools.
var initOnly = []byte(`{"ping":true}`)

var initDuration = regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)

// buildBootstrap builds pkg for linux on the host's architecture (RIE runs it here)
// with make build's flags.
func buildBootstrap(ctx context.Context, root, pkg, out string) error {
	return buildBootstrapTags(ctx, root, pkg, out, testenv.LambdaTags)
}

// buildFunction builds functions/<name> as `make build ENV=example` does: the Lambda
// tags and the example deployment's link tags (settings.LinkTags: only the tools it
// chooses, no code sender without sesIdentity), for GOARCH.
func buildFunction(ctx context.Context, root, name, out, goarch string) error {
	tags := testenv.LambdaTags
	if extra, ok := exampleDeployment().FunctionLinkTags(name); ok && len(extra) > 0 {
		tags += "," + strings.Join(extra, ",")
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", tags, "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s (-tags %s): %v: %.300s", name, tags, err, b)
	}
	return nil
}

// buildBootstrapTags is buildBootstrap with other build tags.
func buildBootstrapTags(ctx context.Context, root, pkg, out, tags string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", tags, "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v: %.300s", pkg, err, b)
	}
	return nil
}

// coldStart starts bootstrap under aws-lambda-rie and times the first invocation:
// RIE starts the bootstrap process only when that invocation arrives, so its round trip
// is the cold start (process start, Go runtime and main's init up to the runtime's first
// /next, then the invoke itself). It also returns what RIE's REPORT line says as "Init
// Duration"; this RIE build returns from its Init before the runtime is up, so that
// figure stays near zero and is kept only for the record.
func coldStart(ctx context.Context, rie, bootstrap string, event []byte, dataDir string, deployed []string) (cold, rieInit time.Duration, err error) {
	apiPort, err := freePort()
	if err != nil {
		return 0, 0, err
	}
	port, err := freePort()
	if err != nil {
		return 0, 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort), bootstrap)
	cmd.Dir = dataDir
	// A Lambda sandbox's environment, not this machine's (a developer's AWS_CA_BUNDLE
	// alone costs every AWS client ~3 ms), and the configuration the CDK app deploys
	// for this function (deployedEnv). Nothing is dialled at init, so no endpoint needs
	// to answer.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TZ=:UTC", "LANG=en_US.UTF-8",
		"AWS_LAMBDA_FUNCTION_NAME=" + filepath.Base(filepath.Dir(bootstrap)), "AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_SESSION_TOKEN=testing",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(bootstrap), "_HANDLER=bootstrap"}, deployed...)
	cmd.Env = append(cmd.Env, "SWITCHBOARD_DATA_DIR="+dataDir)
	p, err := testenv.Start("rie", cmd)
	if err != nil {
		return 0, 0, err
	}
	defer p.Stop()
	// Wait until RIE accepts connections, so only the invocation is timed.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return 0, 0, fmt.Errorf("RIE did not listen: %v: %.300s", err, p.LogTail())
		}
	}
	invoke := "http://" + addr + "/2015-03-31/functions/function/invocations"
	start := time.Now()
	resp, err := http.Post(invoke, "application/json", bytes.NewReader(event))
	if err != nil {
		return 0, 0, fmt.Errorf("invoke: %v: %.300s", err, p.LogTail())
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	cold = time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("invoke: HTTP %d: %.300s", resp.StatusCode, p.LogTail())
	}
	// RIE prints the REPORT line after the response; give it a moment.
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(p.Log.Name())
		if m := initDuration.FindSubmatch(b); m != nil {
			v, _ := strconv.ParseFloat(string(m[1]), 64)
			rieInit = time.Duration(v * float64(time.Millisecond))
			break
		}
	}
	return cold, rieInit, nil
}

// pairedColdStarts runs n cold starts of a and of b, alternating (a, b, a, b, …), each
// in a fresh RIE and a fresh data directory, and returns both medians. Alternating
// keeps a drift of the machine (another process, the CPU's clock) from landing on one
// side of a ratio.
func pairedColdStarts(ctx context.Context, rie, a, b string, event []byte, n int, deployed []string) (time.Duration, time.Duration, error) {
	var da, db []time.Duration
	for i := 0; i < n; i++ {
		for _, side := range []struct {
			bin string
			ds  *[]time.Duration
		}{{a, &da}, {b, &db}} {
			dir, err := os.MkdirTemp("", "switchboard-bench-rie-")
			if err != nil {
				return 0, 0, err
			}
			d, _, err := coldStart(ctx, rie, side.bin, event, dir, deployed)
			os.RemoveAll(dir)
			if err != nil {
				return 0, 0, fmt.Errorf("%s: %w", filepath.Base(filepath.Dir(side.bin)), err)
			}
			*side.ds = append(*side.ds, d)
		}
	}
	return median(da), median(db), nil
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// benchColdStart is row 5, judged against issue 24's targets: each function's cold
// start (built for the example deployment, started with its environment) at most 1.3×
// a hello-world bootstrap's, both the median of o.coldRuns first invocations under the
// RIE run alternately; every bootstrap at most 10 MiB and searchkb at most 8 MiB, both
// as `make build` builds them (every tool) and for the example deployment.
func benchColdStart(ctx context.Context, o *options, r *report) {
	const sec = "5"
	target := fmt.Sprintf("≤ %.1f×", coldTarget)
	src := o.root
	if o.src != "" {
		src = o.src
	}
	rie, ok := testenv.LookPath("aws-lambda-rie")
	var why string
	if !ok {
		why = "aws-lambda-rie not found (make tools installs it)"
	}
	var present []string
	for _, f := range functions {
		if _, err := os.Stat(filepath.Join(src, "functions", f.name, "main.go")); err == nil {
			present = append(present, f.name)
		} else {
			r.missing(sec, "cold start "+f.name+" / hello-world", target, "functions/"+f.name+" not in the tree")
		}
	}
	bin, err := os.MkdirTemp("", "switchboard-bench-bin-")
	if err != nil {
		why = err.Error()
	}
	defer os.RemoveAll(bin)
	helloBin := filepath.Join(bin, "hello", "bootstrap")
	if why == "" {
		if err := buildBootstrap(ctx, o.root, "./tests/testdata/hello", helloBin); err != nil {
			why = err.Error()
		}
	}
	var hellos []time.Duration
	var inits []string
	if helloInit, _, err := initTrace(ctx, helloBin, o.coldRuns); err == nil && why == "" {
		inits = append(inits, "hello-world "+ms(helloInit))
	}
	for _, name := range present {
		fig := "cold start " + name + " / hello-world (RIE first invoke, ENV=example build)"
		if why != "" {
			r.missing(sec, fig, target, why)
			continue
		}
		out := filepath.Join(bin, name, "bootstrap")
		if err := buildFunction(ctx, src, name, out, runtime.GOARCH); err != nil {
			r.missing(sec, fig, target, err.Error())
			continue
		}
		hello, d, err := pairedColdStarts(ctx, rie, helloBin, out, initOnly, o.coldRuns, deployedEnv(name))
		if err != nil {
			r.missing(sec, fig, target, err.Error())
			continue
		}
		hellos = append(hellos, hello)
		ratio := float64(d) / float64(hello)
		r.check(sec, fig, fmt.Sprintf("%.2f× (%s vs %s, %+.1f ms)", ratio, ms(d), ms(hello), float64(d-hello)/float64(time.Millisecond)),
			target, ratio <= coldTarget)
		if total, top, err := initTrace(ctx, out, o.coldRuns); err != nil {
			inits = append(inits, name+" n/a: "+err.Error())
		} else {
			inits = append(inits, fmt.Sprintf("%s %s (%s)", name, ms(total), top))
		}
	}
	if len(hellos) > 0 {
		r.add(sec, fmt.Sprintf("cold start hello-world aws-lambda-go (RIE first invocation; median of %d per function, run alternately with it)", o.coldRuns),
			fmt.Sprintf("%s to %s", ms(slices.Min(hellos)), ms(slices.Max(hellos))), info, info)
	}
	if len(inits) > 0 {
		r.add(sec, fmt.Sprintf("package init, GODEBUG=inittrace=1 (sum of per-package median clock over %d runs, ms; largest packages)", o.coldRuns),
			strings.Join(inits, "; "), info, info)
	}
	// Sizes of what make build ships (linux/arm64): every tool (no ENV), and the example
	// deployment's build (ENV=example), which the bench builds itself.
	sizeTargetText := fmt.Sprintf("every function ≤ %d MiB, searchkb ≤ %d MiB", sizeTarget>>20, searchkbTarget>>20)
	sizes := func(dir func(name string) string) (string, bool, error) {
		var out []string
		ok := true
		for _, f := range functions {
			st, err := os.Stat(dir(f.name))
			if err != nil {
				return "", false, err
			}
			limit := int64(sizeTarget)
			if f.name == "searchkb" {
				limit = searchkbTarget
			}
			ok = ok && st.Size() <= limit
			out = append(out, fmt.Sprintf("%s %.2f MiB", f.name, float64(st.Size())/(1<<20)))
		}
		return strings.Join(out, ", "), ok, nil
	}
	const figAll = "binary sizes (make build, linux/arm64: every tool that can serve each function)"
	if v, ok, err := sizes(func(n string) string { return filepath.Join(o.buildDir, n, "bootstrap") }); err != nil {
		r.missing(sec, figAll, sizeTargetText, err.Error()+" (run make build)")
	} else {
		r.check(sec, figAll, v, sizeTargetText, ok)
	}
	const figExample = "binary sizes (make build ENV=example, linux/arm64: the example deployment's tools, no code sender)"
	armDir := filepath.Join(bin, "arm64")
	var armErr error
	for _, f := range functions {
		if armErr == nil {
			armErr = buildFunction(ctx, src, f.name, filepath.Join(armDir, f.name, "bootstrap"), "arm64")
		}
	}
	if armErr != nil {
		r.missing(sec, figExample, sizeTargetText, armErr.Error())
	} else if v, ok, err := sizes(func(n string) string { return filepath.Join(armDir, n, "bootstrap") }); err != nil {
		r.missing(sec, figExample, sizeTargetText, err.Error())
	} else {
		r.check(sec, figExample, v, sizeTargetText, ok)
	}
}

// initLine is one line of GODEBUG=inittrace=1: "init pkg @0.1 ms, 0.05 ms clock, …".
var initLine = regexp.MustCompile(`(?m)^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock`)

// initTrace runs bootstrap n times outside any runtime API with GODEBUG=inittrace=1
// and returns the sum over packages of each package's median init clock (a median per
// package keeps one preempted run from counting), with the three largest packages. The
// process exits once main finds no runtime API; init has run by then.
func initTrace(ctx context.Context, bootstrap string, n int) (time.Duration, string, error) {
	samples := map[string][]float64{}
	for i := 0; i < n; i++ {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		cmd := exec.CommandContext(cctx, bootstrap)
		cmd.Env = []string{"GODEBUG=inittrace=1", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1", "AWS_REGION=us-east-1",
			"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "SWITCHBOARD_DATA_DIR=" + os.TempDir()}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run()
		cancel()
		ms := initLine.FindAllSubmatch(stderr.Bytes(), -1)
		if len(ms) == 0 {
			return 0, "", fmt.Errorf("no inittrace output: %.200s", stderr.String())
		}
		run := map[string]float64{}
		for _, m := range ms {
			v, _ := strconv.ParseFloat(string(m[2]), 64)
			run[string(m[1])] += v
		}
		for p, v := range run {
			samples[p] = append(samples[p], v)
		}
	}
	med := map[string]float64{}
	var total float64
	names := make([]string, 0, len(samples))
	for p, vs := range samples {
		for len(vs) < n { // a package missing from a run took no time there
			vs = append(vs, 0)
		}
		slices.Sort(vs)
		med[p] = vs[len(vs)/2]
		total += med[p]
		names = append(names, p)
	}
	slices.SortFunc(names, func(a, b string) int {
		if med[a] > med[b] {
			return -1
		}
		if med[a] < med[b] {
			return 1
		}
		return strings.Compare(a, b)
	})
	var top []string
	for _, p := range names[:min(3, len(names))] {
		top = append(top, fmt.Sprintf("%s %.2f", p, med[p]))
	}
	return time.Duration(total * float64(time.Millisecond)), strings.Join(top, ", "), nil
}

// exampleDeployment is the deployment the cold-start rows build and start: the
// default settings with the tools of infra/env/example.yaml (HubSpot, Zendesk, Stripe;
// no sesIdentity, so no code sender), every stage's functions.
func exampleDeployment() settings.Settings {
	s := settings.Default()
	s.Rollout = settings.RolloutPayments
	s.Tools = map[settings.Capability]string{settings.Customers: "hubspot", settings.Tickets: "zendesk", settings.Payments: "stripe", settings.KB: "zendesk"}
	s.FunctionEnv = map[string]string{"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN": "acme"}
	return s
}

// deployedEnv is the SWITCHBOARD_* environment the CDK app deploys function name with
// (shared/deploy/settings Settings.DeployedEnv on exampleDeployment), so a cold start
// here initialises what a deployed function does. Routes point at placeholder alias
// ARNs.
func deployedEnv(name string) []string {
	s := exampleDeployment()
	env := map[string]string{}
	if name == settings.RouterName {
		routes := map[conversation.Intent]string{}
		for _, f := range s.Functions() {
			routes[f.Intent] = "arn:aws:lambda:us-east-1:123456789012:function:" + s.FunctionName(f.Name) + ":" + settings.AliasName
		}
		env = s.RouterDeployedEnv(routes)
	}
	for _, f := range s.Functions() {
		if f.Name == name {
			env = s.DeployedEnv(f)
		}
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
