package stacks_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/infra/stacks"
	"github.com/switchboard-dev/switchboard/shared/contract/audittable"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/smoke"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// The tests synthesize once per rollout stage (CDK synthesis runs in a node process
// and takes seconds) and share the templates across subtests. Each stage also varies
// one setting the others keep at its default, so every option is exercised once.

const lexARN = "arn:aws:lex:eu-west-1:123456789012:bot-alias/BOTID12345/ALIASID123"

var codeDeployNames = map[string]string{
	"CANARY_10PERCENT_5MINUTES":      "CodeDeployDefault.LambdaCanary10Percent5Minutes",
	"LINEAR_10PERCENT_EVERY_1MINUTE": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
	"ALL_AT_ONCE":                    "CodeDeployDefault.LambdaAllAtOnce",
}

func stageSettings(t *testing.T, r stacks.Rollout) stacks.Settings {
	s := stacks.DefaultSettings()
	s.Rollout = r
	s.AssetDir = assetDir(t)
	switch r {
	case stacks.RolloutWrites:
		s.Deployment = "LINEAR_10PERCENT_EVERY_1MINUTE"
		s.LexBotAliasARNs = []string{lexARN}
	case stacks.RolloutPayments:
		s.Deployment = "ALL_AT_ONCE"
		s.LexBotAliasARNs = []string{lexARN}
		s.BedrockAgentARNs = []string{bedrockAgentARN, bedrockAgentARN2}
		s.AlarmEmail = "oncall@example.com"
		s.MemoryMB = 512
		s.IdentitySecret = "switchboard/identity"
		s.JWKSURL = "https://acme.example/.well-known/jwks.json"
		s.TokenIssuer, s.TokenAudience = "https://acme.example", "switchboard"
		s.SESIdentity, s.CodesFrom = "acme.example", "support@acme.example"
	}
	return s
}

var (
	assetOnce sync.Once
	assetPath string
	assetErr  error
)

// assetDir is a placeholder build folder, so the tests do not need `make build`:
// Code.fromAsset only hashes and stages the files.
func assetDir(t *testing.T) string {
	assetOnce.Do(func() {
		assetPath, assetErr = os.MkdirTemp("", "switchboard-assets-*")
		if assetErr != nil {
			return
		}
		for _, f := range append(slices.Clone(stacks.IntentFunctions), stacks.Function{Name: stacks.RouterName}, stacks.Function{Name: stacks.SmokeName}) {
			dir := filepath.Join(assetPath, f.Name)
			if assetErr = os.MkdirAll(dir, 0o755); assetErr != nil {
				return
			}
			// Distinct contents give distinct asset hashes, as real binaries would.
			if assetErr = os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n# "+f.Name+"\n"), 0o755); assetErr != nil {
				return
			}
		}
	})
	if assetErr != nil {
		t.Fatal(assetErr)
	}
	return assetPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if assetPath != "" {
		os.RemoveAll(assetPath)
	}
	jsii.Close()
	os.Exit(code)
}

// synth is one synthesized app.
type synth struct {
	s    stacks.Settings
	tpl  map[string]assertions.Template // by stack id (Data, Functions, …)
	json map[string]tmpl
}

type tmpl struct {
	Resources map[string]resource `json:"Resources"`
	Outputs   map[string]any      `json:"Outputs"`
}

type resource struct {
	Type           string         `json:"Type"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	Properties     map[string]any `json:"Properties"`
	UpdatePolicy   map[string]any `json:"UpdatePolicy"`
	DependsOn      []string       `json:"DependsOn"`
}

func (t tmpl) ofType(typ string) map[string]resource {
	out := map[string]resource{}
	for id, r := range t.Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

var (
	synthMu    sync.Mutex
	synthCache = map[stacks.Rollout]*synth{}
)

func synthesize(t *testing.T, r stacks.Rollout) *synth {
	t.Helper()
	synthMu.Lock()
	defer synthMu.Unlock()
	if sy, ok := synthCache[r]; ok {
		return sy
	}
	s := stageSettings(t, r)
	// A tool setting passes through to the intent functions using the tool (a try at
	// overriding what the stacks decide is refused: settings.OwnedEnv).
	s.FunctionEnv = map[string]string{"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN": "acme"}
	app := awscdk.NewApp(nil)
	built, err := stacks.Build(app, s)
	if err != nil {
		t.Fatal(err)
	}
	sy := &synth{s: s, tpl: map[string]assertions.Template{}, json: map[string]tmpl{}}
	for id, st := range map[string]awscdk.Stack{
		stacks.DataStackID: built.Data.Stack, stacks.MonitoringStackID: built.Monitoring.Stack,
		stacks.FunctionsStackID: built.Functions.Stack, stacks.APIStackID: built.API.Stack,
	} {
		tp := assertions.Template_FromStack(st, nil)
		sy.tpl[id] = tp
		raw, err := json.Marshal(tp.ToJSON())
		if err != nil {
			t.Fatal(err)
		}
		var tj tmpl
		if err := json.Unmarshal(raw, &tj); err != nil {
			t.Fatal(err)
		}
		sy.json[id] = tj
	}
	synthCache[r] = sy
	return sy
}

// must runs a CDK assertion; a failed one arrives as a panic from the jsii runtime.
func must(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Errorf("%s: %v", what, v)
		}
	}()
	f()
}

// flat renders a CloudFormation value as a string: Fn::Join parts concatenated,
// intrinsic references as {Ref:x}, {GetAtt:x.y}, {Import:x}; objects and arrays as
// JSON with keys sorted and every such rendering quoted.
func flat(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = nested(p)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			var parts []string
			for _, p := range j[1].([]any) {
				parts = append(parts, flat(p))
			}
			return strings.Join(parts, sep)
		}
		if r, ok := x["Ref"].(string); ok {
			return "{Ref:" + r + "}"
		}
		if g, ok := x["Fn::GetAtt"].([]any); ok && len(g) == 2 {
			return "{GetAtt:" + flat(g[0]) + "." + flat(g[1]) + "}"
		}
		if imp, ok := x["Fn::ImportValue"]; ok {
			return "{Import:" + flat(imp) + "}"
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconvQuote(k) + ":" + nested(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// nested renders v inside an object or array: strings and intrinsics quoted.
func nested(v any) string {
	switch x := v.(type) {
	case string:
		return strconvQuote(x)
	case map[string]any:
		if _, ok := x["Fn::Join"]; ok {
			return strconvQuote(flat(x))
		}
		if _, ok := x["Ref"]; ok {
			return strconvQuote(flat(x))
		}
		if _, ok := x["Fn::GetAtt"]; ok {
			return strconvQuote(flat(x))
		}
		if _, ok := x["Fn::ImportValue"]; ok {
			return strconvQuote(flat(x))
		}
	}
	return flat(v)
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func names(fs []stacks.Function) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// stageFunctions are the intent functions each rollout stage deploys: every registered
// intent's whose Stage the rollout includes, in the registry's order.
var stageFunctions = func() map[stacks.Rollout][]string {
	m := map[stacks.Rollout][]string{}
	for _, r := range stacks.Rollouts {
		for _, in := range spec.All() {
			if r.Includes(stacks.Rollout(in.Stage)) {
				m[r] = append(m[r], in.Function)
			}
		}
	}
	return m
}()

// Stages only ever add intents, ordered by risk: the first deploys no write and no
// payment, the last every intent.
func TestStagesOrderedByRisk(t *testing.T) {
	t.Parallel()
	first, last := stacks.Rollouts[0], stacks.Rollouts[len(stacks.Rollouts)-1]
	for _, in := range spec.All() {
		if !slices.Contains(stacks.Rollouts, stacks.Rollout(in.Stage)) {
			t.Errorf("%s: stage %q is no rollout stage", in.Name, in.Stage)
		}
		if (in.Write || slices.Contains(in.Uses, spec.Payments)) && slices.Contains(stageFunctions[first], in.Function) {
			t.Errorf("%s (a write or a payment) is deployed at the first stage, %s", in.Name, first)
		}
		if !slices.Contains(stageFunctions[last], in.Function) {
			t.Errorf("%s is not deployed at the last stage, %s", in.Name, last)
		}
	}
	for i := 1; i < len(stacks.Rollouts); i++ {
		for _, fn := range stageFunctions[stacks.Rollouts[i-1]] {
			if !slices.Contains(stageFunctions[stacks.Rollouts[i]], fn) {
				t.Errorf("%s is deployed at %s but not at %s", fn, stacks.Rollouts[i-1], stacks.Rollouts[i])
			}
		}
	}
}

func TestSettingsFromContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ctx     map[string]any
		wantErr string
		check   func(stacks.Settings) error
	}{
		{name: "defaults", ctx: nil, check: func(s stacks.Settings) error {
			if s.Rollout != stacks.RolloutReads || s.Deployment != "CANARY_10PERCENT_5MINUTES" || s.MemoryMB != 256 {
				return fmt.Errorf("%+v", s)
			}
			// The p99 alarm fires below the tightest platform deadline (5 s) less the reply margin.
			if s.LatencyThreshold.Milliseconds() != 4700 {
				return fmt.Errorf("latency threshold %s", s.LatencyThreshold)
			}
			return nil
		}},
		{name: "cdk.json strings and numbers", ctx: map[string]any{"rollout": "payments", "memoryMb": "512", "timeoutSeconds": 8.0,
			"lexBotAliasArn": lexARN + ", " + strings.Replace(lexARN, "ALIASID123", "ALIAS2", 1), "tool.customers": "salesforce"},
			check: func(s stacks.Settings) error {
				if s.Rollout != stacks.RolloutPayments || s.MemoryMB != 512 || s.Timeout.Seconds() != 8 ||
					len(s.LexBotAliasARNs) != 2 || s.Tools[stacks.Customers] != "salesforce" {
					return fmt.Errorf("%+v", s)
				}
				return nil
			}},
		{name: "unknown rollout", ctx: map[string]any{"rollout": "everything"}, wantErr: "rollout"},
		{name: "unknown deployment config", ctx: map[string]any{"deploymentConfig": "CANARY_50PERCENT"}, wantErr: "deploymentConfig"},
		{name: "bad Lex ARN", ctx: map[string]any{"lexBotAliasArn": "arn:aws:lex:eu-west-1:1:bot/BOT"}, wantErr: "lexBotAliasArn"},
		{name: "bad retention", ctx: map[string]any{"logRetentionDays": 31}, wantErr: "logRetentionDays"},
		{name: "not a number", ctx: map[string]any{"memoryMb": "lots"}, wantErr: "memoryMb"},
		{name: "unknown tool", ctx: map[string]any{"tool.payments": "paypal"}, wantErr: "tool.payments"},
		{name: "function env object", ctx: map[string]any{"functionEnv": map[string]any{"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN": "acme"}},
			check: func(s stacks.Settings) error {
				if s.FunctionEnv["SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN"] != "acme" {
					return fmt.Errorf("function env %v", s.FunctionEnv)
				}
				return nil
			}},
		{name: "function env string", ctx: map[string]any{"functionEnv": "SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme, SWITCHBOARD_CONNECTORS_ZENDESK_BASE_URL=https://h.example/?a=b"},
			check: func(s stacks.Settings) error {
				if s.FunctionEnv["SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN"] != "acme" || s.FunctionEnv["SWITCHBOARD_CONNECTORS_ZENDESK_BASE_URL"] != "https://h.example/?a=b" {
					return fmt.Errorf("function env %v", s.FunctionEnv)
				}
				return nil
			}},
		{name: "function env outside SWITCHBOARD_", ctx: map[string]any{"functionEnv": "AWS_REGION=us-east-1"}, wantErr: "functionEnv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := stacks.SettingsFromContext(func(k string) any { return tc.ctx[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.check(s); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestStages(t *testing.T) {
	for _, r := range stacks.Rollouts {
		t.Run(string(r), func(t *testing.T) {
			sy := synthesize(t, r)
			want := stageFunctions[r]
			if got := names(sy.s.Functions()); !slices.Equal(got, want) {
				t.Fatalf("functions at %s = %v, want %v", r, got, want)
			}
			t.Run("data", func(t *testing.T) { checkData(t, sy) })
			t.Run("functions", func(t *testing.T) { checkFunctions(t, sy, want) })
			t.Run("iam", func(t *testing.T) { checkIAM(t, sy, want) })
			t.Run("lex", func(t *testing.T) { checkLex(t, sy) })
			t.Run("bedrock agents", func(t *testing.T) { checkBedrock(t, sy) })
			t.Run("webhook auth", func(t *testing.T) { checkWebhookAuth(t, sy) })
			t.Run("code pepper", func(t *testing.T) { checkCodePepper(t, sy) })
			t.Run("hash salt", func(t *testing.T) { checkHashSalt(t, sy) })
			t.Run("least privilege", func(t *testing.T) { checkNoWideGrants(t, sy) })
			t.Run("api", func(t *testing.T) { checkAPI(t, sy, want) })
			t.Run("monitoring", func(t *testing.T) { checkMonitoring(t, sy, want) })
			t.Run("canary", func(t *testing.T) { checkCanary(t, sy, want) })
			t.Run("smoke", func(t *testing.T) { checkSmoke(t, sy, want) })
		})
	}
}

func checkData(t *testing.T, sy *synth) {
	tp := sy.tpl[stacks.DataStackID]
	// The store and the audit trail's (TestIdentityInfra).
	must(t, "two tables", func() { tp.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(2)) })
	must(t, "table properties", func() {
		tp.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
			"TableName":               sy.s.TableName(),
			"BillingMode":             store.BillingMode,
			"KeySchema":               []any{map[string]any{"AttributeName": store.PartitionKey, "KeyType": "HASH"}},
			"AttributeDefinitions":    []any{map[string]any{"AttributeName": store.PartitionKey, "AttributeType": store.PartitionKeyType}},
			"TimeToLiveSpecification": map[string]any{"AttributeName": store.TTLAttribute, "Enabled": true},
			"PointInTimeRecoverySpecification": map[string]any{
				"PointInTimeRecoveryEnabled": true,
			},
			"SSESpecification": map[string]any{"SSEEnabled": true, "SSEType": "KMS",
				"KMSMasterKeyId": assertions.Match_AnyValue()},
		})
	})
	must(t, "rotating key", func() {
		tp.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{"EnableKeyRotation": true})
	})
	// The table and its key survive a stack deletion.
	must(t, "retained", func() {
		tp.HasResource(jsii.String("AWS::DynamoDB::Table"), map[string]any{"DeletionPolicy": "Retain"})
		tp.HasResource(jsii.String("AWS::KMS::Key"), map[string]any{"DeletionPolicy": "Retain"})
	})
}

func checkFunctions(t *testing.T, sy *synth, want []string) {
	tp := sy.tpl[stacks.FunctionsStackID]
	tj := sy.json[stacks.FunctionsStackID]
	n := float64(len(want) + 1) // the intent functions and the router
	// Each has a smoke hook function, and one more runs the synthetic conversations;
	// each intent function has 3 outcome-ratio rollback alarms, the router 2 on the
	// outcomes it relays (checkCanary, checkSmoke).
	smokeFns := n + 1
	for typ, count := range map[string]float64{
		"AWS::Lambda::Function": n + smokeFns, "AWS::Lambda::Alias": n, "AWS::CodeDeploy::DeploymentGroup": n,
		"AWS::Logs::LogGroup":    n + smokeFns, // the audit trail is a table (TestIdentityInfra)
		"AWS::CloudWatch::Alarm": 2*n + 3*float64(len(want)) + 2, "AWS::CodeDeploy::Application": 1,
	} {
		must(t, typ+" count", func() { tp.ResourceCountIs(jsii.String(typ), jsii.Number(count)) })
	}
	fnIDs := map[string]string{} // logical id → function name
	for id, r := range tj.ofType("AWS::Lambda::Function") {
		p := r.Properties
		name := flat(p["FunctionName"])
		if isSmoke(sy, name) {
			continue
		}
		fnIDs[id] = name
		if flat(p["Architectures"]) != `["arm64"]` || p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" {
			t.Errorf("%s: architectures %s, runtime %v, handler %v", name, flat(p["Architectures"]), p["Runtime"], p["Handler"])
		}
		if flat(p["TracingConfig"]) != `{"Mode":"Active"}` {
			t.Errorf("%s: tracing %s", name, flat(p["TracingConfig"]))
		}
		if p["MemorySize"] != float64(sy.s.MemoryMB) {
			t.Errorf("%s: memory %v", name, p["MemorySize"])
		}
		timeout := sy.s.Timeout
		if strings.HasSuffix(name, "-"+stacks.RouterName) {
			timeout += stacks.RouterExtra
		}
		if p["Timeout"] != timeout.Seconds() {
			t.Errorf("%s: timeout %v, want %v", name, p["Timeout"], timeout.Seconds())
		}
		env, _ := p["Environment"].(map[string]any)["Variables"].(map[string]any)
		enabled := flat(env[stacks.EnabledEnv])
		if strings.HasSuffix(name, "-"+stacks.RouterName) {
			var intents []string
			for _, f := range sy.s.Functions() {
				intents = append(intents, string(f.Intent))
				if _, ok := env[stacks.RouteEnv(f.Intent)]; !ok {
					t.Errorf("router has no route for %s", f.Intent)
				}
			}
			if enabled != strings.Join(intents, ",") {
				t.Errorf("router enabled intents %q", enabled)
			}
			for _, in := range conversation.Intents {
				if _, ok := env[stacks.RouteEnv(in)]; ok && !slices.Contains(intents, string(in)) {
					t.Errorf("router routes %s, which is not in stage %s", in, sy.s.Rollout)
				}
			}
		} else if !slices.Contains(conversation.Intents, conversation.Intent(enabled)) {
			t.Errorf("%s answers %q, want exactly its own intent", name, enabled)
		} else {
			// A tool's setting reaches the functions using that tool, and only them.
			usesZendesk := strings.Contains(flat(env["SWITCHBOARD_CONNECTORS_TICKETS"])+flat(env["SWITCHBOARD_CONNECTORS_KB"]), "zendesk")
			if (flat(env["SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN"]) == "acme") != usesZendesk || flat(env["SWITCHBOARD_STORE_BACKEND"]) != "dynamodb" {
				t.Errorf("%s: functionEnv not applied under the stacks' own variables: %v", name, env)
			}
			// Every capability is set: the tool it uses, or "none" — never the demo default.
			for _, f := range sy.s.Functions() {
				if string(f.Intent) != enabled {
					continue
				}
				for _, c := range []stacks.Capability{stacks.Customers, stacks.Tickets, stacks.Payments, stacks.KB} {
					want := "none"
					if slices.Contains(f.Uses, c) {
						want = sy.s.Tools[c]
					}
					if got := flat(env["SWITCHBOARD_CONNECTORS_"+strings.ToUpper(string(c))]); got != want {
						t.Errorf("%s: connectors.%s = %q, want %q", name, c, got, want)
					}
					if want != "none" && want != "demo" {
						// The connector reads exactly the secret the role is granted.
						if got := flat(env["SWITCHBOARD_CONNECTORS_"+strings.ToUpper(want)+"_SECRET_ID"]); got != sy.s.SecretPrefix+want {
							t.Errorf("%s: %s secret id %q, want %q", name, want, got, sy.s.SecretPrefix+want)
						}
						if got := flat(env["SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER"]); got != "aws" {
							t.Errorf("%s: secrets provider %q, want aws", name, got)
						}
					}
				}
			}
		}
	}
	var got []string
	for _, name := range fnIDs {
		got = append(got, strings.TrimPrefix(name, sy.s.Prefix+"-"))
	}
	sort.Strings(got)
	wantAll := append(slices.Clone(want), stacks.RouterName)
	sort.Strings(wantAll)
	if !slices.Equal(got, wantAll) {
		t.Errorf("functions %v, want %v", got, wantAll)
	}
	for _, r := range tj.ofType("AWS::Logs::LogGroup") {
		if r.Properties["RetentionInDays"] != float64(sy.s.LogRetentionDays) {
			t.Errorf("log group %s retention %v", flat(r.Properties["LogGroupName"]), r.Properties["RetentionInDays"])
		}
	}

	// Each function: alias "live" on its current version, shifted by its own
	// deployment group, which rolls back on that alias's two alarms.
	groups := tj.ofType("AWS::CodeDeploy::DeploymentGroup")
	alarms := tj.ofType("AWS::CloudWatch::Alarm")
	covered := map[string]bool{}
	for aliasID, a := range tj.ofType("AWS::Lambda::Alias") {
		p := a.Properties
		fn := fnIDs[strings.TrimSuffix(strings.TrimPrefix(flat(p["FunctionName"]), "{Ref:"), "}")]
		if p["Name"] != stacks.AliasName || !strings.HasPrefix(flat(p["FunctionVersion"]), "{GetAtt:") {
			t.Errorf("alias %s: name %v version %s", aliasID, p["Name"], flat(p["FunctionVersion"]))
		}
		covered[fn] = true
		upd, _ := a.UpdatePolicy["CodeDeployLambdaAliasUpdate"].(map[string]any)
		groupID := strings.TrimSuffix(strings.TrimPrefix(flat(upd["DeploymentGroupName"]), "{Ref:"), "}")
		g, ok := groups[groupID]
		if !ok {
			t.Errorf("%s: alias not managed by a deployment group (%v)", fn, a.UpdatePolicy)
			continue
		}
		gp := g.Properties
		if gp["DeploymentConfigName"] != codeDeployNames[sy.s.Deployment] {
			t.Errorf("%s: deployment config %v, want %s", fn, gp["DeploymentConfigName"], codeDeployNames[sy.s.Deployment])
		}
		if ev := flat(gp["AutoRollbackConfiguration"]); !strings.Contains(ev, "DEPLOYMENT_STOP_ON_ALARM") || !strings.Contains(ev, `"Enabled":true`) {
			t.Errorf("%s: auto rollback %s", fn, ev)
		}
		ac, _ := gp["AlarmConfiguration"].(map[string]any)
		list, _ := ac["Alarms"].([]any)
		// The Lambda error rate and p99 here; the outcome ratios in checkCanary.
		list = slices.DeleteFunc(slices.Clone(list), func(x any) bool {
			name := flat(alarms[strings.TrimSuffix(strings.TrimPrefix(flat(x.(map[string]any)["Name"]), "{Ref:"), "}")].Properties["AlarmName"])
			return !strings.Contains(name, "-"+stacks.AlarmErrorRate+"-") && !strings.Contains(name, "-"+stacks.AlarmLatency+"-")
		})
		if len(list) != 2 {
			t.Errorf("%s: %d Lambda rollback alarms", fn, len(list))
		}
		var kinds []string
		for _, x := range list {
			id := strings.TrimSuffix(strings.TrimPrefix(flat(x.(map[string]any)["Name"]), "{Ref:"), "}")
			al, ok := alarms[id]
			if !ok {
				t.Errorf("%s: rollback alarm %s not in stack", fn, id)
				continue
			}
			// The alarm watches the version the alias is being moved to (Resource
			// "<function>:live" and ExecutedVersion the alias's new version), not the
			// alias's whole traffic: during a canary the new version gets a tenth of it.
			for _, dim := range []string{
				`{"Name":"Resource","Value":"` + fn + ":" + stacks.AliasName + `"}`,
				`{"Name":"ExecutedVersion","Value":"` + flat(p["FunctionVersion"]) + `"}`,
			} {
				if !strings.Contains(flat(al.Properties), dim) {
					t.Errorf("%s: alarm %s does not watch the version alias %s is moved to (no dimension %s in %s)", fn, id, aliasID, dim, flat(al.Properties))
				}
			}
			// And it is in place before the alias update starts the deployment.
			if !slices.Contains(a.DependsOn, id) {
				t.Errorf("%s: alias %s does not depend on its rollback alarm %s (depends on %v)", fn, aliasID, id, a.DependsOn)
			}
			kinds = append(kinds, flat(al.Properties["AlarmName"]))
		}
		sort.Strings(kinds)
		short := strings.TrimPrefix(fn, sy.s.Prefix+"-")
		wantKinds := []string{sy.s.Prefix + "-" + stacks.AlarmErrorRate + "-" + short, sy.s.Prefix + "-" + stacks.AlarmLatency + "-" + short}
		if !slices.Equal(kinds, wantKinds) {
			t.Errorf("%s: rollback alarms %v, want %v", fn, kinds, wantKinds)
		}
	}
	if len(covered) != len(fnIDs) {
		t.Errorf("aliases cover %v of %d functions", covered, len(fnIDs))
	}
	for id, al := range alarms {
		if !strings.Contains(flat(al.Properties["AlarmActions"]), "{Import:") {
			t.Errorf("rollback alarm %s does not notify the topic: %s", id, flat(al.Properties["AlarmActions"]))
		}
	}
}

// policies returns each function's statements, by function short name.
func policies(t *testing.T, sy *synth) map[string][]map[string]any {
	tj := sy.json[stacks.FunctionsStackID]
	roleFn := map[string]string{}
	for _, r := range tj.ofType("AWS::Lambda::Function") {
		role := flat(r.Properties["Role"]) // {GetAtt:RoleId.Arn}
		id := strings.TrimSuffix(strings.TrimPrefix(role, "{GetAtt:"), ".Arn}")
		roleFn[id] = strings.TrimPrefix(flat(r.Properties["FunctionName"]), sy.s.Prefix+"-")
	}
	out := map[string][]map[string]any{}
	for _, p := range tj.ofType("AWS::IAM::Policy") {
		for _, role := range p.Properties["Roles"].([]any) {
			fn, ok := roleFn[strings.TrimSuffix(strings.TrimPrefix(flat(role), "{Ref:"), "}")]
			if !ok {
				continue
			}
			doc := p.Properties["PolicyDocument"].(map[string]any)
			for _, st := range doc["Statement"].([]any) {
				out[fn] = append(out[fn], st.(map[string]any))
			}
		}
	}
	// Functions' roles carry no managed policies (the basic execution role would
	// let them write to any log group).
	for id, r := range tj.ofType("AWS::IAM::Role") {
		if _, ok := roleFn[id]; ok && r.Properties["ManagedPolicyArns"] != nil {
			t.Errorf("role of %s has managed policies %s", roleFn[id], flat(r.Properties["ManagedPolicyArns"]))
		}
	}
	return out
}

func actions(st map[string]any) []string {
	switch a := st["Action"].(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			out = append(out, x.(string))
		}
		return out
	}
	return nil
}

func resources(st map[string]any) []string {
	switch r := st["Resource"].(type) {
	case []any:
		var out []string
		for _, x := range r {
			out = append(out, flat(x))
		}
		return out
	default:
		return []string{flat(r)}
	}
}

func checkIAM(t *testing.T, sy *synth, want []string) {
	pols := policies(t, sy)
	byName := map[string]stacks.Function{}
	for _, f := range stacks.IntentFunctions {
		byName[f.Name] = f
	}
	for fn, sts := range pols {
		if isSmoke(sy, sy.s.FunctionName(fn)) {
			continue // checkSmoke
		}
		var secrets []string
		for _, st := range sts {
			acts := actions(st)
			res := resources(st)
			if st["Effect"] != "Allow" {
				t.Errorf("%s: unexpected effect %v", fn, st["Effect"])
			}
			for _, a := range acts {
				if a == "*" || strings.HasSuffix(a, ":*") {
					t.Errorf("%s: wildcard action %s", fn, a)
				}
			}
			switch {
			case slices.Contains(res, "*"):
				// Only X-Ray's trace upload has no resource-level permissions.
				for _, a := range acts {
					if !strings.HasPrefix(a, "xray:") {
						t.Errorf("%s: %s on every resource", fn, a)
					}
				}
			case st["Sid"] == "AppendAuditEvents":
				if f, ok := byName[fn]; !ok || !f.Identity {
					t.Errorf("%s may write the audit table", fn)
				}
				if !slices.Equal(acts, audittable.WriteActions()) || len(res) != 1 || !strings.Contains(res[0], "Audit") {
					t.Errorf("%s: audit statement %v on %v, want PutItem on the audit table only", fn, acts, res)
				}
			case strings.HasPrefix(acts[0], "dynamodb:"):
				f, ok := byName[fn]
				if !ok {
					t.Errorf("%s may use the table", fn)
					continue
				}
				cond := flat(st["Condition"])
				keys := `"` + store.LeadingKeysPattern(string(f.Intent)) + `"`
				if f.Identity {
					keys += `,"` + store.LeadingKeysPattern(identity.KeyPrefix) + `"`
				}
				wantCond := `{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":[` + keys + `]}}`
				if cond != wantCond {
					t.Errorf("%s: table statement condition %s, want %s", fn, cond, wantCond)
				}
				if !slices.Equal(acts, store.DataActions()) {
					t.Errorf("%s: table actions %v", fn, acts)
				}
			case strings.HasPrefix(acts[0], "secretsmanager:"):
				if !slices.Equal(acts, []string{"secretsmanager:GetSecretValue"}) {
					t.Errorf("%s: secret actions %v, want GetSecretValue only", fn, acts)
				}
				if st["Sid"] == "ReadWebhookSecrets" {
					continue // checkWebhookAuth
				}
				if st["Sid"] == "ReadCodePepper" {
					continue // checkCodePepper
				}
				for _, r := range res {
					_, name, ok := strings.Cut(r, ":secret:")
					if !ok || !strings.HasSuffix(name, "-??????") {
						t.Errorf("%s: secret resource %s is not one named secret", fn, r)
					}
					secrets = append(secrets, strings.TrimSuffix(name, "-??????"))
				}
			case acts[0] == "lambda:InvokeFunction":
				if fn != stacks.RouterName {
					t.Errorf("%s may invoke functions", fn)
					continue
				}
				var targets []string
				for _, r := range res {
					id := strings.TrimSuffix(strings.TrimPrefix(r, "{Ref:"), "}")
					a, ok := sy.json[stacks.FunctionsStackID].Resources[id]
					if !ok || a.Type != "AWS::Lambda::Alias" || a.Properties["Name"] != stacks.AliasName {
						t.Errorf("router may invoke %s, not a live alias", r)
						continue
					}
					targets = append(targets, strings.ToLower(strings.TrimSuffix(id, id[strings.Index(id, "Live"):])))
				}
				sort.Strings(targets)
				ws := slices.Clone(want)
				sort.Strings(ws)
				if !slices.Equal(targets, ws) {
					t.Errorf("router may invoke %v, want exactly the aliases of %v", targets, ws)
				}
			case strings.HasPrefix(acts[0], "kms:"):
				for _, a := range acts {
					if strings.HasPrefix(a, "kms:ReEncrypt") {
						t.Errorf("%s: %s on the table key", fn, a)
					}
				}
				if _, ok := byName[fn]; !ok {
					t.Errorf("%s may use the table key", fn)
				}
				if !strings.Contains(flat(st["Condition"]), "kms:ViaService") {
					t.Errorf("%s: key usable outside DynamoDB", fn)
				}
			case strings.HasPrefix(acts[0], "ses:"):
				f := byName[fn]
				if !f.Codes || sy.s.SESIdentity == "" {
					t.Errorf("%s may send email", fn)
				}
				if !slices.Equal(acts, []string{"ses:SendEmail"}) || len(res) != 1 ||
					!strings.HasSuffix(res[0], ":identity/"+sy.s.SESIdentity) {
					t.Errorf("%s: ses statement %v on %v, want ses:SendEmail on the identity only", fn, acts, res)
				}
			case strings.HasPrefix(acts[0], "logs:"):
				for _, r := range res {
					if !strings.HasPrefix(r, "{GetAtt:") {
						t.Errorf("%s: logs on %s, not its own log group", fn, r)
					}
				}
			default:
				t.Errorf("%s: unexpected statement %v on %v", fn, acts, res)
			}
		}
		sort.Strings(secrets)
		var wantSecrets []string
		if f, ok := byName[fn]; ok {
			wantSecrets = sy.s.SecretNames(f)
		}
		if !slices.Equal(secrets, wantSecrets) {
			t.Errorf("%s reads secrets %v, want %v", fn, secrets, wantSecrets)
		}
	}
	if _, ok := pols[stacks.RouterName]; !ok {
		t.Error("router has no policy")
	}
	// The payment processor's secret is readable only by the functions given payments
	// (verifypayment).
	for fn, sts := range pols {
		for _, st := range sts {
			for _, r := range resources(st) {
				if strings.Contains(r, ":secret:"+sy.s.SecretPrefix+"stripe") && !slices.Contains(byName[fn].Uses, stacks.Payments) {
					t.Errorf("%s may read the Stripe secret", fn)
				}
			}
		}
	}
}

const (
	bedrockAgentARN  = "arn:aws:bedrock:eu-west-1:123456789012:agent/AGT7K2Q9XZ"
	bedrockAgentARN2 = "arn:aws:bedrock:eu-west-1:123456789012:agent/BGT1Z2Y3W4"
)

// checkBedrock: one permission per configured agent, for bedrock.amazonaws.com on
// the router's live alias, scoped by SourceArn to that agent and by SourceAccount.
func checkBedrock(t *testing.T, sy *synth) {
	got := map[string]bool{}
	for _, p := range sy.json[stacks.FunctionsStackID].ofType("AWS::Lambda::Permission") {
		if p.Properties["Principal"] != "bedrock.amazonaws.com" {
			continue
		}
		fn := flat(p.Properties["FunctionName"])
		arn, _ := p.Properties["SourceArn"].(string)
		if p.Properties["Action"] != "lambda:InvokeFunction" || !strings.HasPrefix(fn, "{Ref:RouterLive") ||
			p.Properties["SourceAccount"] != "123456789012" || !slices.Contains(sy.s.BedrockAgentARNs, arn) {
			t.Errorf("Bedrock permission %s", flat(p.Properties))
		}
		got[arn] = true
	}
	if len(got) != len(sy.s.BedrockAgentARNs) {
		t.Fatalf("Bedrock permissions for %v, want %v", got, sy.s.BedrockAgentARNs)
	}
}

func checkLex(t *testing.T, sy *synth) {
	var lex []resource
	for _, p := range sy.json[stacks.FunctionsStackID].ofType("AWS::Lambda::Permission") {
		if p.Properties["Principal"] == "lexv2.amazonaws.com" {
			lex = append(lex, p)
		}
	}
	if len(lex) != len(sy.s.LexBotAliasARNs) {
		t.Fatalf("%d Lex permissions, want %d", len(lex), len(sy.s.LexBotAliasARNs))
	}
	for _, p := range lex {
		fn := flat(p.Properties["FunctionName"])
		if p.Properties["SourceArn"] != lexARN || p.Properties["Action"] != "lambda:InvokeFunction" || !strings.HasPrefix(fn, "{Ref:RouterLive") {
			t.Errorf("Lex permission %s", flat(p.Properties))
		}
	}
}

func checkAPI(t *testing.T, sy *synth, want []string) {
	tj := sy.json[stacks.APIStackID]
	routes := map[string]string{} // route key → integration id
	for _, r := range tj.ofType("AWS::ApiGatewayV2::Route") {
		routes[flat(r.Properties["RouteKey"])] = flat(r.Properties["Target"])
	}
	integ := map[string]string{} // integration id → invoked function
	for id, r := range tj.ofType("AWS::ApiGatewayV2::Integration") {
		if r.Properties["PayloadFormatVersion"] != "2.0" || r.Properties["IntegrationType"] != "AWS_PROXY" {
			t.Errorf("integration %s: %s", id, flat(r.Properties))
		}
		integ["integrations/{Ref:"+id+"}"] = flat(r.Properties["IntegrationUri"])
	}
	wantRoutes := map[string]string{}
	for _, p := range []string{"/webhooks/dialogflow", "/webhooks/dialogflow-cx", "/webhooks/dialogflow-cx/{intent}", "/webhooks/rasa"} {
		wantRoutes["POST "+p] = stacks.RouterName
	}
	// The tool API and its MCP server (TestToolAPIInfra).
	for _, k := range toolRoutes {
		wantRoutes[k] = stacks.RouterName
	}
	// A route per deployed intent, tagged with its Dialogflow CX name (kebab case,
	// TestDefaultIntentNamesUnchanged in shared/config).
	for _, in := range spec.All() {
		if slices.Contains(want, in.Function) {
			wantRoutes["POST /webhooks/dialogflow-cx/"+strings.ReplaceAll(in.Name, "_", "-")] = in.Function
		}
	}
	if len(routes) != len(wantRoutes) {
		t.Errorf("routes %v, want %v", routes, wantRoutes)
	}
	for key, fn := range wantRoutes {
		target, ok := routes[key]
		if !ok {
			t.Errorf("no route %q", key)
			continue
		}
		// Integrations point at the live alias exported by the functions stack.
		uri := integ[target]
		if !strings.Contains(strings.ToLower(uri), strings.ToLower(fn)+"live") {
			t.Errorf("%s goes to %s, want %s's live alias", key, uri, fn)
		}
	}
	must(t, "stage throttling", func() {
		sy.tpl[stacks.APIStackID].HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Stage"), map[string]any{
			"StageName": "$default", "AutoDeploy": true,
			"DefaultRouteSettings": map[string]any{"ThrottlingRateLimit": sy.s.ThrottleRate, "ThrottlingBurstLimit": sy.s.ThrottleBurst},
		})
	})
}

var switchboardMetric = regexp.MustCompile(`\["` + metricdefs.Namespace + `","([A-Za-z]+)",([^\]{]*)`)

func checkMonitoring(t *testing.T, sy *synth, want []string) {
	tp := sy.tpl[stacks.MonitoringStackID]
	tj := sy.json[stacks.MonitoringStackID]
	must(t, "one topic and one dashboard", func() {
		tp.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(1))
		tp.ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(1))
	})
	subs := 0.0
	if sy.s.AlarmEmail != "" {
		subs = 1
	}
	must(t, "email subscription", func() { tp.ResourceCountIs(jsii.String("AWS::SNS::Subscription"), jsii.Number(subs)) })

	var body string
	for _, d := range tj.ofType("AWS::CloudWatch::Dashboard") {
		body = flat(d.Properties["DashboardBody"])
	}
	// A row per function (intent functions and router) with the Lambda metrics.
	for _, fn := range append(slices.Clone(want), stacks.RouterName) {
		for _, m := range []string{"Invocations", "Errors", "Duration", "Throttles", "ConcurrentExecutions"} {
			if !strings.Contains(body, `["AWS/Lambda","`+m+`","FunctionName","`+sy.s.FunctionName(fn)+`"`) {
				t.Errorf("dashboard lacks %s for %s", m, fn)
			}
		}
		for _, p := range []string{"p50", "p95", "p99"} {
			if !strings.Contains(body, `"stat":"`+p+`"`) {
				t.Errorf("dashboard lacks %s", p)
			}
		}
	}
	// Switchboard's own metrics: exactly the names metricdefs defines, each charted
	// under one of the dimension sets the emitter publishes it with.
	seen := map[string]bool{}
	for _, m := range switchboardMetric.FindAllStringSubmatch(body, -1) {
		def, ok := metricdefs.ByName(m[1])
		if m[1] == smoke.MetricSuccess || m[1] == smoke.MetricLatency {
			continue // checkSmoke
		}
		if !ok {
			t.Errorf("dashboard charts %s, which metricdefs does not define", m[1])
			continue
		}
		seen[m[1]] = true
		var keys []string
		parts := strings.Split(strings.Trim(m[2], ","), ",")
		for i := 0; i+1 < len(parts); i += 2 {
			keys = append(keys, strings.Trim(parts[i], `"`))
		}
		sort.Strings(keys)
		ok = false
		for _, set := range def.Scope.DimensionSets() {
			s := slices.Clone(set)
			sort.Strings(s)
			ok = ok || slices.Equal(s, keys)
		}
		if !ok {
			t.Errorf("%s charted with dimensions %v, published with %v", m[1], keys, def.Scope.DimensionSets())
		}
	}
	for _, def := range metricdefs.All() {
		if !seen[def.Name] {
			t.Errorf("dashboard does not chart %s", def.Name)
		}
	}
	// Alarms: every one notifies the topic and links an existing runbook.
	kinds := map[string]int{}
	root := filepath.Join("..", "..")
	for id, a := range tj.Resources {
		if a.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		p := a.Properties
		if !strings.Contains(flat(p["AlarmActions"]), "{Ref:Alarms") || !strings.Contains(flat(p["OKActions"]), "{Ref:Alarms") {
			t.Errorf("alarm %s does not notify the topic", id)
		}
		desc := flat(p["AlarmDescription"])
		found := false
		for _, k := range stacks.AlarmKinds {
			if strings.Contains(desc, stacks.RunbookPath(k)) {
				found = true
				kinds[k]++
			}
		}
		if !found {
			t.Errorf("alarm %s links no runbook: %s", id, desc)
		}
	}
	for _, k := range stacks.AlarmKinds {
		if _, err := os.Stat(filepath.Join(root, stacks.RunbookPath(k))); err != nil {
			t.Errorf("runbook for %s: %v", k, err)
		}
	}
	tools := len(sy.s.ToolsInUse())
	wantKinds := map[string]int{stacks.AlarmThrottles: len(want) + 1, stacks.AlarmDynamoThrottles: 1,
		stacks.AlarmAuthFailures: tools, stacks.AlarmBreakerOpen: tools, stacks.AlarmLowLookups: 1}
	for k, n := range wantKinds {
		if kinds[k] != n {
			t.Errorf("%d %s alarms, want %d (all: %v)", kinds[k], k, n, kinds)
		}
	}
	must(t, "anomaly detection on lookups", func() {
		tp.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"ComparisonOperator": "LessThanLowerThreshold",
			"ThresholdMetricId":  assertions.Match_AnyValue(),
			"TreatMissingData":   "breaching",
		})
	})
}

// TestIdentityInfra: the audit trail's own table (its own KMS key, TTL on the expiry,
// point-in-time recovery, deletion protection, retained, the customer index), the
// identity settings in the environment of exactly the functions that verify callers,
// and ses:SendEmail only where codes are sent.
func TestIdentityInfra(t *testing.T) {
	sy := synthesize(t, stacks.RolloutPayments)
	fnStack := sy.json[stacks.FunctionsStackID]
	dataStack := sy.json[stacks.DataStackID]
	var audit []resource
	var auditID string
	for id, r := range dataStack.ofType("AWS::DynamoDB::Table") {
		if r.Properties["TableName"] == sy.s.AuditTableName() {
			audit, auditID = append(audit, r), id
		}
	}
	if len(audit) != 1 {
		t.Fatalf("%d audit tables, want 1", len(audit))
	}
	ap := audit[0].Properties
	for what, ok := range map[string]bool{
		"key":         flat(ap["KeySchema"]) == `[{"AttributeName":"`+audittable.PartitionKey+`","KeyType":"HASH"}]`,
		"ttl":         flat(ap["TimeToLiveSpecification"]) == `{"AttributeName":"`+audittable.TTLAttribute+`","Enabled":true}`,
		"kms":         strings.Contains(flat(ap["SSESpecification"]), `"KMSMasterKeyId":"{GetAtt:AuditKey`) && strings.Contains(flat(ap["SSESpecification"]), `"SSEType":"KMS"`),
		"pitr":        flat(ap["PointInTimeRecoverySpecification"]) == `{"PointInTimeRecoveryEnabled":true}`,
		"protection":  ap["DeletionProtectionEnabled"] == true,
		"retained":    audit[0].DeletionPolicy == "Retain",
		"index":       strings.Contains(flat(ap["GlobalSecondaryIndexes"]), `"IndexName":"`+audittable.CustomerIndex+`"`),
		"on demand":   ap["BillingMode"] == audittable.BillingMode,
		"not a store": auditID != "" && !strings.HasPrefix(auditID, "Store"),
	} {
		if !ok {
			t.Errorf("audit table: %s wrong: %s", what, flat(ap))
		}
	}
	found := false
	for id, k := range dataStack.ofType("AWS::KMS::Key") {
		if strings.HasPrefix(id, "AuditKey") {
			found = true
			if k.Properties["EnableKeyRotation"] != true || k.DeletionPolicy != "Retain" {
				t.Errorf("audit key %s: want rotation and retained", flat(k.Properties))
			}
		}
	}
	if !found {
		t.Error("no audit key")
	}
	for _, r := range fnStack.ofType("AWS::Logs::LogGroup") {
		if strings.HasSuffix(flat(r.Properties["LogGroupName"]), "/audit") {
			t.Errorf("an audit log group is still created: %s", flat(r.Properties))
		}
	}
	for id, r := range fnStack.ofType("AWS::Lambda::Function") {
		env := map[string]any{}
		if e, ok := r.Properties["Environment"].(map[string]any); ok {
			env, _ = e["Variables"].(map[string]any)
		}
		name := flat(r.Properties["FunctionName"])
		fn := strings.TrimPrefix(name, sy.s.Prefix+"-")
		var f stacks.Function
		for _, x := range stacks.IntentFunctions {
			if x.Name == fn {
				f = x
			}
		}
		if fn == stacks.RouterName {
			if env["SWITCHBOARD_IDENTITY_TOKEN_SECRET_ID"] != nil {
				t.Errorf("router gets identity settings")
			}
			continue
		}
		if f.Name == "" {
			// A smoke function: it signs the smoke customer in with the key.
			if env["SWITCHBOARD_IDENTITY_TOKEN_SECRET_ID"] != "switchboard/identity" || env["SWITCHBOARD_IDENTITY_TOKEN_AUDIENCE"] != "switchboard" {
				t.Errorf("%s: smoke function without the identity token settings: %v", fn, env)
			}
			continue
		}
		if env["SWITCHBOARD_IDENTITY_TOKEN_DEMO_KEY"] != "false" {
			t.Errorf("%s (%s): the demo key is not refused", fn, id)
		}
		wantSink, wantSecret, wantSender := "none", any(nil), "none"
		if f.Identity {
			wantSink, wantSecret = "dynamodb", "switchboard/identity"
			if env["SWITCHBOARD_IDENTITY_AUDIT_TABLE"] != sy.s.AuditTableName() {
				t.Errorf("%s: audit table %v, want %s", fn, env["SWITCHBOARD_IDENTITY_AUDIT_TABLE"], sy.s.AuditTableName())
			}
		}
		if f.Codes {
			wantSender = "ses"
		}
		if env["SWITCHBOARD_IDENTITY_AUDIT_SINK"] != wantSink || env["SWITCHBOARD_IDENTITY_TOKEN_SECRET_ID"] != wantSecret ||
			env["SWITCHBOARD_IDENTITY_CODES_SENDER"] != wantSender {
			t.Errorf("%s: identity env %v", fn, env)
		}
		if f.Codes && (env["SWITCHBOARD_IDENTITY_CODES_FROM"] != "support@acme.example" || env["SWITCHBOARD_IDENTITY_TOKEN_AUDIENCE"] != "switchboard") {
			t.Errorf("%s: codes/token env %v", fn, env)
		}
	}
	// Without identity settings (the reads stage): no secret, no SES, still audited.
	reads := synthesize(t, stacks.RolloutReads)
	for _, r := range reads.json[stacks.FunctionsStackID].ofType("AWS::IAM::Policy") {
		if strings.Contains(flat(r.Properties["PolicyDocument"]), "ses:") {
			t.Errorf("reads stage without sesIdentity grants SES: %s", flat(r.Properties["PolicyDocument"]))
		}
	}
}
