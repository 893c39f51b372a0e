package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

const (
	figRouted    = "routed ES turn CPU / direct CPU (RIE)"
	targetRouted = "≤ 1.3×"
	// routedFunction is the Lambda name the router's route names.
	routedFunction = "sb-lookupcustomer"
	// routedPassword is the ES webhook's HTTP Basic password in the row's secrets file.
	routedPassword = "Es0Bench0Password0ForTheRoutedRow"
	// routedTags are the row's build tags: make build's, less lambdabuild (the
	// embedded store stays in).
	routedTags = "lambda.norpc"
)

// benchRouted measures issue 24's routed/direct CPU: the router's and the
// lookup_customer function's bootstraps, each under its own aws-lambda-rie, answering
// signed Dialogflow ES lookups that arrive as API Gateway (HTTP API 2.0) events, one at
// a time — straight to the function (as if the route pointed at it), then to the
// router, which admits each and invokes the function through a Lambda Invoke API this
// process plays (the RIE has none). The figure is the CPU time the bootstrap processes
// spend per turn (/proc/<pid>/stat: both bootstraps when routed, each shown, the
// function's alone when direct); the RIEs' own time and the Invoke stand-in's (the Lambda service's
// part) are not counted. Both are configured as deployed but for the stores: ES webhook
// auth on (HTTP Basic), the function's tools HubSpot and Zendesk (their in-process
// stand-ins), the secrets in a secrets file and the embedded store in place of Secrets
// Manager and DynamoDB.
// BenchmarkRouted (make bench-turn) splits the routed turn into its parts.
func benchRouted(ctx context.Context, o *options, r *report) {
	const sec = "5"
	rie, ok := testenv.LookPath("aws-lambda-rie")
	if !ok {
		r.missing(sec, figRouted, targetRouted, "aws-lambda-rie not found (make tools installs it)")
		return
	}
	dir, err := os.MkdirTemp("", "switchboard-bench-routed-")
	if err != nil {
		r.missing(sec, figRouted, targetRouted, err.Error())
		return
	}
	defer os.RemoveAll(dir)
	direct, routed, hello, err := routedCPU(ctx, o, rie, dir)
	if err != nil {
		r.missing(sec, figRouted, targetRouted, err.Error())
		return
	}
	ratio := float64(routed.perTurn) / float64(direct.perTurn)
	r.check(sec, figRouted, fmt.Sprintf("%.2f× (%s vs %s per turn: router %s + function %s; %d and %d turns; hello-world echoing the event: %s per invoke)",
		ratio, us(routed.perTurn), us(direct.perTurn), us(routed.each[0]), us(routed.each[1]), routed.turns, direct.turns, us(hello.perTurn)),
		targetRouted, ratio <= 1.3)
}

type cpuRun struct {
	perTurn time.Duration
	each    []time.Duration // per turn, of each process measured
	turns   int
}

// routedCPU returns the CPU per turn direct and routed, and per invoke of a hello-world
// bootstrap echoing the same event (what an invoke costs any Go function under the RIE:
// the runtime API's round trips and the event's JSON).
func routedCPU(ctx context.Context, o *options, rie, dir string) (direct, routed, hello cpuRun, err error) {
	fnBin, rtBin := filepath.Join(dir, "lookupcustomer", "bootstrap"), filepath.Join(dir, "router", "bootstrap")
	// Without the lambdabuild tag, which leaves the embedded store out (deployed, the
	// store is DynamoDB): no moto_server to run, and the row's store work is local.
	for pkg, out := range map[string]string{"./functions/lookupcustomer": fnBin, "./functions/router": rtBin} {
		if err := buildBootstrapTags(ctx, o.root, pkg, out, routedTags); err != nil {
			return direct, routed, hello, err
		}
	}
	// The function's tools as the RIE test deploys them: HubSpot for customers, Zendesk
	// for tickets (their in-process stand-ins, over loopback).
	hs := hstest.Start()
	defer hs.Close()
	zd, err := zdtest.Start()
	if err != nil {
		return direct, routed, hello, err
	}
	defer zd.Close()
	secretsFile := filepath.Join(dir, "secrets.json")
	raw, err := json.Marshal(map[string]secrets.Secret{
		"switchboard/webhook/dialogflow": {"username": "dialogflow", "password": routedPassword},
		"switchboard/hubspot":            hs.Secret(),
		"switchboard/zendesk":            zd.Secret(),
		// The site's token key, in its secret as deployed: the key the sample event's
		// token is signed with.
		"switchboard/identity": {"key": identity.DemoKey},
	})
	if err != nil {
		return direct, routed, hello, err
	}
	if err := os.WriteFile(secretsFile, raw, 0o600); err != nil {
		return direct, routed, hello, err
	}
	common := []string{
		"SWITCHBOARD_TELEMETRY_HASH_SALT=routed-bench-private-salt",
		"SWITCHBOARD_SECURITY_DIALOGFLOW_METHOD=basic", "SWITCHBOARD_SECURITY_DIALOGFLOW_SECRET=switchboard/webhook/dialogflow",
		"SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER=file", "SWITCHBOARD_CONNECTORS_SECRETS_FILE=" + secretsFile,
		"SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1", "SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1",
		"SWITCHBOARD_SECURITY_UPLOADS_PER_SOURCE=-1",
	}
	// The function's own (the router links no tool).
	tools := []string{
		"SWITCHBOARD_INTENTS_ENABLED=lookup_customer",
		"SWITCHBOARD_IDENTITY_TOKEN_SECRET_ID=switchboard/identity", "SWITCHBOARD_IDENTITY_TOKEN_DEMO_KEY=false",
		// Deployed, the audit trail goes to its DynamoDB table; here to the function's
		// output, beside its logs (no moto_server to run).
		"SWITCHBOARD_IDENTITY_AUDIT_SINK=stdout",
		"SWITCHBOARD_CONNECTORS_CUSTOMERS=hubspot", "SWITCHBOARD_CONNECTORS_TICKETS=zendesk",
		"SWITCHBOARD_CONNECTORS_PAYMENTS=none", "SWITCHBOARD_CONNECTORS_KB=none",
		"SWITCHBOARD_CONNECTORS_HUBSPOT_BASE_URL=" + hs.URL(),
		"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme", "SWITCHBOARD_CONNECTORS_ZENDESK_BASE_URL=" + zd.URL(),
		// The stand-ins are not the vendors' accounts: without their client-side rate
		// limits (Zendesk's 700 calls a minute, burst 10) turns run back to back. With
		// them, every turn after the tenth waited ≈ 83 ms for a token (one open_tickets
		// call a turn), and CPU per turn was measured on processes that ran 1 ms in 85:
		// cold caches on both sides, twice the CPU of a turn run back to back, and a
		// figure that moved with the machine's other work.
		"SWITCHBOARD_RESILIENCE_ZENDESK_RATE=-1", "SWITCHBOARD_RESILIENCE_HUBSPOT_RATE=-1",
	}
	fn, err := startWarmRIE(ctx, rie, fnBin, filepath.Join(dir, "fn-data"), append(slices.Clone(common), tools...))
	if err != nil {
		return direct, routed, hello, fmt.Errorf("lookupcustomer: %w", err)
	}
	defer fn.proc.Stop()
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	invokeURL, err := listen(lctx, invokeAPI(fn.url))
	if err != nil {
		return direct, routed, hello, err
	}
	rt, err := startWarmRIE(ctx, rie, rtBin, filepath.Join(dir, "router-data"), append(common,
		"SWITCHBOARD_ROUTE_LOOKUP_CUSTOMER="+routedFunction, "AWS_ENDPOINT_URL_LAMBDA="+invokeURL))
	if err != nil {
		return direct, routed, hello, fmt.Errorf("router: %w", err)
	}
	defer rt.proc.Stop()

	helloBin := filepath.Join(dir, "hello", "bootstrap")
	if err := buildBootstrap(ctx, o.root, "./tests/testdata/hello", helloBin); err != nil {
		return direct, routed, hello, err
	}
	// With one P, as shared/gctune runs the functions at the sandbox's 256 MB.
	hw, err := startWarmRIE(ctx, rie, helloBin, filepath.Join(dir, "hello-data"), []string{"GOMAXPROCS=1"})
	if err != nil {
		return direct, routed, hello, fmt.Errorf("hello-world: %w", err)
	}
	defer hw.proc.Stop()

	b, err := sampleBodies(o.root, conversation.DialogflowES, "lookup_customer_signed.json")
	if err != nil {
		return direct, routed, hello, err
	}
	var n uint64
	turns := func(to *warmRIE, pids ...int) (cpuRun, error) {
		send := func(body []byte) error { return routedTurn(ctx, to.url, body) }
		if to == hw {
			send = func(body []byte) error { _, err := post(ctx, to.url, apiEvent(body)); return err }
		}
		// A few turns first, off the clock (the first turn on each path warms caches).
		for range 5 {
			n++
			if err := send(b.nth(n)); err != nil {
				return cpuRun{}, err
			}
		}
		before, err := cpuEach(pids)
		if err != nil {
			return cpuRun{}, err
		}
		count := 0
		// At least 200 turns: the CPU clock ticks every 10 ms.
		for end := time.Now().Add(o.duration); count < 200 || time.Now().Before(end); count++ {
			n++
			if err := send(b.nth(n)); err != nil {
				return cpuRun{}, err
			}
		}
		after, err := cpuEach(pids)
		if err != nil {
			return cpuRun{}, err
		}
		run := cpuRun{turns: count}
		for i := range pids {
			d := (after[i] - before[i]) / time.Duration(count)
			run.each = append(run.each, d)
			run.perTurn += d
		}
		if run.perTurn <= 0 {
			return cpuRun{}, fmt.Errorf("no CPU time measured over %d turns", count)
		}
		return run, nil
	}
	if direct, err = turns(fn, fn.pid); err != nil {
		return direct, routed, hello, fmt.Errorf("direct: %w", err)
	}
	if routed, err = turns(rt, rt.pid, fn.pid); err != nil {
		return direct, routed, hello, fmt.Errorf("routed: %w", err)
	}
	if hello, err = turns(hw, hw.pid); err != nil {
		return direct, routed, hello, fmt.Errorf("hello-world: %w", err)
	}
	return direct, routed, hello, nil
}

// cpuEach is the CPU time each process has used.
func cpuEach(pids []int) ([]time.Duration, error) {
	out := make([]time.Duration, len(pids))
	for i, p := range pids {
		d, err := cpuTime(p)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// routedTurn sends body to an RIE as API Gateway delivers an ES webhook call (a JSON
// body as text, the webhook's credentials) and wants the signed-in answer.
func routedTurn(ctx context.Context, url string, body []byte) error {
	out, err := post(ctx, url, apiEvent(body))
	if err != nil {
		return err
	}
	if !bytes.Contains(out, []byte(`"statusCode":200`)) || !bytes.Contains(out, []byte("I found")) {
		return fmt.Errorf("not the signed-in answer: %.300s", out)
	}
	return nil
}

// apiEvent is body as API Gateway hands an ES webhook call to Lambda.
func apiEvent(body []byte) []byte {
	const path = "/webhooks/dialogflow"
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST " + path, RawPath: path,
		Headers: map[string]string{"content-type": "application/json",
			"authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("dialogflow:"+routedPassword))},
		Body: string(body)}
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = path
	ev.RequestContext.HTTP.SourceIP = "203.0.113.7"
	ev.RequestContext.RequestID = "bench-request"
	ev.RequestContext.Stage = "$default"
	event, _ := json.Marshal(ev) // strings and maps of strings: cannot fail
	return event
}

// invokeAPI plays the Lambda Invoke API for the router: routedFunction's alias is the
// RIE at fnURL.
func invokeAPI(fnURL string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2015-03-31/functions/"+routedFunction+"/invocations" {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"Type":"User","message":"Function not found"}`)
			return
		}
		resp, err := http.Post(fnURL, "application/json", r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if bytes.Contains(out, []byte(`"errorType"`)) {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(out)
	})
}

// warmRIE is a bootstrap under aws-lambda-rie, started by a first invocation.
type warmRIE struct {
	url  string
	proc *testenv.Process
	pid  int // the bootstrap's
}

// startWarmRIE runs bootstrap under the RIE with a Lambda sandbox's environment (as
// coldStart does) plus env, starts it with a first invocation and finds its process.
func startWarmRIE(ctx context.Context, rie, bootstrap, dataDir string, env []string) (*warmRIE, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	apiPort, err := freePort()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort), bootstrap)
	cmd.Dir = dataDir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TZ=:UTC", "LANG=en_US.UTF-8",
		"AWS_LAMBDA_FUNCTION_NAME=" + filepath.Base(filepath.Dir(bootstrap)), "AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_SESSION_TOKEN=testing",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(bootstrap), "_HANDLER=bootstrap", "SWITCHBOARD_DATA_DIR=" + dataDir}, env...)
	p, err := testenv.Start("rie", cmd)
	if err != nil {
		return nil, err
	}
	w := &warmRIE{url: "http://" + addr + "/2015-03-31/functions/function/invocations", proc: p}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			p.Stop()
			return nil, fmt.Errorf("RIE did not listen: %v: %.300s", err, p.LogTail())
		}
	}
	if _, err := post(ctx, w.url, initOnly); err != nil {
		p.Stop()
		return nil, fmt.Errorf("first invoke: %v: %.300s", err, p.LogTail())
	}
	if w.pid, err = childOf(p.Cmd.Process.Pid); err != nil {
		p.Stop()
		return nil, err
	}
	return w, nil
}

// childOf is the one child process of pid (the RIE's bootstrap).
func childOf(pid int) (int, error) {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		// Fields after the command name: state, ppid, …
		if fs := strings.Fields(s[i+1:]); len(fs) > 1 && fs[1] == strconv.Itoa(pid) {
			return strconv.Atoi(filepath.Base(filepath.Dir(f)))
		}
	}
	return 0, fmt.Errorf("no bootstrap process under the RIE (pid %d)", pid)
}
