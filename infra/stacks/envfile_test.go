package stacks_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/switchboard-dev/switchboard/infra/stacks"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// repoContext is the repository's cdk.json context.
func repoContext(t *testing.T) map[string]any {
	t.Helper()
	ctx, err := stacks.FileContext(filepath.Join(testenv.RepoRoot(), "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

// fixtures is the root whose infra/env/ holds these tests' own environment files
// (testdata/infra/env/<name>.yaml), never what sits in the repository's infra/env/.
const fixtures = "testdata"

// shippedEnvironments are the example environment files the repository ships and the
// docs tell users to copy: they must synthesize. A user's own file in infra/env/ is
// no test's business (an unfinished one must not turn the suite red).
var shippedEnvironments = []string{"example", "salesforce-sql"}

// synthFunctions builds the app from the sources and returns the Functions stack's
// template as JSON.
func synthFunctions(t *testing.T, root string, overrides map[string]any) (stacks.Settings, map[string]any, error) {
	t.Helper()
	overrides["assetDir"] = assetDir(t)
	s, err := stacks.SettingsFromSources(root, repoContext(t), overrides)
	if err != nil {
		return s, nil, err
	}
	app := awscdk.NewApp(nil)
	built, err := stacks.Build(app, s)
	if err != nil {
		return s, nil, err
	}
	tpl := assertions.Template_FromStack(built.Functions.Stack, nil).ToJSON()
	raw, err := json.Marshal(*tpl)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return s, m, nil
}

// functionEnvs returns each AWS::Lambda::Function's environment by function name; a
// value CloudFormation resolves at deploy time (an alias ARN) becomes a placeholder.
func functionEnvs(t *testing.T, tpl map[string]any) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, r := range tpl["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] != "AWS::Lambda::Function" {
			continue
		}
		props := res["Properties"].(map[string]any)
		name := fmt.Sprint(props["FunctionName"])
		var env []string
		if e, ok := props["Environment"].(map[string]any); ok {
			for k, v := range e["Variables"].(map[string]any) {
				if _, ok := v.(string); !ok {
					v = "resolved-at-deploy"
				}
				env = append(env, k+"="+fmt.Sprint(v))
			}
		}
		sort.Strings(env)
		out[name] = env
	}
	if len(out) == 0 {
		t.Fatal("no functions in the template")
	}
	return out
}

// TestEnvironmentFileStages deploys one environment file through every stage, as
// `make deploy ENV=t STAGE=…` does, and holds every stage to every setting of the
// file: the Lex permission, the tools' settings, memory, secrets prefix.
func TestEnvironmentFileStages(t *testing.T) {
	root := fixtures
	for _, stage := range stacks.Rollouts {
		t.Run(string(stage), func(t *testing.T) {
			s, tpl, err := synthFunctions(t, root, map[string]any{"env": "stages", "stage": string(stage)})
			if err != nil {
				t.Fatal(err)
			}
			if s.Rollout != stage || s.Prefix != "sbprod" || s.MemoryMB != 512 {
				t.Fatalf("settings: rollout %s prefix %s memory %d", s.Rollout, s.Prefix, s.MemoryMB)
			}
			lex := 0
			for _, r := range tpl["Resources"].(map[string]any) {
				res := r.(map[string]any)
				if res["Type"] != "AWS::Lambda::Permission" {
					continue
				}
				p := res["Properties"].(map[string]any)
				if p["Principal"] == "lexv2.amazonaws.com" && p["SourceArn"] == lexARN {
					lex++
				}
			}
			if lex != 1 {
				t.Errorf("Lex permissions for %s = %d, want 1", lexARN, lex)
			}
			envs := functionEnvs(t, tpl)
			want := map[string][]string{
				"sbprod-lookupcustomer": {"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme", "SWITCHBOARD_CONNECTORS_HUBSPOT_SECRET_ID=prod/switchboard/hubspot"},
				"sbprod-searchkb":       {"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme", "SWITCHBOARD_CONNECTORS_ZENDESK_SECRET_ID=prod/switchboard/zendesk"},
			}
			if stage != stacks.RolloutReads {
				want["sbprod-createticket"] = []string{"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme"}
			}
			if stage == stacks.RolloutPayments {
				want["sbprod-verifypayment"] = []string{"SWITCHBOARD_CONNECTORS_STRIPE_SECRET_ID=prod/switchboard/stripe"}
			}
			for fn, vars := range want {
				env, ok := envs[fn]
				if !ok {
					t.Errorf("%s not deployed at stage %s", fn, stage)
				}
				for _, v := range vars {
					if !contains(env, v) {
						t.Errorf("%s: %s missing from %v", fn, v, env)
					}
				}
			}
			// A function gets only its own tools' settings.
			if env, ok := envs["sbprod-verifypayment"]; ok && strings.Contains(strings.Join(env, " "), "ZENDESK") {
				t.Errorf("verifypayment carries a Zendesk setting: %v", env)
			}
			for fn := range want {
				if mem := memoryOf(tpl, fn); mem != 512 {
					t.Errorf("%s memory %v", fn, mem)
				}
			}
		})
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func memoryOf(tpl map[string]any, fn string) float64 {
	for _, r := range tpl["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if p, ok := res["Properties"].(map[string]any); ok && res["Type"] == "AWS::Lambda::Function" && p["FunctionName"] == fn {
			m, _ := p["MemorySize"].(float64)
			return m
		}
	}
	return -1
}

// TestSynthValidatesEveryFunction synthesizes the default cdk.json and each shipped
// example environment (shippedEnvironments, by name) at every stage, and runs config.Load (what each
// function runs at start) on every synthesized function's environment: each either
// starts, or synth failed naming the setting.
func TestSynthValidatesEveryFunction(t *testing.T) {
	root := testenv.RepoRoot()
	// The default cdk.json names Zendesk without a subdomain: synth refuses it.
	if _, _, err := synthFunctions(t, root, map[string]any{}); err == nil ||
		!strings.Contains(err.Error(), "connectors.zendesk") || !strings.Contains(err.Error(), "SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN") {
		t.Errorf("default cdk.json: synth error %v, want one naming connectors.zendesk and its variable", err)
	}
	for _, name := range shippedEnvironments {
		for _, stage := range stacks.Rollouts {
			t.Run(name+"/"+string(stage), func(t *testing.T) {
				_, tpl, err := synthFunctions(t, root, map[string]any{"env": name, "stage": string(stage)})
				if err != nil {
					t.Fatal(err)
				}
				for fn, env := range functionEnvs(t, tpl) {
					if _, err := config.Load("", env); err != nil {
						t.Errorf("%s would fail at start: %v", fn, err)
					}
				}
			})
		}
	}
}

// TestSynthRefusesWhatFailsAtStart: a typo in functionEnv or in the environment file,
// a missing tool setting, a demo tool and a variable the stacks set fail synth naming
// the setting (the settings package tests each rule; this holds synth to them).
func TestSynthRefusesWhatFailsAtStart(t *testing.T) {
	for env, want := range map[string]string{
		"fnenv-typo":          "did you mean SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN?",
		"store-typo":          "did you mean SWITCHBOARD_STORE_BACKEND?",
		"salesforce-no-login": "connectors.salesforce.login_url is required",
		"key-typo":            `did you mean "memoryMb"?`,
		"demo-tool":           `tool.customers: "demo" is refused in a deployed environment`,
		"owned-key":           "SWITCHBOARD_STORE_TABLE is set by the stacks (from the prefix setting",
	} {
		if _, _, err := synthFunctions(t, fixtures, map[string]any{"env": env, "stage": "payments"}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", env, err, want)
		}
	}
	if _, _, err := synthFunctions(t, fixtures, map[string]any{"env": "stages", "stage": "everything"}); err == nil ||
		!strings.Contains(err.Error(), `"everything" is not one of reads, writes, payments`) {
		t.Errorf("unknown stage: %v", err)
	}
	if _, _, err := synthFunctions(t, fixtures, map[string]any{"env": "stages", "rolout": "writes"}); err == nil ||
		!strings.Contains(err.Error(), `"rolout" is not a setting (did you mean "rollout"?)`) {
		t.Errorf("-c rolout=writes: %v", err)
	}
	if _, _, err := synthFunctions(t, fixtures, map[string]any{"env": "nosuch"}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing environment: %v", err)
	}
}

// TestInfraArguments: the CDK app (infra/) takes -c key=value as the CDK CLI does and
// refuses anything else; run by the CLI, the -c values are what differs from cdk.json.
func TestInfraArguments(t *testing.T) {
	got, err := stacks.ParseArgs([]string{"-c", "rollout=payments", "--context", "env=prod", "-c=functionEnv=A=b"})
	if err != nil || got["rollout"] != "payments" || got["env"] != "prod" || got["functionEnv"] != "A=b" {
		t.Errorf("ParseArgs = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"--all"}, {"-c"}, {"-c", "rollout"}, {"synth"}} {
		if _, err := stacks.ParseArgs(bad); err == nil {
			t.Errorf("ParseArgs(%q) accepted", bad)
		}
	}
	cli, err := stacks.CLIOverrides(`{"rollout":"payments","prefix":"switchboard","aws:cdk:enable-path-metadata":true}`,
		map[string]any{"rollout": "reads", "prefix": "switchboard"})
	if err != nil || len(cli) != 2 || cli["rollout"] != "payments" {
		t.Errorf("CLIOverrides = %v, %v", cli, err)
	}
}

// TestSynthRefusesUnknownTool: a functionEnv variable of a tool no package registers
// fails synth (a function would ignore it: it links only its own tools).
func TestSynthRefusesUnknownTool(t *testing.T) {
	if _, _, err := synthFunctions(t, fixtures, map[string]any{"env": "unknown-tool"}); err == nil || !strings.Contains(err.Error(), `no tool "freshdesk"`) {
		t.Errorf("error %v, want one naming the unknown tool", err)
	}
}

// DeployedEnv — what synth validates each function with and what `make bench` starts the
// bootstraps with — is exactly the environment the template gives each intent function.
func TestDeployedEnvIsTheTemplates(t *testing.T) {
	s, tpl, err := synthFunctions(t, fixtures, map[string]any{"env": "deployed", "stage": "payments"})
	if err != nil {
		t.Fatal(err)
	}
	envs := functionEnvs(t, tpl)
	for _, f := range s.Functions() {
		var want []string
		for k, v := range s.DeployedEnv(f) {
			want = append(want, k+"="+v)
		}
		sort.Strings(want)
		got, ok := envs[s.FunctionName(f.Name)]
		if !ok {
			t.Fatalf("%s not in the template (%v)", f.Name, slices.Collect(maps.Keys(envs)))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: template environment\n%v\nDeployedEnv\n%v", f.Name, got, want)
		}
	}
}

// TestSettingsListsMatchTheCDK: the values the settings accept for logRetentionDays and
// deploymentConfig (package settings, which has no CDK) are exactly those the stacks
// map to the CDK's enums.
func TestSettingsListsMatchTheCDK(t *testing.T) {
	if got, want := stacks.RetentionDayCounts(), settings.RetentionDays; !slices.Equal(got, want) {
		t.Errorf("retention days: stacks %v, settings %v", got, want)
	}
	if got, want := stacks.DeploymentConfigKeys(), settings.DeploymentConfigs; !slices.Equal(got, want) {
		t.Errorf("deployment configs: stacks %v, settings %v", got, want)
	}
}
