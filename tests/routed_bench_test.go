package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/function/boot"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/function"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/router"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

// BenchmarkRouted measures a Dialogflow ES lookup_customer turn (the signed event: the
// full answer, token check included) as AWS runs it, in one process, on the demo tools:
//
//   - direct: the lookup_customer function answering the API Gateway (HTTP API, payload
//     2.0) event itself, as if the route pointed at it;
//   - routed/http: the router answering the same event — its front door admits it,
//     then its AWS SDK Lambda client invokes the function's alias with the turn/1
//     envelope over loopback HTTP, on an in-process server that plays the Lambda Invoke
//     API (as lambdaForwarder does for the RIE test) by running the function;
//   - routed/memory: the same, the SDK client's HTTP round trip answered in memory (no
//     socket, no server-side HTTP parsing);
//   - parts/…: the function answering the envelope alone, and the router alone (its
//     answer handed back at once) with and without the SDK's client: what each of the
//     two Lambda processes spends, without the transport between them.
//
// Both handlers are built as their main packages build them (function.Function,
// functions/router's build), with webhook auth on (HTTP Basic for ES, the secret in a
// secrets file) and each handler behind aws-lambda-go's own JSON (de)serialization
// (boot.Raw), as boot.Main hands them to lambda.Start. Each turn has a fresh turn id, so none is
// a replay. routed/direct of cpu-ns/op (the process's CPU time per turn, steadier than
// ns/op on a loaded machine) with -cpu 1 is issue 24's "routed ES turn CPU / direct
// CPU"; docs/benchmarks-history.md has the figures and where the time goes.
func BenchmarkRouted(b *testing.B) {
	env := routedBenchEnv(b)
	fn := routedBenchFunction(b, env)
	body := readEvent(b, conversation.DialogflowES, strings.TrimSuffix(eventFile[conversation.LookupCustomer], ".json")+"_signed.json")
	event := routedBenchEvent(b, body, webhookCreds.esPassword)
	id := benchTurnID(b, conversation.DialogflowES, body)
	at := allIndexes(event, id)
	if len(at) == 0 {
		b.Fatal("the turn id is not in the API Gateway event")
	}
	// The envelope the router sends for this event (recorded before any run rewrites
	// the turn id), for the parts below.
	rec := &recordingInvoker{fn: fn}
	if _, err := routedBenchRouterWith(b, env, "http://lambda.invalid", memoryHTTPClient{}, rec).Invoke(context.Background(), event); err != nil {
		b.Fatal(err)
	}
	routedBenchCheck(b, rec.answer)
	envAt := allIndexes(rec.payload, id)
	deadlineAt := bytes.Index(rec.payload, []byte(`"deadline_ms":`)) + len(`"deadline_ms":`)
	if len(envAt) == 0 || deadlineAt < len(`"deadline_ms":`) {
		b.Fatal("the turn id or the deadline is not in the envelope")
	}
	var n atomic.Uint64 // outlives each run: a turn id is never sent twice
	unauthenticated := routedBenchEvent(b, body, "wrong")
	run := func(b *testing.B, h lambda.Handler) {
		ctx := context.Background()
		// Closed: the webhook credentials are checked on the path measured.
		if out, err := h.Invoke(ctx, unauthenticated); err != nil || !bytes.Contains(out, []byte(`"statusCode":401`)) {
			b.Fatalf("wrong credentials: %v %.300s", err, out)
		}
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			next := n.Add(1)
			for _, i := range at {
				putTurnID(event[i:i+len(id)], next)
			}
			out, err := h.Invoke(ctx, event)
			if err != nil {
				b.Fatal(err)
			}
			routedBenchCheck(b, out)
		}
	}
	b.Run("direct", func(b *testing.B) { run(b, fn) })
	b.Run("routed/http", func(b *testing.B) {
		var calls atomic.Int64
		srv := httptest.NewServer(invokeAPI(b, fn, &calls))
		b.Cleanup(srv.Close)
		rt := routedBenchRouter(b, env, srv.URL, memoryHTTPClient{})
		run(b, rt)
		if calls.Load() == 0 {
			b.Fatal("the router answered without invoking the function")
		}
	})
	b.Run("routed/memory", func(b *testing.B) {
		var calls atomic.Int64
		rt := routedBenchRouter(b, env, "http://lambda.invalid", memoryHTTPClient{invokeAPI(b, fn, &calls)})
		run(b, rt)
		if calls.Load() == 0 {
			b.Fatal("the router answered without invoking the function")
		}
	})
	// Its parts: the function answering the envelope the router sends; the router on
	// its own, the function's answer to that envelope given back at once, through the
	// SDK's Lambda client (its HTTP answered in memory) and through an Invoker that
	// skips the SDK.
	b.Run("parts/function-envelope", func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			next := n.Add(1)
			for _, i := range envAt {
				putTurnID(rec.payload[i:i+len(id)], next)
			}
			// The platform's deadline, as the router sets it (Unix ms: 13 digits).
			strconv.AppendInt(rec.payload[:deadlineAt], time.Now().Add(5*time.Second).UnixMilli(), 10)
			out, err := fn.Invoke(ctx, rec.payload)
			if err != nil {
				b.Fatal(err)
			}
			routedBenchCheck(b, out)
		}
	})
	canned := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "1")
		_, _ = w.Write(rec.answer)
	})
	b.Run("parts/router-sdk", func(b *testing.B) {
		run(b, routedBenchRouter(b, env, "http://lambda.invalid", memoryHTTPClient{canned}))
	})
	b.Run("parts/router-invoker", func(b *testing.B) {
		run(b, routedBenchRouterWith(b, env, "http://lambda.invalid", memoryHTTPClient{}, cannedInvoker(rec.answer)))
	})
}

// reportCPU reports the process's CPU time (user + system, every goroutine: the GC's
// and the loopback server's too) per operation as cpu-ns/op, from its call to the call
// of the function it returns: on a machine other work loads, a steadier figure than
// ns/op, which counts the time spent waiting for a core.
func reportCPU(b *testing.B) func() {
	before := processCPU(b)
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU(b)-before)/float64(b.N), "cpu-ns/op")
		}
	}
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// recordingInvoker answers with fn and keeps the last payload and answer.
type recordingInvoker struct {
	fn              lambda.Handler
	payload, answer []byte
}

func (r *recordingInvoker) Invoke(ctx context.Context, _, _ string, payload []byte) (router.Invocation, error) {
	out, err := r.fn.Invoke(ctx, payload)
	// The runtime's output buffer is pooled: keep a copy.
	r.payload, r.answer = bytes.Clone(payload), bytes.Clone(out)
	return router.Invocation{Payload: out}, err
}

// cannedInvoker answers every invoke with the same payload.
type cannedInvoker []byte

func (c cannedInvoker) Invoke(context.Context, string, string, []byte) (router.Invocation, error) {
	return router.Invocation{Payload: c}, nil
}

// routedBenchEnv is the configuration both functions get (as infra/stacks sets it on
// AWS, with the demo tools and the embedded store in place of the deployed ones): ES
// webhook auth on, the secret read from a secrets file; abuse limits off as in `make
// bench`; a private hash salt.
func routedBenchEnv(b *testing.B) []string {
	dir := b.TempDir()
	file := filepath.Join(dir, "secrets.json")
	raw, err := json.Marshal(map[string]secrets.Secret{
		"switchboard/webhook/dialogflow": {"username": "dialogflow", "password": webhookCreds.esPassword},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	return []string{
		"SWITCHBOARD_DATA_DIR=" + dir,
		"SWITCHBOARD_TELEMETRY_HASH_SALT=routed-bench-private-salt",
		"SWITCHBOARD_SECURITY_DIALOGFLOW_METHOD=basic", "SWITCHBOARD_SECURITY_DIALOGFLOW_SECRET=switchboard/webhook/dialogflow",
		"SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER=file", "SWITCHBOARD_CONNECTORS_SECRETS_FILE=" + file,
		"SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1",
		"SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1",
		"SWITCHBOARD_SECURITY_UPLOADS_PER_SOURCE=-1",
	}
}

// routedBenchTelemetry is telemetry as boot.Init builds it, its output discarded (the
// lines are still formatted).
func routedBenchTelemetry(b *testing.B, cfg config.Config) *telemetry.Telemetry {
	tel, err := telemetry.New(cfg.Service, telemetry.Settings(cfg.Telemetry), telemetry.Options{Logs: io.Discard, EMF: io.Discard, Traces: io.Discard,
		Getenv: func(string) string { return "" }})
	if err != nil {
		b.Fatal(err)
	}
	return tel
}

// routedBenchFunction is the lookup_customer function as its main builds it
// (function.Main: boot.Init's steps with Function's Configure and Build).
func routedBenchFunction(b *testing.B, env []string) lambda.Handler {
	cfg, err := config.Load("", env)
	if err != nil {
		b.Fatal(err)
	}
	f := function.Function(conversation.LookupCustomer)
	f.Configure(&cfg)
	h, err := f.Build(context.Background(), cfg, routedBenchTelemetry(b, cfg))
	if err != nil {
		b.Fatal(err)
	}
	return boot.Raw(h)
}

// routedBenchRouter is the router as functions/router's build wires it (its main
// package cannot be imported; keep the two alike), routing lookup_customer to
// "sb-lookupcustomer" through the Lambda API at endpoint, over hc when not nil.
func routedBenchRouter(b *testing.B, env []string, endpoint string, hc memoryHTTPClient) lambda.Handler {
	return routedBenchRouterWith(b, env, endpoint, hc, nil)
}

// routedBenchRouterWith is routedBenchRouter with client in place of the SDK's when
// not nil.
func routedBenchRouterWith(b *testing.B, env []string, endpoint string, hc memoryHTTPClient, client router.Invoker) lambda.Handler {
	b.Setenv("AWS_REGION", "us-east-1")
	b.Setenv("AWS_ACCESS_KEY_ID", routerAccessKey)
	b.Setenv("AWS_SECRET_ACCESS_KEY", "router-secret")
	b.Setenv("AWS_SESSION_TOKEN", "")
	b.Setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint)
	cfg, err := config.Load("", env)
	if err != nil {
		b.Fatal(err)
	}
	tel := routedBenchTelemetry(b, cfg)
	ctx := context.Background()
	// functions/router's build, step by step.
	ac, err := awsenv.Load(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if hc.h != nil {
		ac.HTTPClient = hc
	}
	p, err := secrets.New(ctx, secrets.Options(cfg.Connectors.Secrets), tel.Logger)
	if err != nil {
		b.Fatal(err)
	}
	p = secrets.Observe(p, func(s secrets.Secret) { tel.Redactor.AddSecrets(s) })
	guard, err := security.NewGuard(wiring.Security(cfg.Security), p)
	if err != nil {
		b.Fatal(err)
	}
	routes := router.RoutesFromEnv([]string{router.RouteEnvPrefix + "LOOKUP_CUSTOMER=sb-lookupcustomer"})
	r, err := router.New(router.Settings{Engine: wiring.Engine(cfg), Adapters: wiring.Adapters(cfg), MaxBodyBytes: cfg.Server.MaxBodyBytes},
		router.Options{Routes: routes, AWSConfig: &ac, Logger: tel.Logger, Guard: guard, Hook: tel,
			Client: client})
	if err != nil {
		b.Fatal(err)
	}
	return boot.Raw(r.Handle)
}

// invokeAPI plays the Lambda Invoke API for the router's role: the function's alias
// runs fn on the envelope (the runtime's JSON in and out), the answer is the payload.
func invokeAPI(b *testing.B, fn lambda.Handler, calls *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2015-03-31/functions/sb-lookupcustomer/invocations" ||
			r.URL.Query().Get("Qualifier") != router.DefaultQualifier ||
			!strings.Contains(r.Header.Get("Authorization"), "Credential="+routerAccessKey+"/") {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"Type":"User","message":"Function not found"}`)
			return
		}
		payload, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if calls.Add(1) == 1 && lambdafn.Classify(payload) != lambdafn.KindEnvelope {
			// Checked once: the check is not the turn's work.
			b.Errorf("the router sent an event that is not an envelope: %.300s", payload)
		}
		out, err := fn.Invoke(r.Context(), payload)
		if err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			out, _ = json.Marshal(map[string]string{"errorType": "error", "errorMessage": err.Error()})
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "1")
		_, _ = w.Write(out)
	})
}

// memoryHTTPClient answers the SDK's requests with h, in memory (aws.HTTPClient).
type memoryHTTPClient struct{ h http.Handler }

func (c memoryHTTPClient) Do(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	return w.Result(), nil
}

// routedBenchEvent is body as API Gateway hands a JSON webhook call to Lambda (not
// base64: a text content type), with HTTP Basic credentials for the ES webhook.
func routedBenchEvent(b *testing.B, body []byte, password string) []byte {
	const path = "/webhooks/dialogflow"
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST " + path, RawPath: path,
		Headers: map[string]string{"content-type": "application/json",
			"authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("dialogflow:"+password))},
		Body: string(body)}
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = path
	ev.RequestContext.HTTP.SourceIP = "203.0.113.7"
	ev.RequestContext.RequestID = "bench-request"
	ev.RequestContext.Stage = "$default"
	out, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// routedBenchCheck fails unless out is an API Gateway 200 with the signed-in answer
// (without decoding it: the check is not the turn's work).
func routedBenchCheck(b *testing.B, out []byte) {
	if !bytes.Contains(out, []byte(`"statusCode":200`)) || !bytes.Contains(out, []byte("I found")) {
		b.Fatalf("not the answer: %.600s", out)
	}
}
