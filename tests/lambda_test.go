package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
	"github.com/switchboard-dev/switchboard/shared/router"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// intentFunctions maps each registered intent's functions/<dir> to its canonical
// intent (its contract's Function).
var intentFunctions = func() map[string]conversation.Intent {
	m := map[string]conversation.Intent{}
	for _, in := range spec.All() {
		m[in.Function] = conversation.Intent(in.Name)
	}
	return m
}()

// functionUses is what the CDK app deploys each function with (shared/deploy/settings,
// IntentFunctions): the capabilities its intent's contract Uses (and so the only
// secrets its role may read).
var functionUses = func() map[string][]string {
	m := map[string][]string{}
	for _, in := range spec.All() {
		m[in.Function] = in.Uses
	}
	return m
}()

// functionNames lists the registered intents' functions in the registry's order.
func functionNames() []string {
	var out []string
	for _, in := range spec.All() {
		out = append(out, in.Function)
	}
	return out
}

// productionTools is the tool serving each capability in the RIE test: every one a real
// stand-in, none the demo backend.
var productionTools = map[string]string{"customers": "hubspot", "tickets": "zendesk", "payments": "stripe", "kb": "zendesk"}

// productionEnv starts what a deployed function talks to — DynamoDB and Secrets Manager
// (moto_server), Stripe (stripe-mock), HubSpot and Zendesk (their in-process stand-ins,
// reached by the bootstraps over loopback) — and returns the SWITCHBOARD_* variables
// pointing a function at them, as the CDK app sets them on AWS.
func productionEnv(t *testing.T) []string {
	t.Helper()
	moto := testenv.Moto(t)
	stripe := testenv.StripeMock(t)
	hs, zd := hstest.New(t), zdtest.New(t)
	prefix := fmt.Sprintf("rie-%d/", time.Now().UnixNano())
	testenv.AWSEnv(t, moto)
	putSecrets(t, moto, prefix, map[string]secrets.Secret{
		"switchboard/hubspot":  hs.Secret(),
		"switchboard/zendesk":  zd.Secret(),
		"switchboard/stripe":   {"api_key": "sk_test_123"},
		"switchboard/identity": {"key": e2eTokenKey},
		// The webhook secrets infra/stacks generates, one per platform calling the API.
		"switchboard/webhook/dialogflow":    {"username": "dialogflow", "password": webhookCreds.esPassword},
		"switchboard/webhook/dialogflow-cx": {"token": webhookCreds.cxToken},
		"switchboard/webhook/rasa":          {"token": webhookCreds.rasaToken},
		"switchboard/webhook/tool-api":      {"token": webhookCreds.toolToken},
	})
	table := storetest.MotoTable(t, storetest.MotoClient(t))
	// The audit trail's own table, as the CDK app creates it.
	_, auditTable := newAuditTable(t)
	return []string{
		// moto keeps secrets and tables per region: the functions' region is the one
		// they were created in (startRIE's own default is another).
		"AWS_REGION=" + os.Getenv("AWS_REGION"), "AWS_DEFAULT_REGION=" + os.Getenv("AWS_REGION"),
		// Webhook auth on every function, as infra/stacks/webhooks.go sets it.
		"SWITCHBOARD_SECURITY_DIALOGFLOW_METHOD=basic", "SWITCHBOARD_SECURITY_DIALOGFLOW_SECRET=switchboard/webhook/dialogflow",
		"SWITCHBOARD_SECURITY_DIALOGFLOW_CX_METHOD=header", "SWITCHBOARD_SECURITY_DIALOGFLOW_CX_SECRET=switchboard/webhook/dialogflow-cx",
		"SWITCHBOARD_SECURITY_RASA_METHOD=token", "SWITCHBOARD_SECURITY_RASA_SECRET=switchboard/webhook/rasa",
		"SWITCHBOARD_SECURITY_TOOL_API_METHOD=bearer", "SWITCHBOARD_SECURITY_TOOL_API_SECRET=switchboard/webhook/tool-api",
		"SWITCHBOARD_IDENTITY_TOKEN_SECRET_ID=switchboard/identity", "SWITCHBOARD_IDENTITY_TOKEN_DEMO_KEY=false",
		"SWITCHBOARD_IDENTITY_AUDIT_SINK=dynamodb", "SWITCHBOARD_IDENTITY_AUDIT_TABLE=" + auditTable,
		"SWITCHBOARD_IDENTITY_AUDIT_ENDPOINT=" + moto,
		"SWITCHBOARD_STORE_BACKEND=dynamodb", "SWITCHBOARD_STORE_TABLE=" + table, "SWITCHBOARD_STORE_ENDPOINT=" + moto,
		"SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER=aws", "SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT=" + moto,
		"SWITCHBOARD_CONNECTORS_SECRETS_PREFIX=" + prefix,
		"SWITCHBOARD_CONNECTORS_HUBSPOT_BASE_URL=" + hs.URL(),
		"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme", "SWITCHBOARD_CONNECTORS_ZENDESK_BASE_URL=" + zd.URL(),
		"SWITCHBOARD_CONNECTORS_STRIPE_BASE_URL=" + stripe,
	}
}

// webhookCreds are the generated webhook credentials of the RIE test's deployment.
var webhookCreds = struct{ esPassword, cxToken, rasaToken, toolToken string }{
	"Es0Generated0Password0ForTheRieTest", "Cx0Generated0TokenForTheRieTest", "Rasa0Generated0TokenForTheRieTest",
	"Tool0Generated0BearerTokenForTheRieTest"}

// webhookPaths are the HTTP API routes the platforms call (Lex invokes directly).
var webhookPaths = map[conversation.Platform]string{
	conversation.DialogflowES: "/webhooks/dialogflow",
	conversation.DialogflowCX: "/webhooks/dialogflow-cx",
	conversation.Rasa:         "/webhooks/rasa",
}

// rie is one function running under the Lambda Runtime Interface Emulator.
type rie struct {
	name string
	url  string // invoke URL
	proc *testenv.Process
}

// buildBootstraps builds the functions and the hello-world baseline for the host with
// the release flags (`make build` builds the same for linux/arm64).
func buildBootstraps(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	root := testenv.RepoRoot()
	pkgs := []string{"./tests/testdata/hello"}
	for fn := range intentFunctions {
		pkgs = append(pkgs, "./functions/"+fn)
	}
	pkgs = append(pkgs, "./functions/router")
	args := append([]string{"build", "-tags", testenv.LambdaTags, "-trimpath", "-ldflags=-s -w", "-o", dir + "/"}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

func startRIE(t *testing.T, rieBin, name, bootstrap string, env []string) *rie {
	t.Helper()
	port, apiPort := testenv.FreePort(t), testenv.FreePort(t)
	cmd := exec.Command(rieBin, "--runtime-interface-emulator-address", fmt.Sprintf("127.0.0.1:%d", port),
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort), bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	// The environment a Lambda sandbox gives a function, not this machine's: a
	// developer's AWS_CA_BUNDLE, for one, costs every AWS SDK client ~3 ms of PEM
	// parsing that no Lambda pays.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TZ=:UTC", "LANG=en_US.UTF-8",
		"AWS_LAMBDA_FUNCTION_NAME=" + name, "AWS_LAMBDA_FUNCTION_TIMEOUT=30", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_SESSION_TOKEN=test",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(bootstrap), "_HANDLER=bootstrap",
		// The private hash key the CDK app resolves into every function's environment
		// (a function refuses the public default); env may set another.
		"SWITCHBOARD_TELEMETRY_HASH_SALT=rie-private-salt"}
	cmd.Env = append(cmd.Env, env...)
	p, err := testenv.Start("rie-"+name, cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	if err := testenv.WaitTCP(fmt.Sprintf("127.0.0.1:%d", port), 10*time.Second); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, p.LogTail())
	}
	return &rie{name: name, url: fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", port), proc: p}
}

func (r *rie) invoke(t *testing.T, event []byte) []byte {
	t.Helper()
	resp, err := http.Post(r.url, "application/json", bytes.NewReader(event))
	if err != nil {
		t.Fatalf("%s: %v\n%s", r.name, err, r.proc.LogTail())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: RIE answered %d: %s\n%s", r.name, resp.StatusCode, b, r.proc.LogTail())
	}
	return b
}

var initDuration = regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)

// initMS is the init duration the RIE reported in its first REPORT line.
func (r *rie) initMS(t *testing.T) float64 {
	t.Helper()
	// Polls the log for the line; the deadline is a hang guard, not a bound (the RIE
	// writes the line as the first invocation ends, well before a loaded machine
	// would reach it).
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(r.proc.Log.Name())
		if m := initDuration.FindSubmatch(b); m != nil {
			v, _ := strconv.ParseFloat(string(m[1]), 64)
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no Init Duration in the RIE log:\n%s", r.name, r.proc.LogTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// apiEvent wraps a webhook body as API Gateway HTTP API (payload 2.0) delivers it,
// with the platform's webhook credentials as the platform sends them.
func apiEvent(t *testing.T, path string, body []byte) []byte {
	return apiEventAuth(t, path, body, true)
}

func apiEventAuth(t *testing.T, path string, body []byte, creds bool) []byte {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST " + path, RawPath: path,
		Headers: map[string]string{"content-type": "application/json"}, Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true}
	if creds {
		switch {
		case strings.HasPrefix(path, "/webhooks/dialogflow-cx"):
			ev.Headers["x-switchboard-token"] = webhookCreds.cxToken
		case strings.HasPrefix(path, "/webhooks/dialogflow"):
			ev.Headers["authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte("dialogflow:"+webhookCreds.esPassword))
		case strings.HasPrefix(path, "/webhooks/rasa"):
			ev.RawQueryString = "token=" + webhookCreds.rasaToken
			ev.QueryStringParameters = map[string]string{"token": webhookCreds.rasaToken}
		}
	}
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = path
	ev.RequestContext.Stage = "$default"
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// platformEvent is an event file as its platform delivers it to Lambda.
func platformEvent(t *testing.T, p conversation.Platform, body []byte) []byte {
	if lambdafn.Direct(p) {
		return body
	}
	return apiEvent(t, webhookPaths[p], body)
}

// platformResponse unwraps a function's answer: the API Gateway response for HTTP
// platforms, the Lex response itself for Lex.
func platformResponse(t *testing.T, p conversation.Platform, payload []byte) (int, []byte) {
	t.Helper()
	if lambdafn.Direct(p) {
		return 200, payload
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil || resp.StatusCode == 0 {
		t.Fatalf("%s: not an API Gateway response: %s", p, payload)
	}
	return resp.StatusCode, []byte(resp.Body)
}

// routerAccessKey is the access key of the router's role in the RIE test: the only
// principal lambdaForwarder lets invoke an intent function's alias, as the deployed
// permissions do (infra/stacks: the router's InvokeEnabledIntentAliases grant).
const routerAccessKey = "SBROUTERROLE"

// lambdaForwarder speaks the Lambda Invoke API for the router and forwards each call
// to the named function's RIE, as the Lambda service would to the alias: only for the
// router's role (AccessDeniedException for anyone else), and every payload the router
// sends is an envelope.
func lambdaForwarder(t *testing.T, fns map[string]*rie, calls map[string]int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, _ := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
		name, _ = strings.CutSuffix(name, "/invocations")
		f, ok := fns[name]
		if !ok || r.URL.Query().Get("Qualifier") != router.DefaultQualifier {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"Type":"User","message":"Function not found: %s"}`, name)
			return
		}
		if !strings.Contains(r.Header.Get("Authorization"), "Credential="+routerAccessKey+"/") {
			w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"Type":"User","message":"not authorized to perform: lambda:InvokeFunction on %s"}`, name)
			return
		}
		payload, _ := io.ReadAll(r.Body)
		if k := lambdafn.Classify(payload); k != lambdafn.KindEnvelope {
			t.Errorf("the router sent %s an event of kind %v, not an envelope", name, k)
		}
		calls[name]++
		resp, err := http.Post(f.url, "application/json", bytes.NewReader(payload))
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if bytes.Contains(b, []byte(`"errorType"`)) {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestLambdaRIE runs the real bootstrap binaries under aws-lambda-rie on the embedded
// demo backend: every sample event straight to its intent function, every event through
// the router (which reaches the intent functions through the Lambda Invoke API), and
// the init duration of each function against a hello-world bootstrap.
func TestLambdaRIE(t *testing.T) {
	rieBin, ok := testenv.LookPath("aws-lambda-rie")
	if !ok {
		testenv.Missing(t, "aws-lambda-rie", "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@latest (make tool-rie)")
	}
	bin := buildBootstraps(t)
	data := t.TempDir()
	common := productionEnv(t)

	fns := map[string]*rie{}
	var routes []string
	for fn, in := range intentFunctions {
		name := "sb-" + fn
		env := append(slices.Clone(common), "SWITCHBOARD_DATA_DIR="+filepath.Join(data, fn), "SWITCHBOARD_INTENTS_ENABLED="+string(in))
		// Each function is configured as infra/stacks deploys it: the tools of the
		// capabilities it uses, "none" for the others.
		for _, c := range []string{"customers", "tickets", "payments", "kb"} {
			tool := "none"
			if slices.Contains(functionUses[fn], c) {
				tool = productionTools[c]
			}
			env = append(env, "SWITCHBOARD_CONNECTORS_"+strings.ToUpper(c)+"="+tool)
		}
		fns[name] = startRIE(t, rieBin, name, filepath.Join(bin, fn), env)
		routes = append(routes, router.RouteEnvPrefix+strings.ToUpper(string(in))+"="+name)
	}
	calls := map[string]int{}
	fwd := lambdaForwarder(t, fns, calls)
	rt := startRIE(t, rieBin, "sb-router", filepath.Join(bin, "router"),
		append(append(routes, common...), "AWS_ENDPOINT_URL_LAMBDA="+fwd.URL, "SWITCHBOARD_DATA_DIR="+filepath.Join(data, "router"),
			"AWS_ACCESS_KEY_ID="+routerAccessKey))
	hello := startRIE(t, rieBin, "hello", filepath.Join(bin, "hello"), nil)

	// Cold starts first, one at a time: the RIE starts a bootstrap on its first invoke,
	// so that invoke's wall time is process start + init + a trivial invoke (an event
	// no handler accepts, answered at once).
	all := []*rie{hello, rt}
	for _, fn := range functionNames() {
		all = append(all, fns["sb-"+fn])
	}
	cold := map[*rie]time.Duration{}
	for _, f := range all {
		start := time.Now()
		f.invoke(t, []byte(`{"ping":true}`))
		cold[f] = time.Since(start)
	}

	t.Run("intent functions", func(t *testing.T) {
		for fn, in := range intentFunctions {
			f := fns["sb-"+fn]
			for _, p := range webhookPlatforms() {
				status, body := platformResponse(t, p, f.invoke(t, platformEvent(t, p, readEvent(t, p, eventFile[in]))))
				if status != 200 {
					t.Errorf("%s %s: HTTP %d %s\n%s", fn, p, status, body, f.proc.LogTail())
					continue
				}
				schematest.Validate(t, p, body)
				if bytes.Contains(body, []byte("can't do that here")) || bytes.Contains(body, []byte("went wrong")) ||
					bytes.Contains(body, []byte("isn't responding")) || bytes.Contains(body, []byte("couldn't")) {
					t.Errorf("%s %s: %s", fn, p, body)
				}
			}
			// Signed by the site with the key in Secrets Manager: the full answer, and
			// an audit event in CloudWatch Logs.
			if in == conversation.LookupCustomer {
				tok := e2eToken(t, "ada@example.com", "", "")
				for _, p := range webhookPlatforms() {
					ev := withToken(t, p, readEvent(t, p, eventFile[in]), tok)
					ev = withTurn(t, p, ev, nextID("rie-s"), nextID("rie-t"))
					status, body := platformResponse(t, p, f.invoke(t, platformEvent(t, p, ev)))
					if status != 200 || !bytes.Contains(body, []byte("I found")) {
						t.Errorf("%s %s signed: HTTP %d %s", fn, p, status, body)
					}
				}
			}
			// A request for another intent (a mis-routed CX tag) is politely refused.
			var other conversation.Intent
			for _, o := range spec.All() {
				if o.Name != string(in) {
					other = conversation.Intent(o.Name)
					break
				}
			}
			status, body := platformResponse(t, conversation.DialogflowCX, f.invoke(t,
				apiEvent(t, "/webhooks/dialogflow-cx/x", readEvent(t, conversation.DialogflowCX, eventFile[other]))))
			if status != 200 || !bytes.Contains(body, []byte("can't do that here")) {
				t.Errorf("%s answered %s: %d %s", fn, other, status, body)
			}
		}
	})

	// Closed by default, on every function the API reaches: no or wrong credentials
	// get 401 and no forward.
	t.Run("webhook auth", func(t *testing.T) {
		before := 0
		for _, n := range calls {
			before += n
		}
		for _, f := range all[1:] {
			for p, path := range webhookPaths {
				body := readEvent(t, p, eventFile[conversation.SearchKB])
				if status, out := platformResponse(t, p, f.invoke(t, apiEventAuth(t, path, body, false))); status != 401 {
					t.Errorf("%s %s without credentials: HTTP %d %s", f.name, p, status, out)
				}
				wrong := apiEventAuth(t, path, body, true)
				for _, c := range []string{webhookCreds.esPassword, webhookCreds.cxToken, webhookCreds.rasaToken} {
					wrong = bytes.ReplaceAll(wrong, []byte(c), []byte(c[:len(c)-1]+"X"))
				}
				if p == conversation.DialogflowES {
					wrong = apiEventAuth(t, path, body, false)
					var ev map[string]any
					json.Unmarshal(wrong, &ev)
					ev["headers"].(map[string]any)["authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte("dialogflow:nope"))
					wrong, _ = json.Marshal(ev)
				}
				if status, out := platformResponse(t, p, f.invoke(t, wrong)); status != 401 {
					t.Errorf("%s %s with wrong credentials: HTTP %d %s", f.name, p, status, out)
				}
			}
		}
		after := 0
		for _, n := range calls {
			after += n
		}
		if after != before {
			t.Errorf("the router forwarded %d unauthenticated calls", after-before)
		}
	})

	t.Run("audit trail", func(t *testing.T) {
		var table string
		for _, kv := range common {
			if v, ok := strings.CutPrefix(kv, "SWITCHBOARD_IDENTITY_AUDIT_TABLE="); ok {
				table = v
			}
		}
		evs := auditItems(t, storetest.MotoClient(t), table)
		// Per platform, one for each intent whose answer depends on the caller (its
		// anonymous sample: offered a code, or accepted in neutral words), and the
		// signed lookup.
		n := len(webhookPlatforms())
		var identity, codes, accepted int
		for _, in := range spec.All() {
			if in.Identity {
				identity++
			}
			switch in.Unverified {
			case spec.UnverifiedCode:
				codes++
			case spec.UnverifiedAccepted:
				accepted++
			}
		}
		if len(evs) != (identity+1)*n {
			t.Errorf("%d audit events in the audit table, want %d", len(evs), (identity+1)*n)
		}
		outcomes := map[string]int{}
		for _, e := range evs {
			outcomes[e.Outcome]++
			m, _ := json.Marshal(e)
			if strings.Contains(string(m), "@") || strings.Contains(string(m), "Lovelace") || strings.Contains(string(m), "eyJ") {
				t.Errorf("audit event holds an email, a name or a token: %s", m)
			}
		}
		if outcomes["answered"] != n || outcomes["refused_unverified"] != codes*n ||
			len(evs)-outcomes["answered"]-outcomes["refused_unverified"] != accepted*n {
			t.Errorf("audit outcomes %v", outcomes)
		}
	})

	t.Run("router", func(t *testing.T) {
		for _, p := range webhookPlatforms() {
			files, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(), "events", string(p), "*.json"))
			more, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(), "events", string(p), "invalid", "*.json"))
			for _, file := range append(files, more...) {
				rel, _ := filepath.Rel(filepath.Join(testenv.RepoRoot(), "events", string(p)), file)
				raw, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				status, body := platformResponse(t, p, rt.invoke(t, platformEvent(t, p, raw)))
				switch {
				case rel == "malformed.json" && lambdafn.Direct(p):
					// Lex only ever sends JSON; a truncated payload cannot be decoded
					// by the runtime and is a function error.
					if !bytes.Contains(body, []byte(`"errorMessage"`)) {
						t.Errorf("%s/%s: %s, want a function error", p, rel, body)
					}
				case rel == "malformed.json":
					if status != 400 {
						t.Errorf("%s/%s: HTTP %d %s, want 400", p, rel, status, body)
					}
				case p == conversation.Rasa && status != 200:
					// Rasa's error answers: 404 unknown action, 400 rejected action.
					if rel != "invalid/unknown_intent.json" || status != 404 {
						t.Errorf("%s/%s: HTTP %d %s", p, rel, status, body)
					}
				case status != 200:
					t.Errorf("%s/%s: HTTP %d %s", p, rel, status, body)
				default:
					schematest.Validate(t, p, body)
				}
			}
		}
		for name, n := range calls {
			// One forward per platform for the intent's own event, plus the invalid
			// slot events of the intents that have slots to validate.
			if n < len(webhookPlatforms()) {
				t.Errorf("router forwarded %d events to %s, want at least %d", n, name, len(webhookPlatforms()))
			}
		}
		if len(calls) != len(intentFunctions) {
			t.Errorf("router reached %v, want all of %d functions", calls, len(intentFunctions))
		}
	})

	// A routed turn is admitted by the router and answered by the intent function from
	// the router's envelope; an envelope from anyone else is refused: through API
	// Gateway it is only a webhook body (credentials needed, and not the turn it
	// carries), and only the router's role may invoke the alias directly.
	t.Run("envelope", func(t *testing.T) {
		lookup := fns["sb-lookupcustomer"]
		tok := e2eToken(t, "ada@example.com", "", "")
		for _, p := range []conversation.Platform{conversation.DialogflowES, conversation.LexV2, bedrockagent.Platform} {
			ev := withTurn(t, p, withToken(t, p, readEvent(t, p, eventFile[conversation.LookupCustomer]), tok), nextID("env-s"), nextID("env-t"))
			before := calls["sb-lookupcustomer"]
			status, body := platformResponse(t, p, rt.invoke(t, platformEvent(t, p, ev)))
			if status != 200 || !bytes.Contains(body, []byte("I found")) || calls["sb-lookupcustomer"] != before+1 {
				t.Errorf("%s signed lookup through the router: HTTP %d %s (%d forwards)", p, status, body, calls["sb-lookupcustomer"]-before)
			}
		}
		es := withTurn(t, conversation.DialogflowES, withToken(t, conversation.DialogflowES,
			readEvent(t, conversation.DialogflowES, eventFile[conversation.LookupCustomer]), tok), nextID("env-s"), nextID("env-t"))
		env, err := lambdafn.Envelope{Version: lambdafn.EnvelopeVersion, Platform: conversation.DialogflowES, Body: es,
			Caller: lambdafn.CallerAuthenticated}.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		// As an HTTP call's body, without and with the platform's credentials.
		path := webhookPaths[conversation.DialogflowES]
		if status, body := platformResponse(t, conversation.DialogflowES, lookup.invoke(t, apiEventAuth(t, path, env, false))); status != 401 {
			t.Errorf("an envelope as a webhook body without credentials: HTTP %d %s", status, body)
		}
		if status, body := platformResponse(t, conversation.DialogflowES, lookup.invoke(t, apiEvent(t, path, env))); status == 200 || bytes.Contains(body, []byte("I found")) {
			t.Errorf("an envelope as a webhook body was answered as its turn: HTTP %d %s", status, body)
		}
		// Directly, by a principal other than the router's role.
		ac := aws.Config{Region: os.Getenv("AWS_REGION"), Credentials: credentials.NewStaticCredentialsProvider("SOMEONEELSE", "secret", "")}
		before := calls["sb-lookupcustomer"]
		_, err = router.NewLambdaInvoker(router.NewLambdaClient(ac, fwd.URL)).Invoke(context.Background(), "sb-lookupcustomer", router.DefaultQualifier, env)
		if err == nil || !strings.Contains(err.Error(), "AccessDenied") || calls["sb-lookupcustomer"] != before {
			t.Errorf("an envelope invoked by another principal: %v (%d calls)", err, calls["sb-lookupcustomer"]-before)
		}
	})

	t.Run("init duration", func(t *testing.T) {
		baseInit, baseCold := hello.initMS(t), cold[hello]
		t.Logf("%-18s RIE Init Duration %6.2f ms, cold first invoke %6.2f ms", hello.name, baseInit, ms(baseCold))
		worst := 0.0
		for _, f := range all[1:] {
			init := f.initMS(t)
			ratio := ms(cold[f]) / ms(baseCold)
			worst = max(worst, ratio)
			line := fmt.Sprintf("%-18s RIE Init Duration %6.2f ms (hello %.2f ms, %.2fx), cold first invoke %6.2f ms (hello %.2f ms): %.2fx (target <= 1.5x)",
				f.name, init, baseInit, init/max(baseInit, 0.01), ms(cold[f]), ms(baseCold), ratio)
			t.Log(line)
			fmt.Println("lambda init", line)
		}
		// Performance is judged by `make bench` (median of alternating runs), never by a
		// timed test: a loaded machine makes a single cold start several times slower.
		t.Logf("worst cold start %.1fx the hello-world bootstrap (reported, not asserted)", worst)
	})
}

// The functions this suite builds are the ones `make build` ships: same tags.
func TestLambdaTagsMatchMakefile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "LAMBDA_TAGS"); ok {
			_, v, _ = strings.Cut(v, "=")
			if got := strings.TrimSpace(v); got != testenv.LambdaTags {
				t.Fatalf("Makefile LAMBDA_TAGS = %q, testenv.LambdaTags = %q", got, testenv.LambdaTags)
			}
			return
		}
	}
	t.Fatal("Makefile sets no LAMBDA_TAGS")
}

// Every function talks to AWS through the SDK's service clients (no hand-written AWS
// protocol code): with the Lambda build tags, each intent function links
// service/secretsmanager (the tools' secrets) and, if its turns use the store (a write's
// idempotency, one-time codes), service/dynamodb (a public read's never do:
// infra/stacks/linking_test.go holds which function links which client), the router
// service/lambda, and none links the SDK's configuration chain.
func TestFunctionsLinkTheSDKServiceClients(t *testing.T) {
	const sdk = "github.com/aws/aws-sdk-go-v2/"
	type fnLinks struct {
		fn   string
		want []string
	}
	cases := []fnLinks{{"router", []string{"service/lambda"}}}
	for _, in := range spec.All() {
		want := []string{"service/secretsmanager"}
		if in.Write || in.Codes() {
			want = append(want, "service/dynamodb")
		}
		cases = append(cases, fnLinks{in.Function, want})
	}
	for _, tc := range cases {
		cmd := exec.Command("go", "list", "-deps", "-tags", testenv.LambdaTags, "./functions/"+tc.fn)
		cmd.Dir = testenv.RepoRoot()
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", tc.fn, err)
		}
		deps := map[string]bool{}
		for _, p := range strings.Fields(string(out)) {
			deps[p] = true
		}
		for _, w := range tc.want {
			if !deps[sdk+w] {
				t.Errorf("%s does not link %s", tc.fn, sdk+w)
			}
		}
		if deps[sdk+"config"] {
			t.Errorf("%s links the SDK's configuration chain (%sconfig) despite lambdabuild", tc.fn, sdk)
		}
	}
}
