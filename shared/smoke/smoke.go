package smoke

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/switchboard-dev/switchboard/shared/contract/envnames"
	"github.com/switchboard-dev/switchboard/shared/contract/smoketarget"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// Environment variables of the smoke function (the CDK app sets them); their names
// are in shared/contract/envnames, which infra reads too.
const (
	// EnvTargets lists what to invoke: intent/platform=function (a version or alias
	// ARN), comma-separated.
	EnvTargets       = envnames.SmokeTargets
	EnvEmail         = envnames.SmokeEmail
	envPaymentRef    = envnames.SmokePaymentRef
	envQuery         = envnames.SmokeQuery
	EnvName          = envnames.SmokeExpectName
	EnvPlan          = envnames.SmokeExpectPlan
	EnvArticleTitle  = envnames.SmokeExpectArticle
	envTicketSandbox = envnames.SmokeTicketSandbox
	EnvService       = envnames.Service
)

// ProfileFromEnv reads the smoke customer from the environment.
func ProfileFromEnv(getenv func(string) string) Profile {
	return Profile{
		Email: getenv(EnvEmail), PaymentRef: getenv(envPaymentRef), Query: getenv(envQuery),
		Name: getenv(EnvName), Plan: getenv(EnvPlan), ArticleTitle: getenv(EnvArticleTitle),
		TicketSandbox: getenv(envTicketSandbox),
	}
}

// Target is one conversation to hold: an intent's sample event for a platform, sent to
// a function (a version ARN before traffic shifts, an alias ARN on the schedule).
type Target = smoketarget.Target

// FormatTargets is the inverse of ParseTargets.
func FormatTargets(ts []Target) string { return smoketarget.Format(ts) }

// ParseTargets reads "intent/platform=function,…".
func ParseTargets(s string) ([]Target, error) { return smoketarget.Parse(s) }

// LambdaAPI is the part of the Lambda client the smoke test uses.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// CodeDeployAPI is the part of the CodeDeploy client the hook uses.
type CodeDeployAPI interface {
	PutLifecycleEventHookExecutionStatus(ctx context.Context, in *codedeploy.PutLifecycleEventHookExecutionStatusInput,
		opts ...func(*codedeploy.Options)) (*codedeploy.PutLifecycleEventHookExecutionStatusOutput, error)
}

// Runner holds the conversations and reports them.
type Runner struct {
	Lambda     LambdaAPI
	CodeDeploy CodeDeployAPI
	Targets    []Target
	Profile    Profile
	Service    string    // the Service dimension of the synthetic metrics
	Metrics    io.Writer // EMF lines (a Lambda function's stdout)
	Log        *slog.Logger
	// Auth presents the platforms' webhook credentials (nil: none, for functions
	// whose webhooks are open by name).
	Auth *WebhookAuth
	// Mint signs an identity token for an email (nil: the conversations are anonymous,
	// and lookups and payment checks are expected to give the neutral answer).
	Mint func(ctx context.Context, email string) (string, error)
}

// Result is one conversation's verdict.
type Result struct {
	Intent   conversation.Intent   `json:"intent"`
	Platform conversation.Platform `json:"platform"`
	Function string                `json:"function"`
	// Probe marks the conversation about a customer, payment or search that exists
	// nowhere: no cache holds its answer, so it proves the version reaches the tool.
	Probe     bool    `json:"probe,omitempty"`
	OK        bool    `json:"ok"`
	Skipped   bool    `json:"skipped,omitempty"`
	Reason    string  `json:"reason,omitempty"`
	LatencyMS float64 `json:"latency_ms"`
}

// Summary is what the handler returns (and logs).
type Summary struct {
	Mode    string   `json:"mode"` // "hook" or "synthetic"
	Status  string   `json:"status,omitempty"`
	Passed  int      `json:"passed"`
	Failed  int      `json:"failed"`
	Skipped int      `json:"skipped"`
	Results []Result `json:"results"`
}

// HookEvent is what CodeDeploy sends a lifecycle hook function.
type HookEvent struct {
	DeploymentID                  string `json:"DeploymentId"`
	LifecycleEventHookExecutionID string `json:"LifecycleEventHookExecutionId"`
}

// syntheticEvent is the input the schedule sends ({"switchboard":"synthetic"}).
type syntheticEvent struct {
	Switchboard string `json:"switchboard"`
}

// errUnknownEvent is returned for an event that is neither a CodeDeploy hook nor the
// synthetic schedule's.
var errUnknownEvent = errors.New("smoke: event is neither a CodeDeploy lifecycle hook nor {\"switchboard\":\"synthetic\"}")

// Handle is the Lambda handler: a CodeDeploy lifecycle hook runs every target and
// reports Succeeded or Failed to CodeDeploy before returning; the synthetic schedule
// runs every target and writes the metrics.
func (r *Runner) Handle(ctx context.Context, raw json.RawMessage) (Summary, error) {
	var hook HookEvent
	var syn syntheticEvent
	switch {
	case json.Unmarshal(raw, &hook) == nil && hook.DeploymentID != "" && hook.LifecycleEventHookExecutionID != "":
		return r.Hook(ctx, hook)
	case json.Unmarshal(raw, &syn) == nil && syn.Switchboard == "synthetic":
		return r.Synthetic(ctx), nil
	}
	return Summary{}, errUnknownEvent
}

// Hook runs the smoke test for a deployment and reports the verdict. A target list
// that cannot be run (none configured) fails the deployment: an untested version
// does not take traffic.
func (r *Runner) Hook(ctx context.Context, ev HookEvent) (Summary, error) {
	sum := r.run(ctx, "hook")
	status := cdtypes.LifecycleEventStatusSucceeded
	if sum.Failed > 0 || sum.Passed+sum.Skipped == 0 {
		status = cdtypes.LifecycleEventStatusFailed
	}
	sum.Status = string(status)
	r.logSummary(ctx, sum, slog.String("deployment_id", ev.DeploymentID))
	// Reported before returning: on Lambda nothing runs after the handler returns, and
	// a hook that never reports holds the deployment for an hour.
	_, err := r.CodeDeploy.PutLifecycleEventHookExecutionStatus(ctx, &codedeploy.PutLifecycleEventHookExecutionStatusInput{
		DeploymentId:                  aws.String(ev.DeploymentID),
		LifecycleEventHookExecutionId: aws.String(ev.LifecycleEventHookExecutionID),
		Status:                        status,
	})
	if err != nil {
		return sum, fmt.Errorf("smoke: reporting %s to CodeDeploy: %w", status, err)
	}
	return sum, nil
}

// Synthetic runs every target and writes SyntheticSuccess (1 or 0) and
// SyntheticLatency per intent and platform. Skipped conversations write nothing.
func (r *Runner) Synthetic(ctx context.Context) Summary {
	sum := r.run(ctx, "synthetic")
	for _, res := range sum.Results {
		if !res.Skipped {
			r.emit(res)
		}
	}
	r.logSummary(ctx, sum)
	return sum
}

// parallel bounds the conversations in flight: the router's hook holds every enabled
// intent on every platform, twice, and a hanging version must not use up the hook's
// whole timeout one conversation after another.
const parallel = 8

// reportReserve is kept from the handler's deadline (at most a quarter of what is
// left) for the report to CodeDeploy: a hook that never reports holds the deployment
// for an hour.
const reportReserve = 15 * time.Second

func (r *Runner) run(ctx context.Context, mode string) Summary {
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-min(reportReserve, time.Until(dl)/4)))
		defer cancel()
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	run := hex.EncodeToString(id[:])
	type job struct {
		t     Target
		run   string
		probe bool
	}
	var jobs []job
	for i, t := range r.Targets {
		// The smoke customer's answers may come from the read cache (customers for 10
		// minutes, searches for 30), filled by the version before: the probe asks for
		// what no cache holds (not-found answers are never cached), so a version that
		// cannot reach its tool fails even then.
		for _, probe := range []bool{false, true} {
			if probe && isWrite(t.Intent) {
				continue
			}
			jobs = append(jobs, job{t, fmt.Sprintf("%s-%d", run, i), probe})
		}
	}
	results := make([]Result, len(jobs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = r.one(ctx, j.t, j.run, j.probe)
		}()
	}
	wg.Wait()
	sum := Summary{Mode: mode, Results: results}
	for _, res := range results {
		switch {
		case res.Skipped:
			sum.Skipped++
		case res.OK:
			sum.Passed++
		default:
			sum.Failed++
		}
	}
	return sum
}

// probeProfile is a customer, payment and search that exist nowhere, unique per run.
func probeProfile(run string) Profile {
	return Profile{Email: "switchboard-smoke-" + run + "@example.com", PaymentRef: "pi_switchboard_smoke_" + strings.ReplaceAll(run, "-", "_"),
		Query: "switchboard smoke probe " + run}
}

func (r *Runner) one(ctx context.Context, t Target, run string, probe bool) Result {
	res := Result{Intent: t.Intent, Platform: t.Platform, Function: t.Function, Probe: probe}
	prof := r.Profile
	if probe {
		prof = probeProfile(run)
		run += "-probe"
	}
	if r.Mint != nil {
		// Signed in as the smoke customer (or the probe's nobody), as a site would.
		tok, err := r.Mint(ctx, or(prof.Email, sampleEmail))
		if err != nil {
			res.Reason = "identity token: " + err.Error()
			return res
		}
		prof.IdentityToken = tok
	}
	if e, ok := platform.Lookup(t.Platform); ok && e.Smoke.Unsupported != "" {
		res.Skipped = true
		res.Reason = "smoke skipped: " + e.Smoke.Unsupported
		return res
	}
	if isWrite(t.Intent) && r.Profile.TicketSandbox == "" {
		res.Skipped = true
		res.Reason = string(t.Intent) + " smoke skipped: no sandbox is configured (smokeTicketSandbox), " +
			"and the function would write to its real tool"
		return res
	}
	ev, err := Event(t.Platform, t.Intent, prof, run)
	if err == nil && r.Auth != nil {
		ev, err = r.Auth.Sign(ctx, t.Platform, ev)
	}
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	start := time.Now()
	out, err := r.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(t.Function), Payload: ev})
	res.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	switch {
	case err != nil:
		res.Reason = "invoke: " + err.Error()
		return res
	case out.FunctionError != nil:
		res.Reason = fmt.Sprintf("function error %s: %.300s", aws.ToString(out.FunctionError), out.Payload)
		return res
	}
	reply, err := ReadReply(t.Platform, out.Payload)
	if err == nil {
		err = Expect(t.Platform, t.Intent, prof, reply)
	}
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	res.OK = true
	return res
}

func (r *Runner) logSummary(ctx context.Context, sum Summary, attrs ...slog.Attr) {
	if r.Log == nil {
		return
	}
	level := slog.LevelInfo
	if sum.Failed > 0 || sum.Status == string(cdtypes.LifecycleEventStatusFailed) {
		level = slog.LevelError
	}
	for _, res := range sum.Results {
		l := slog.LevelInfo
		if !res.OK && !res.Skipped {
			l = slog.LevelError
		}
		r.Log.LogAttrs(ctx, l, "smoke conversation", slog.String("mode", sum.Mode), slog.String("intent", string(res.Intent)),
			slog.String("platform", string(res.Platform)), slog.String("function", res.Function), slog.Bool("probe", res.Probe), slog.Bool("ok", res.OK),
			slog.Bool("skipped", res.Skipped), slog.String("reason", res.Reason), slog.Float64("latency_ms", res.LatencyMS))
	}
	attrs = append(attrs, slog.String("mode", sum.Mode), slog.String("status", sum.Status),
		slog.Int("passed", sum.Passed), slog.Int("failed", sum.Failed), slog.Int("skipped", sum.Skipped))
	r.Log.LogAttrs(ctx, level, "smoke result", attrs...)
}

// Synthetic metric names and the dimension they add to Switchboard's
// (shared/telemetry/metricdefs, which the CDK app's alarms read too).
const (
	MetricSuccess = metricdefs.SyntheticSuccess
	MetricLatency = metricdefs.SyntheticLatency
	dimPlatform   = metricdefs.DimPlatform
)

// emit writes one EMF document: the metrics per {Service, Intent, Platform} and rolled
// up per {Service, Intent}, which the alarms watch.
func (r *Runner) emit(res Result) {
	if r.Metrics == nil {
		return
	}
	ok := 0
	if res.OK {
		ok = 1
	}
	doc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": time.Now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace": metricdefs.Namespace,
				"Dimensions": [][]string{
					{metricdefs.DimService, metricdefs.DimIntent, dimPlatform},
					{metricdefs.DimService, metricdefs.DimIntent},
				},
				"Metrics": []any{
					map[string]string{"Name": MetricSuccess, "Unit": "Count"},
					map[string]string{"Name": MetricLatency, "Unit": "Milliseconds"},
				},
			}},
		},
		metricdefs.DimService: r.Service,
		metricdefs.DimIntent:  string(res.Intent),
		dimPlatform:           string(res.Platform),
		MetricSuccess:         ok,
		MetricLatency:         res.LatencyMS,
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return
	}
	_, _ = r.Metrics.Write(append(b, '\n'))
}

// isWrite reports whether the intent changes something in a business tool
// (shared/intents/spec: Write): its smoke needs a sandbox and has no probe.
func isWrite(in conversation.Intent) bool {
	i, _ := spec.Lookup(string(in))
	return i.Write
}
