package smoke_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers" // every intent's handler
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/smoke"
)

// engineLambda answers Invoke with the demo app behind the Lambda handler the
// functions use (the real binaries under the RIE are in tests/smoke_test.go).
type engineLambda struct {
	handler func(context.Context, json.RawMessage) (any, error)
	mu      sync.Mutex
	seen    []string
}

func (e *engineLambda) Invoke(ctx context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	e.mu.Lock()
	e.seen = append(e.seen, aws.ToString(in.FunctionName))
	e.mu.Unlock()
	out, err := e.handler(ctx, in.Payload)
	if err != nil {
		return &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Unhandled"),
			Payload: []byte(`{"errorMessage":"` + err.Error() + `"}`)}, nil
	}
	b, _ := json.Marshal(out)
	return &lambda.InvokeOutput{StatusCode: 200, Payload: b}, nil
}

type recordingCodeDeploy struct {
	calls []codedeploy.PutLifecycleEventHookExecutionStatusInput
}

func (r *recordingCodeDeploy) PutLifecycleEventHookExecutionStatus(_ context.Context, in *codedeploy.PutLifecycleEventHookExecutionStatusInput,
	_ ...func(*codedeploy.Options)) (*codedeploy.PutLifecycleEventHookExecutionStatusOutput, error) {
	r.calls = append(r.calls, *in)
	return &codedeploy.PutLifecycleEventHookExecutionStatusOutput{}, nil
}

// webhookSecrets are the functions' webhook credentials in these tests; testAuth is
// how the smoke function presents them (as deployed: the same security.* settings).
var (
	webhookSecrets = secrets.Static{
		"switchboard/webhook/dialogflow":    {"username": "dialogflow", "password": "smoke-test-es-password"},
		"switchboard/webhook/dialogflow-cx": {"token": "smoke-test-cx-token"},
		"switchboard/webhook/rasa":          {"token": "smoke-test-rasa-token"},
	}
	webhookEnv = []string{
		"SWITCHBOARD_SECURITY_DIALOGFLOW_METHOD=basic", "SWITCHBOARD_SECURITY_DIALOGFLOW_SECRET=switchboard/webhook/dialogflow",
		"SWITCHBOARD_SECURITY_DIALOGFLOW_CX_METHOD=header", "SWITCHBOARD_SECURITY_DIALOGFLOW_CX_SECRET=switchboard/webhook/dialogflow-cx",
		"SWITCHBOARD_SECURITY_RASA_METHOD=token", "SWITCHBOARD_SECURITY_RASA_SECRET=switchboard/webhook/rasa",
	}
	testAuth = func() *smoke.WebhookAuth {
		cfg, err := config.Load("", webhookEnv)
		if err != nil {
			panic(err)
		}
		return &smoke.WebhookAuth{Webhooks: wiring.Webhooks(cfg.Security), Secrets: webhookSecrets}
	}()
)

func demo(t *testing.T, mutate func(*config.Config)) *engineLambda {
	t.Helper()
	cfg, err := config.Load("", append([]string{"SWITCHBOARD_DATA_DIR=" + t.TempDir()}, webhookEnv...))
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(&cfg)
	}
	a, err := app.Build(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Secrets: webhookSecrets})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &engineLambda{handler: lambdafn.Handler(a.Engine, 0)}
}

// TestWithoutCredentialsRefused: the functions are closed by default, so a smoke run
// that does not present the webhook credentials fails every HTTP platform (Lex: IAM).
func TestWithoutCredentialsRefused(t *testing.T) {
	fn := demo(t, nil)
	r := &smoke.Runner{Lambda: fn, Targets: []smoke.Target{{Intent: conversation.SearchKB, Platform: conversation.Rasa, Function: "sb:7"},
		{Intent: conversation.SearchKB, Platform: conversation.LexV2, Function: "sb:7"}}}
	rep, _ := r.Handle(context.Background(), json.RawMessage(`{"switchboard":"synthetic"}`))
	var rasaRefused, lexOK bool
	for _, res := range rep.Results {
		rasaRefused = rasaRefused || (res.Platform == conversation.Rasa && !res.OK && strings.Contains(res.Reason, "401"))
		lexOK = lexOK || (res.Platform == conversation.LexV2 && res.OK)
	}
	if !rasaRefused || !lexOK {
		t.Fatalf("without credentials: %+v", rep)
	}
}

// smoked are the platforms the smoke test exercises (not Smoke.Unsupported).
func isWrite(in conversation.Intent) bool {
	i, _ := spec.Lookup(string(in))
	return i.Write
}

func smoked() []conversation.Platform {
	var out []conversation.Platform
	for _, e := range platform.Entries() {
		if e.Smoke.Unsupported == "" {
			out = append(out, e.Platform())
		}
	}
	return out
}

// writeTargets counts the targets of intents that write (create_ticket,
// update_customer): never probed, skipped without a sandbox.
func writeTargets(ts []smoke.Target) int {
	n := 0
	for _, t := range ts {
		if i, _ := spec.Lookup(string(t.Intent)); i.Write {
			n++
		}
	}
	return n
}

func allTargets(fn string) []smoke.Target {
	var ts []smoke.Target
	for _, in := range conversation.Intents {
		for _, p := range smoked() {
			ts = append(ts, smoke.Target{Intent: in, Platform: p, Function: fn})
		}
	}
	return ts
}

func TestTargetsRoundTrip(t *testing.T) {
	ts := allTargets("arn:aws:lambda:eu-west-1:123456789012:function:sb-x:7")
	got, err := smoke.ParseTargets(smoke.FormatTargets(ts))
	if err != nil || len(got) != len(ts) || got[5] != ts[5] {
		t.Fatalf("round trip: %v %v", got, err)
	}
	for _, bad := range []string{"", "lookup_customer=arn", "nope/lex=arn", "lookup_customer/telegram=arn", "search_kb/lex="} {
		if _, err := smoke.ParseTargets(bad); err == nil {
			t.Errorf("ParseTargets(%q) accepted", bad)
		}
	}
}

func TestEventUsesProfileAndFreshIDs(t *testing.T) {
	prof := smoke.Profile{Email: "smoke@example.org", PaymentRef: "pi_smoke", Query: "billing address"}
	for _, in := range conversation.Intents {
		for _, p := range conversation.Platforms {
			if e, _ := platform.Lookup(p); e.Smoke.Unsupported != "" {
				continue // reported skipped by the runner (TestHookPassesOnDemo)
			}
			a, err := smoke.Event(p, in, prof, "run1")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := smoke.Event(p, in, prof, "run2")
			if bytes.Contains(a, []byte("ada@example.com")) || bytes.Contains(a, []byte("pi_demo_ada_1")) || bytes.Contains(a, []byte("reset my password")) {
				t.Errorf("%s/%s still carries the sample's values: %s", p, in, a)
			}
			if !bytes.Contains(a, []byte("switchboard-smoke-run1")) || bytes.Equal(a, b) {
				t.Errorf("%s/%s: ids not fresh per run", p, in)
			}
		}
	}
}

// The demo backend answers every intent on every platform; the hook reports Succeeded.
func TestHookPassesOnDemo(t *testing.T) {
	fn := demo(t, nil)
	cd := &recordingCodeDeploy{}
	r := &smoke.Runner{Auth: testAuth, Mint: demoMint, Lambda: fn, CodeDeploy: cd, Targets: allTargets("sb:7"),
		Profile: smoke.Profile{Name: "Ada Lovelace", Plan: "Enterprise", ArticleTitle: "How to reset your password", TicketSandbox: "demo helpdesk"}}
	sum, err := r.Handle(context.Background(), json.RawMessage(`{"DeploymentId":"d-ABC","LifecycleEventHookExecutionId":"hook-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	// Each conversation twice (the smoke customer, and a probe no cache can answer),
	// but a write is never made for a probe.
	if sum.Failed != 0 || sum.Passed != 2*len(r.Targets)-writeTargets(r.Targets) {
		t.Fatalf("%+v", sum)
	}
	if len(cd.calls) != 1 || cd.calls[0].Status != cdtypes.LifecycleEventStatusSucceeded ||
		aws.ToString(cd.calls[0].DeploymentId) != "d-ABC" || aws.ToString(cd.calls[0].LifecycleEventHookExecutionId) != "hook-1" {
		t.Fatalf("CodeDeploy calls: %+v", cd.calls)
	}
}

// Known truth that the answer does not say fails the hook; a create-ticket target
// without a sandbox is skipped with its reason.
func TestHookFailsOnWrongTruthAndSkipsTickets(t *testing.T) {
	fn := demo(t, nil)
	cd := &recordingCodeDeploy{}
	r := &smoke.Runner{Auth: testAuth, Mint: demoMint, Lambda: fn, CodeDeploy: cd, Targets: allTargets("sb:7"), Profile: smoke.Profile{Plan: "Starter"}}
	sum, err := r.Hook(context.Background(), smoke.HookEvent{DeploymentID: "d-1", LifecycleEventHookExecutionID: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if cd.calls[0].Status != cdtypes.LifecycleEventStatusFailed || sum.Failed != len(smoked()) || sum.Skipped != writeTargets(r.Targets) {
		t.Fatalf("%+v", sum)
	}
	for _, res := range sum.Results {
		switch {
		case isWrite(res.Intent) && (!res.Skipped || !strings.Contains(res.Reason, "sandbox")):
			t.Errorf("write %s: %+v", res.Intent, res)
		case res.Intent == conversation.LookupCustomer && !res.Probe && !strings.Contains(res.Reason, `"Starter"`):
			t.Errorf("lookup: %+v", res)
		case res.Intent == conversation.LookupCustomer && res.Probe && (!res.OK || !strings.Contains(fmt.Sprint(fn.seen), "sb:7")):
			t.Errorf("lookup: %+v", res)
		}
	}
	for _, id := range fn.seen {
		if id == "" {
			t.Fatal("invoked without a function name")
		}
	}
}

// A version whose tool fails answers politely; the smoke test sees the failure.
func TestHookFailsOnApology(t *testing.T) {
	fn := demo(t, func(c *config.Config) { c.Connectors.KB = config.ToolNone })
	cd := &recordingCodeDeploy{}
	targets := []smoke.Target{{Intent: conversation.SearchKB, Platform: conversation.DialogflowES, Function: "x"},
		{Intent: conversation.SearchKB, Platform: conversation.LexV2, Function: "x"}}
	r := &smoke.Runner{Auth: testAuth, Mint: demoMint, Lambda: fn, CodeDeploy: cd, Targets: targets}
	sum, _ := r.Hook(context.Background(), smoke.HookEvent{DeploymentID: "d", LifecycleEventHookExecutionID: "h"})
	if sum.Failed != 4 || cd.calls[0].Status != cdtypes.LifecycleEventStatusFailed {
		t.Fatalf("%+v", sum)
	}
}

func TestSyntheticWritesEMF(t *testing.T) {
	fn := demo(t, nil)
	var out bytes.Buffer
	r := &smoke.Runner{Auth: testAuth, Mint: demoMint, Lambda: fn, Targets: allTargets("sb:live"), Service: "sb", Metrics: &out}
	sum, err := r.Handle(context.Background(), json.RawMessage(`{"switchboard":"synthetic"}`))
	if err != nil || sum.Failed != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != sum.Passed {
		t.Fatalf("%d EMF lines for %d conversations", len(lines), sum.Passed)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["SyntheticSuccess"] != 1.0 || doc["Service"] != "sb" || doc["Platform"] == nil || doc["_aws"] == nil {
		t.Fatalf("EMF: %s", lines[0])
	}
	if _, err := r.Handle(context.Background(), json.RawMessage(`{"hello":1}`)); err == nil {
		t.Fatal("an unknown event was accepted")
	}
}

func TestNoTargetsFailsHook(t *testing.T) {
	cd := &recordingCodeDeploy{}
	r := &smoke.Runner{Auth: testAuth, Lambda: &engineLambda{}, CodeDeploy: cd}
	if _, err := r.Hook(context.Background(), smoke.HookEvent{DeploymentID: "d", LifecycleEventHookExecutionID: "h"}); err != nil {
		t.Fatal(err)
	}
	if cd.calls[0].Status != cdtypes.LifecycleEventStatusFailed {
		t.Fatalf("%+v", cd.calls)
	}
}

// hangingLambda never answers before the caller gives up.
type hangingLambda struct{}

func (hangingLambda) Invoke(ctx context.Context, _ *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A version that hangs still gets its verdict: the conversations stop before the
// handler's deadline and Failed is reported with the time kept for it.
func TestHangingVersionIsReportedFailed(t *testing.T) {
	cd := &recordingCodeDeploy{}
	r := &smoke.Runner{Auth: testAuth, Lambda: hangingLambda{}, CodeDeploy: cd, Targets: allTargets("sb:7")}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	sum, err := r.Hook(ctx, smoke.HookEvent{DeploymentID: "d", LifecycleEventHookExecutionID: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cd.calls) != 1 || cd.calls[0].Status != cdtypes.LifecycleEventStatusFailed || sum.Passed != 0 {
		t.Fatalf("%+v %+v", sum, cd.calls)
	}
}

// demoMint signs the smoke customer in with the demo key, which the demo stack accepts
// (a deployed smoke function signs with the identity token key from Secrets Manager).
func demoMint(_ context.Context, email string) (string, error) {
	return identity.Mint([]byte(identity.DemoKey), email, "", "", "", time.Now(), 5*time.Minute)
}

// A platform the smoke test cannot exercise yet is reported skipped with its reason,
// never passed.
func TestUnsupportedPlatformIsSkipped(t *testing.T) {
	fn := demo(t, nil)
	var ts []smoke.Target
	for _, e := range platform.Entries() {
		if e.Smoke.Unsupported != "" {
			ts = append(ts, smoke.Target{Intent: conversation.SearchKB, Platform: e.Platform(), Function: "sb:7"})
		}
	}
	if len(ts) == 0 {
		t.Skip("every platform is smoke-tested")
	}
	r := &smoke.Runner{Auth: testAuth, Mint: demoMint, Lambda: fn, CodeDeploy: &recordingCodeDeploy{}, Targets: ts}
	sum, err := r.Hook(context.Background(), smoke.HookEvent{DeploymentID: "d-1", LifecycleEventHookExecutionID: "h"})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range sum.Results {
		if !res.Skipped || res.OK || !strings.Contains(res.Reason, "smoke skipped") {
			t.Errorf("%+v", res)
		}
	}
	if sum.Passed != 0 || sum.Skipped != 2*len(ts) {
		t.Errorf("%+v", sum)
	}
}
