package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/smoke"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// codeDeployStandIn answers PutLifecycleEventHookExecutionStatus as CodeDeploy would,
// after checking the request is the SDK's real one (moto has no CodeDeploy hook API and
// answers it with a 500): the JSON 1.1 target header, a SigV4 Authorization scoped to
// codedeploy, and the body's three fields.
type codeDeployStandIn struct {
	srv  *httptest.Server
	mu   sync.Mutex
	errs []string
	hook []map[string]string
}

var codeDeployAuth = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=test/\d{8}/eu-west-1/codedeploy/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$`)

func newCodeDeployStandIn(t *testing.T) *codeDeployStandIn {
	c := &codeDeployStandIn{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		defer c.mu.Unlock()
		fail := func(format string, args ...any) {
			c.errs = append(c.errs, fmt.Sprintf(format, args...))
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":"ValidationException","message":%q}`, fmt.Sprintf(format, args...))
		}
		if r.Method != http.MethodPost || r.URL.Path != "/" {
			fail("%s %s, want POST /", r.Method, r.URL.Path)
			return
		}
		if got := r.Header.Get("X-Amz-Target"); got != "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus" {
			fail("X-Amz-Target %q", got)
			return
		}
		if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
			fail("Content-Type %q", got)
			return
		}
		if got := r.Header.Get("Authorization"); !codeDeployAuth.MatchString(got) {
			fail("Authorization %q is not SigV4 for codedeploy", got)
			return
		}
		var in map[string]string
		if err := json.Unmarshal(body, &in); err != nil {
			fail("body %s: %v", body, err)
			return
		}
		if in["deploymentId"] == "" || in["lifecycleEventHookExecutionId"] == "" ||
			(in["status"] != "Succeeded" && in["status"] != "Failed") || len(in) != 3 {
			fail("body %s: want deploymentId, lifecycleEventHookExecutionId and status Succeeded|Failed", body)
			return
		}
		c.hook = append(c.hook, in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprintf(w, `{"lifecycleEventHookExecutionId":%q}`, in["lifecycleEventHookExecutionId"])
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *codeDeployStandIn) reports() ([]map[string]string, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.hook), slices.Clone(c.errs)
}

// versionsStandIn speaks the Lambda Invoke API for the smoke function: FunctionName
// (an ARN with its version qualifier) names which RIE instance answers, as the Lambda
// service would run that version. An RIE is one sandbox, which runs one invoke at a
// time (Lambda would start more sandboxes): the smoke function's parallel
// conversations queue here.
func versionsStandIn(t *testing.T, versions map[string]*rie, calls map[string]int, mu *sync.Mutex) *httptest.Server {
	sandbox := map[*rie]*sync.Mutex{}
	for _, f := range versions {
		sandbox[f] = &sync.Mutex{}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, _ := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
		name, _ = strings.CutSuffix(name, "/invocations")
		if q := r.URL.Query().Get("Qualifier"); q != "" {
			name += ":" + q
		}
		f, ok := versions[name]
		if !ok || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=test/") {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"Type":"User","message":"Function not found: %s"}`, name)
			return
		}
		mu.Lock()
		calls[name]++
		mu.Unlock()
		sandbox[f].Lock()
		defer sandbox[f].Unlock()
		resp, err := http.Post(f.url, "application/json", r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSmokeHookRIE runs the smoke function's real bootstrap under the RIE as CodeDeploy
// runs a BeforeAllowTraffic hook, against real function bootstraps (also under the RIE)
// on the production tools' stand-ins: a good version of lookupcustomer passes and is
// reported Succeeded; a broken build of it (its CRM endpoint wrong) fails and is
// reported Failed; create-ticket smoke without a sandbox is skipped, never invoked.
func TestSmokeHookRIE(t *testing.T) {
	rieBin, ok := testenv.LookPath("aws-lambda-rie")
	if !ok {
		testenv.Missing(t, "aws-lambda-rie", "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@latest (make tool-rie)")
	}
	bin := t.TempDir()
	cmd := exec.Command("go", "build", "-tags", testenv.LambdaTags, "-trimpath", "-ldflags=-s -w", "-o", bin+"/",
		"./functions/smoke", "./functions/lookupcustomer", "./functions/searchkb")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	common := productionEnv(t)
	data := t.TempDir()
	fnEnv := func(fn string, in conversation.Intent, extra ...string) []string {
		env := append(slices.Clone(common), "SWITCHBOARD_DATA_DIR="+filepath.Join(data, fn+fmt.Sprint(len(extra))),
			"SWITCHBOARD_INTENTS_ENABLED="+string(in))
		for _, c := range []string{"customers", "tickets", "payments", "kb"} {
			tool := "none"
			if slices.Contains(functionUses[fn], c) {
				tool = productionTools[c]
			}
			env = append(env, "SWITCHBOARD_CONNECTORS_"+strings.ToUpper(c)+"="+tool)
		}
		return append(env, extra...)
	}
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:"
	good := startRIE(t, rieBin, "sb-lookupcustomer", filepath.Join(bin, "lookupcustomer"), fnEnv("lookupcustomer", conversation.LookupCustomer))
	// The broken build: the same binary with its CRM at a closed port, as a version
	// deployed with a wrong tool endpoint would be. It answers every turn politely
	// ("one of our systems isn't responding") and never raises a Lambda error. It shares
	// the good version's table, as two versions of one function do: the smoke
	// customer's profile is in the read cache by then, and only the probe (a customer
	// no cache holds) shows that this version cannot reach the CRM.
	broken := startRIE(t, rieBin, "sb-lookupcustomer-broken", filepath.Join(bin, "lookupcustomer"),
		fnEnv("lookupcustomer", conversation.LookupCustomer, fmt.Sprintf("SWITCHBOARD_CONNECTORS_HUBSPOT_BASE_URL=http://127.0.0.1:%d", testenv.FreePort(t))))
	kb := startRIE(t, rieBin, "sb-searchkb", filepath.Join(bin, "searchkb"), fnEnv("searchkb", conversation.SearchKB))
	versions := map[string]*rie{
		arn + "sb-lookupcustomer:2": good,
		arn + "sb-lookupcustomer:3": broken,
		arn + "sb-searchkb:5":       kb,
	}
	var mu sync.Mutex
	calls := map[string]int{}
	lam := versionsStandIn(t, versions, calls, &mu)
	cd := newCodeDeployStandIn(t)

	ada := connectortest.AdaCustomer()
	profile := []string{
		smoke.EnvEmail + "=" + ada.Email, smoke.EnvName + "=" + ada.Name(), smoke.EnvPlan + "=" + ada.Plan,
		smoke.EnvArticleTitle + "=How to reset your password", smoke.EnvService + "=sb",
		"AWS_ENDPOINT_URL_LAMBDA=" + lam.URL, "AWS_ENDPOINT_URL_CODEDEPLOY=" + cd.srv.URL,
	}
	// The smoke function presents the webhook credentials the functions check (the
	// same security.* settings and secrets, as the CDK app gives it), and signs the
	// smoke customer in with the identity token key from Secrets Manager: without it
	// every lookup would get the neutral answer and a broken version could not be told
	// from a good one. It runs in startRIE's region (eu-west-1; the CodeDeploy and
	// Lambda stand-ins check it), and moto keeps secrets per region: its copies of the
	// webhook secrets and the key live there.
	var secretPrefix string
	for _, kv := range common {
		for _, k := range []string{"SWITCHBOARD_SECURITY_", "SWITCHBOARD_CONNECTORS_SECRETS_", "SWITCHBOARD_IDENTITY_TOKEN_SECRET_ID="} {
			if strings.HasPrefix(kv, k) {
				profile = append(profile, kv)
			}
		}
		if v, ok := strings.CutPrefix(kv, "SWITCHBOARD_CONNECTORS_SECRETS_PREFIX="); ok {
			secretPrefix = v
			putWebhookSecretsIn(t, "eu-west-1", v)
		}
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	putSecrets(t, testenv.Moto(t), secretPrefix, map[string]secrets.Secret{"switchboard/identity": {"key": e2eTokenKey}})
	targets := func(in conversation.Intent, fn string) []smoke.Target {
		var ts []smoke.Target
		for _, p := range webhookPlatforms() {
			ts = append(ts, smoke.Target{Intent: in, Platform: p, Function: fn})
		}
		return ts
	}
	hook := func(t *testing.T, name string, ts []smoke.Target) smoke.Summary {
		t.Helper()
		env := append(slices.Clone(profile), smoke.EnvTargets+"="+smoke.FormatTargets(ts))
		s := startRIE(t, rieBin, name, filepath.Join(bin, "smoke"), env)
		out := s.invoke(t, []byte(fmt.Sprintf(`{"DeploymentId":"d-%s","LifecycleEventHookExecutionId":"hook-%s"}`, name, name)))
		var sum smoke.Summary
		if err := json.Unmarshal(out, &sum); err != nil || sum.Mode == "" {
			t.Fatalf("smoke answered %s\n%s", out, s.proc.LogTail())
		}
		return sum
	}
	reported := func(t *testing.T, id string) string {
		t.Helper()
		hooks, errs := cd.reports()
		if len(errs) > 0 {
			t.Fatalf("CodeDeploy stand-in rejected the SDK's request: %v", errs)
		}
		for _, h := range hooks {
			if h["lifecycleEventHookExecutionId"] == "hook-"+id {
				if h["deploymentId"] != "d-"+id {
					t.Fatalf("reported %v", h)
				}
				return h["status"]
			}
		}
		t.Fatalf("no status reported for hook-%s (reports: %v)", id, hooks)
		return ""
	}

	t.Run("good version passes", func(t *testing.T) {
		ts := append(targets(conversation.LookupCustomer, arn+"sb-lookupcustomer:2"), targets(conversation.SearchKB, arn+"sb-searchkb:5")...)
		// Create ticket has no sandbox here: skipped with the reason, never invoked.
		ts = append(ts, smoke.Target{Intent: conversation.CreateTicket, Platform: conversation.LexV2, Function: arn + "sb-createticket:9"})
		sum := hook(t, "good", ts)
		// Each conversation twice: the smoke customer, and the probe no cache answers.
		if sum.Status != "Succeeded" || sum.Failed != 0 || sum.Passed != 4*len(webhookPlatforms()) || sum.Skipped != 1 {
			t.Fatalf("%+v\n%s", sum, good.proc.LogTail())
		}
		last := sum.Results[len(sum.Results)-1]
		if !last.Skipped || !strings.Contains(last.Reason, "sandbox") {
			t.Errorf("create ticket: %+v", last)
		}
		if got := reported(t, "good"); got != "Succeeded" {
			t.Fatalf("reported %s", got)
		}
		mu.Lock()
		defer mu.Unlock()
		if calls[arn+"sb-lookupcustomer:2"] != 2*len(webhookPlatforms()) || calls[arn+"sb-lookupcustomer:3"] != 0 || calls[arn+"sb-createticket:9"] != 0 {
			t.Fatalf("invoked %v", calls)
		}
	})

	t.Run("broken build fails", func(t *testing.T) {
		sum := hook(t, "broken", targets(conversation.LookupCustomer, arn+"sb-lookupcustomer:3"))
		if sum.Status != "Failed" || sum.Failed == 0 {
			t.Fatalf("%+v", sum)
		}
		for _, r := range sum.Results {
			if !r.Probe {
				continue // the smoke customer may be answered from the read cache
			}
			if r.OK || !strings.Contains(r.Reason, "isn't responding") {
				t.Errorf("%s probe: %+v, want the apology the user would have heard", r.Platform, r)
			}
		}
		if got := reported(t, "broken"); got != "Failed" {
			t.Fatalf("reported %s", got)
		}
	})

	t.Run("wrong truth fails", func(t *testing.T) {
		// The version answers, but not what the CRM knows about the smoke customer.
		env := append(slices.Clone(profile), smoke.EnvPlan+"=Starter",
			smoke.EnvTargets+"="+smoke.FormatTargets(targets(conversation.LookupCustomer, arn+"sb-lookupcustomer:2")))
		s := startRIE(t, rieBin, "truth", filepath.Join(bin, "smoke"), env)
		out := s.invoke(t, []byte(`{"switchboard":"synthetic"}`))
		var sum smoke.Summary
		if err := json.Unmarshal(out, &sum); err != nil || sum.Failed != len(webhookPlatforms()) || sum.Passed != len(webhookPlatforms()) {
			t.Fatalf("%s %v", out, err)
		}
		// The synthetic run wrote SyntheticSuccess 0 for each platform (EMF on stdout).
		log, _ := os.ReadFile(s.proc.Log.Name())
		if n := strings.Count(string(log), `"SyntheticSuccess":0`); n != len(webhookPlatforms()) {
			t.Fatalf("%d SyntheticSuccess=0 documents in the log:\n%s", n, s.proc.LogTail())
		}
	})
}

// putWebhookSecretsIn stores the RIE deployment's webhook secrets in moto under prefix,
// in region.
func putWebhookSecretsIn(t *testing.T, region, prefix string) {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(region))
	if err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	for id, sec := range map[string]map[string]string{
		"switchboard/webhook/dialogflow":    {"username": "dialogflow", "password": webhookCreds.esPassword},
		"switchboard/webhook/dialogflow-cx": {"token": webhookCreds.cxToken},
		"switchboard/webhook/rasa":          {"token": webhookCreds.rasaToken},
	} {
		raw, _ := json.Marshal(sec)
		if _, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
			Name: aws.String(prefix + id), SecretString: aws.String(string(raw))}); err != nil {
			t.Fatalf("create secret %s in %s: %v", id, region, err)
		}
	}
}
