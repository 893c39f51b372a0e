package router

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// lambdaAPI is an httptest server speaking the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations?Qualifier=…, X-Amz-Function-Error on
// an unhandled function error). Each function answers with its reply func.
type lambdaAPI struct {
	mu    sync.Mutex
	calls []invocation
	reply map[string]func(event []byte) (payload []byte, functionError string)
	delay time.Duration
}

type invocation struct {
	Function, Qualifier, Type string
	Event                     []byte
}

func (l *lambdaAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
	name, ok2 := strings.CutSuffix(name, "/invocations")
	if r.Method != http.MethodPost || !ok || !ok2 {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	l.calls = append(l.calls, invocation{name, r.URL.Query().Get("Qualifier"), r.Header.Get("X-Amz-Invocation-Type"), body})
	f := l.reply[name]
	l.mu.Unlock()
	if f == nil {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"Type":"User","message":"Function not found"}`))
		return
	}
	if l.delay > 0 {
		select {
		case <-time.After(l.delay):
		case <-r.Context().Done():
			return
		}
	}
	payload, fe := f(body)
	if fe != "" {
		w.Header().Set("X-Amz-Function-Error", fe)
	}
	w.Header().Set("X-Amz-Executed-Version", "7")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(payload)
}

func readEvent(t testing.TB, p conversation.Platform, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "events", string(p), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wrap turns a webhook body into the API Gateway HTTP API v2.0 event for its path.
func wrap(t *testing.T, path string, body []byte, b64 bool) json.RawMessage {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST " + path, RawPath: path, Body: string(body),
		Headers: map[string]string{"content-type": "application/json"}}
	if b64 {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = path
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// routed are the platforms whose webhook bodies name their intent, which the router
// routes on; the tool API's intent is in its path (/api/v1/<intent>): the router's
// own routes serve it (tools_test.go), and its Smoke.Unsupported says why the sample
// events do not.
func routed() []conversation.Platform {
	var out []conversation.Platform
	for _, e := range platform.Entries() {
		if e.Smoke.Unsupported == "" {
			out = append(out, e.Platform())
		}
	}
	return out
}

var paths = map[conversation.Platform]string{
	conversation.DialogflowES: "/webhooks/dialogflow",
	conversation.DialogflowCX: "/webhooks/dialogflow-cx",
	conversation.Rasa:         "/webhooks/rasa",
}

func event(t *testing.T, p conversation.Platform, file string) json.RawMessage {
	body := readEvent(t, p, file)
	if lambdafn.Direct(p) {
		return body
	}
	return wrap(t, paths[p], body, p == conversation.Rasa)
}

func newRouter(t *testing.T, api *lambdaAPI, enabled []conversation.Intent, routes map[conversation.Intent]string) *Router {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Intents.Enabled = enabled
	ac := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
	r, err := New(settingsOf(cfg), Options{Routes: routes, Endpoint: srv.URL, AWSConfig: &ac, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// body returns the platform response body of a handler result and its HTTP status
// (200 for Lex, which has no HTTP).
func body(t *testing.T, out any) (int, []byte) {
	t.Helper()
	switch v := out.(type) {
	case json.RawMessage:
		// A forwarded HTTP event comes back as the intent function's API Gateway
		// response, verbatim.
		var resp events.APIGatewayV2HTTPResponse
		if json.Unmarshal(v, &resp) == nil && resp.StatusCode != 0 {
			return resp.StatusCode, []byte(resp.Body)
		}
		return 200, v
	case events.APIGatewayV2HTTPResponse:
		return v.StatusCode, []byte(v.Body)
	}
	t.Fatalf("unexpected handler result %T", out)
	return 0, nil
}

// TestRoutesByDecodedIntent: the intent a turn is routed by is the one the platform
// adapter decodes (the same names the intent function reads), snake_case CX included.
func TestRoutesByDecodedIntent(t *testing.T) {
	t.Parallel()
	api := &lambdaAPI{reply: map[string]func([]byte) ([]byte, string){}}
	routes := map[conversation.Intent]string{}
	for _, in := range conversation.Intents {
		fn := "sb-" + strings.ReplaceAll(string(in), "_", "")
		routes[in] = fn
		api.reply[fn] = func([]byte) ([]byte, string) {
			return []byte(`{"statusCode":200,"body":"{\"from\":\"` + fn + `\"}"}`), ""
		}
	}
	r := newRouter(t, api, nil, routes)
	cx := readEvent(t, conversation.DialogflowCX, "search_kb.json")
	cx = bytes.Replace(cx, []byte(`"fulfillmentInfo"`), []byte(`"fulfillment_info"`), 1)
	out, err := r.Handle(context.Background(), wrap(t, paths[conversation.DialogflowCX], cx, false))
	if err != nil {
		t.Fatal(err)
	}
	if status, b := body(t, out); status != 200 || string(b) != `{"from":"sb-searchkb"}` {
		t.Errorf("snake_case CX tag: %d %s", status, b)
	}
}

func TestRoutesFromEnv(t *testing.T) {
	t.Parallel()
	got := RoutesFromEnv([]string{"SWITCHBOARD_ROUTE_LOOKUP_CUSTOMER=arn:aws:lambda:eu-west-1:1:function:sb-lookupcustomer:live",
		"SWITCHBOARD_ROUTE_SEARCH_KB=sb-searchkb", "SWITCHBOARD_ROUTE_BOGUS=x", "SWITCHBOARD_ROUTE_CREATE_TICKET=", "PATH=/bin"})
	if len(got) != 2 || got[conversation.SearchKB] != "sb-searchkb" || !strings.HasSuffix(got[conversation.LookupCustomer], ":live") {
		t.Errorf("routes %v", got)
	}
}

// TestForward: every routed intent on every platform is invoked at its alias with an
// Envelope of the admitted turn (the body decoded from base64 and inflated, how the
// caller was admitted, the router's deadline), and the function's payload comes back
// byte for byte.
func TestForward(t *testing.T) {
	t.Parallel()
	api := &lambdaAPI{reply: map[string]func([]byte) ([]byte, string){}}
	routes := map[conversation.Intent]string{}
	for _, in := range conversation.Intents {
		fn := "sb-" + strings.ReplaceAll(string(in), "_", "")
		routes[in] = fn
		api.reply[fn] = func(ev []byte) ([]byte, string) {
			var env lambdafn.Envelope
			if json.Unmarshal(ev, &env) == nil && !lambdafn.Direct(env.Platform) {
				return []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"from\":\"` + fn + `\"}"}`), ""
			}
			return []byte(`{"from":"` + fn + `"}`), ""
		}
	}
	r := newRouter(t, api, nil, routes)
	// Every registered intent's sample event (its contract's Samples).
	files := map[conversation.Intent]string{}
	for _, in := range spec.All() {
		files[conversation.Intent(in.Name)] = in.Samples
	}
	for _, p := range routed() {
		for in, file := range files {
			ev := event(t, p, file)
			api.mu.Lock()
			api.calls = nil
			api.mu.Unlock()
			start := time.Now()
			out, err := r.Handle(context.Background(), ev)
			if err != nil {
				t.Fatalf("%s/%s: %v", p, in, err)
			}
			status, b := body(t, out)
			if want := `{"from":"` + routes[in] + `"}`; status != 200 || string(b) != want {
				t.Errorf("%s/%s: %d %s, want %s", p, in, status, b, want)
			}
			api.mu.Lock()
			calls := api.calls
			api.mu.Unlock()
			if len(calls) != 1 || calls[0].Qualifier != DefaultQualifier || calls[0].Type != "RequestResponse" {
				t.Fatalf("%s/%s: invocations %+v", p, in, calls)
			}
			var env lambdafn.Envelope
			if err := json.Unmarshal(calls[0].Event, &env); err != nil {
				t.Fatalf("%s/%s: not an envelope: %v: %s", p, in, err, calls[0].Event)
			}
			// No guard in this router: every webhook is open.
			caller := lambdafn.CallerOpen
			if lambdafn.Direct(p) {
				caller = lambdafn.CallerIAM
			}
			if env.Version != lambdafn.EnvelopeVersion || env.Platform != p || env.Caller != caller ||
				!bytes.Equal(env.Body, bytes.TrimSpace(readEvent(t, p, file))) || env.Deadline < start.Add(r.cfg.Engine.Deadline(p)).UnixMilli() ||
				env.Deadline > time.Now().Add(r.cfg.Engine.Deadline(p)).UnixMilli() {
				t.Errorf("%s/%s: envelope %s %s %s %q %d, body as sent: %v", p, in, env.Version, env.Platform, env.Caller,
					env.RequestID, env.Deadline, bytes.Equal(env.Body, bytes.TrimSpace(readEvent(t, p, file))))
			}
			if lambdafn.Classify(calls[0].Event) != lambdafn.KindEnvelope {
				t.Errorf("%s/%s: the function would not take %s for an envelope", p, in, calls[0].Event)
			}
		}
	}
}

// TestNotForwarded: unknown intents and intents outside the rollout stage are answered
// by the router itself, valid for the platform, without invoking anything.
func TestNotForwarded(t *testing.T) {
	t.Parallel()
	api := &lambdaAPI{reply: map[string]func([]byte) ([]byte, string){
		"sb-lookupcustomer": func([]byte) ([]byte, string) { return []byte(`{"never":true}`), "" },
	}}
	r := newRouter(t, api, []conversation.Intent{conversation.LookupCustomer, conversation.SearchKB},
		map[conversation.Intent]string{conversation.LookupCustomer: "sb-lookupcustomer", conversation.VerifyPayment: "sb-verifypayment"})
	for _, p := range routed() {
		for _, tc := range []struct{ file, want string }{
			{"invalid/unknown_intent.json", "can't help with that"},
			{"verify_payment.json", "can't do that here yet"}, // routed but not in the stage
			{"search_kb.json", "can't do that here yet"},      // in the stage but not routed
		} {
			out, err := r.Handle(context.Background(), event(t, p, tc.file))
			if err != nil {
				t.Fatalf("%s/%s: %v", p, tc.file, err)
			}
			status, b := body(t, out)
			if p == conversation.Rasa {
				// Rasa's protocol: 404 for an action the server does not have, 400
				// {"error","action_name"} for an action it rejects.
				want := 400
				if tc.file == "invalid/unknown_intent.json" {
					want, tc.want = 404, "No registered action"
				}
				if status != want || !strings.Contains(string(b), tc.want) || !strings.Contains(string(b), `"action_name"`) {
					t.Errorf("rasa %s: %d %s", tc.file, status, b)
				}
				continue
			}
			if status != 200 || !strings.Contains(string(b), tc.want) {
				t.Errorf("%s/%s: %d %s, want %q", p, tc.file, status, b, tc.want)
			}
			schematest.Validate(t, p, b)
		}
	}
	if len(api.calls) != 0 {
		t.Errorf("invoked %+v", api.calls)
	}
	// A body the platform adapter rejects gets the platform's bad-request answer.
	out, _ := r.Handle(context.Background(), event(t, conversation.DialogflowES, "malformed.json"))
	if status, b := body(t, out); status != 400 {
		t.Errorf("malformed: %d %s", status, b)
	}
}

// TestForwardFailure: a function error, a missing function and a function slower than
// the platform's deadline all become honest, platform-valid failure replies.
func TestForwardFailure(t *testing.T) {
	t.Parallel()
	api := &lambdaAPI{reply: map[string]func([]byte) ([]byte, string){
		"sb-lookupcustomer": func([]byte) ([]byte, string) {
			return []byte(`{"errorMessage":"boom","errorType":"Panic"}`), "Unhandled"
		},
		"sb-createticket": func([]byte) ([]byte, string) { return []byte(`{}`), "" },
	}}
	r := newRouter(t, api, nil, map[conversation.Intent]string{conversation.LookupCustomer: "sb-lookupcustomer",
		conversation.SearchKB: "sb-missing", conversation.CreateTicket: "sb-createticket"})
	// The failing functions answer at once: a deadline far beyond that keeps a loaded
	// machine from turning their failures into timeouts.
	r.cfg.Engine.Deadlines[conversation.Platform("lex")] = 30 * time.Second
	r.cfg.Engine.ReplyMargin = 100 * time.Millisecond
	// The slow function answers after a minute (or when the router gives up): a router
	// that waited for it would relay its answer, not the deadline fallback wanted below.
	slow := &lambdaAPI{reply: api.reply, delay: time.Minute}
	rs := newRouter(t, slow, nil, map[conversation.Intent]string{conversation.CreateTicket: "sb-createticket"})
	rs.cfg.Engine.Deadlines[conversation.Platform("lex")] = 400 * time.Millisecond
	rs.cfg.Engine.ReplyMargin = 100 * time.Millisecond
	for _, tc := range []struct {
		r    *Router
		file string
		want string
	}{
		{r, "lookup_customer.json", "something went wrong"},
		{r, "search_kb.json", "something went wrong"},
		{rs, "create_ticket.json", "couldn't confirm that your ticket was created"},
	} {
		out, err := tc.r.Handle(context.Background(), event(t, conversation.LexV2, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		_, b := body(t, out)
		if !strings.Contains(string(b), tc.want) || !strings.Contains(string(b), `"Failed"`) {
			t.Errorf("%s: %s, want %q", tc.file, b, tc.want)
		}
		schematest.Validate(t, conversation.LexV2, b)
	}
}

// A route given as a qualified ARN is invoked as is (its colons escaped in the path,
// no Qualifier), signed for the lambda service; a throttled invoke is tried once more.
func TestForwardToARNAndThrottling(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:sb-lookupcustomer:live"
	var attempts int
	var mu sync.Mutex
	var rawPath, auth, query string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		rawPath, auth, query = r.URL.EscapedPath(), r.Header.Get("Authorization"), r.URL.RawQuery
		if attempts == 1 {
			w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}`)
			return
		}
		fmt.Fprint(w, `{"from":"arn"}`)
	}))
	defer srv.Close()
	cfg, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	ac := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
	r, err := New(settingsOf(cfg), Options{Routes: map[conversation.Intent]string{conversation.LookupCustomer: arn},
		Endpoint: srv.URL, AWSConfig: &ac, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Handle(context.Background(), event(t, conversation.LexV2, "lookup_customer.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, b := body(t, out); string(b) != `{"from":"arn"}` {
		t.Fatalf("answer %s", b)
	}
	mu.Lock()
	defer mu.Unlock()
	if attempts != 2 {
		t.Errorf("%d attempts, want 2 (one throttled)", attempts)
	}
	if want := "/2015-03-31/functions/" + strings.ReplaceAll(arn, ":", "%3A") + "/invocations"; rawPath != want || query != "" {
		t.Errorf("path %s?%s, want %s and no Qualifier", rawPath, query, want)
	}
	if !strings.Contains(auth, "/eu-west-1/lambda/aws4_request") {
		t.Errorf("Authorization %q", auth)
	}
	// Without a region the router cannot sign: an error at start, not at the first turn.
	if _, err := New(settingsOf(cfg), Options{Routes: map[conversation.Intent]string{conversation.LookupCustomer: arn},
		AWSConfig: &aws.Config{Credentials: ac.Credentials}}); err == nil {
		t.Error("a router without a region was built")
	}
}

// TestBodyReadUnderTheBudget: the router reads a body (to find the intent's name)
// through the same path and in-flight budget as the intent functions and serve: with
// the budget spent it refuses (503) instead of inflating the body outside it, and
// forwards nothing; with room it routes the same compressed body.
func TestBodyReadUnderTheBudget(t *testing.T) {
	t.Parallel()
	api := &lambdaAPI{reply: map[string]func([]byte) ([]byte, string){
		"sb-searchkb": func([]byte) ([]byte, string) { return []byte(`{"events":[],"responses":[{"text":"ok"}]}`), "" },
	}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Intents.Enabled = []conversation.Intent{conversation.SearchKB}
	cfg.Security.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthNone}
	cfg.Security.InflightBytes = 1 << 20
	g, err := security.NewGuard(wiring.Security(cfg.Security), secrets.Static{})
	if err != nil {
		t.Fatal(err)
	}
	g.Budget.Wait = 0
	ac := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
	r, err := New(settingsOf(cfg), Options{Routes: map[conversation.Intent]string{conversation.SearchKB: "sb-searchkb"}, Endpoint: srv.URL,
		AWSConfig: &ac, Logger: slog.New(slog.DiscardHandler), Guard: g})
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(readEvent(t, conversation.Rasa, "search_kb.json"))
	zw.Close()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST /webhooks/rasa", RawPath: "/webhooks/rasa",
		Body: base64.StdEncoding.EncodeToString(z.Bytes()), IsBase64Encoded: true,
		Headers: map[string]string{"content-type": "application/json", "content-encoding": "deflate"}}
	ev.RequestContext.HTTP.Method = http.MethodPost
	event, _ := json.Marshal(ev)

	if !g.Budget.Reserve(g.Budget.Limit()) {
		t.Fatal("could not take the budget")
	}
	out, err := r.Handle(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	if status, b := body(t, out); status != http.StatusServiceUnavailable {
		t.Errorf("budget spent: %d %s, want 503", status, b)
	}
	if len(api.calls) != 0 {
		t.Errorf("forwarded with the budget spent: %d calls", len(api.calls))
	}
	g.Budget.Release(g.Budget.Limit())
	out, err = r.Handle(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	if status, b := body(t, out); status != 200 || len(api.calls) != 1 {
		t.Errorf("with room: %d %s, %d calls, want forwarded", status, b, len(api.calls))
	}
	if used := g.Budget.InUse(); used != 0 {
		t.Errorf("%d bytes still claimed after both calls", used)
	}
}

// settingsOf is the router's part of cfg, as functions/router translates it.
func settingsOf(cfg config.Config) Settings {
	return Settings{Engine: wiring.Engine(cfg), Adapters: wiring.Adapters(cfg), MaxBodyBytes: cfg.Server.MaxBodyBytes}
}
