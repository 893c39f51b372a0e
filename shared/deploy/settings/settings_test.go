package settings_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// fixtures is the root whose infra/env/ holds this package's own environment files
// (testdata/infra/env/<name>.yaml), never the repository's infra/env/.
const fixtures = "testdata"

// repoContext is the repository's cdk.json context, as synth reads it.
func repoContext(t *testing.T) map[string]any {
	t.Helper()
	ctx, err := settings.FileContext(filepath.Join(testenv.RepoRoot(), "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

func load(t *testing.T, overrides map[string]any) (settings.Settings, error) {
	t.Helper()
	return settings.Load(settings.Sources{Root: fixtures, Context: repoContext(t), Overrides: overrides})
}

func wantErr(t *testing.T, what string, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted, want an error containing %q", what, want)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q, want it to contain %q", what, err, w)
		}
	}
}

// TestLoadEveryStage: a complete environment file loads at every stage.
func TestLoadEveryStage(t *testing.T) {
	for _, st := range settings.Rollouts {
		s, err := load(t, map[string]any{"env": "good", "stage": string(st)})
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		if s.Rollout != st || s.Prefix != "sbtest" {
			t.Errorf("%s: rollout %s prefix %s", st, s.Rollout, s.Prefix)
		}
	}
}

// TestUnknownKeys: a key no setting reads is an error wherever it is written — the
// command line (-c rolout=writes), cdk.json's context, the environment file — with
// the nearest known key; the CDK's own context keys pass.
func TestUnknownKeys(t *testing.T) {
	_, err := load(t, map[string]any{"env": "good", "rolout": "writes"})
	wantErr(t, "-c rolout=writes", err, `command line (-c): "rolout" is not a setting (did you mean "rollout"?)`)

	ctx := repoContext(t)
	ctx["memoryMB"] = 512
	_, err = settings.Load(settings.Sources{Root: fixtures, Context: ctx, Overrides: map[string]any{"env": "good"}})
	wantErr(t, "cdk.json memoryMB", err, `cdk.json context: "memoryMB" is not a setting (did you mean "memoryMb"?)`)

	_, err = load(t, map[string]any{"env": "key-typo"})
	wantErr(t, "file memoryMB", err, filepath.Join("infra", "env", "key-typo.yaml"), `"memoryMB" is not a setting (did you mean "memoryMb"?)`)

	_, err = load(t, map[string]any{"env": "good", "whatever": "1"})
	wantErr(t, "-c whatever", err, `"whatever" is not a setting`)

	// What the CDK CLI passes besides the settings.
	if _, err := load(t, map[string]any{"env": "good", "aws:cdk:enable-path-metadata": true,
		"@aws-cdk/core:newStyleStackSynthesis": true, "availability-zones:account=1:region=x": "[]",
		"acknowledged-issue-numbers": []any{32775}}); err != nil {
		t.Errorf("CDK context keys: %v", err)
	}
}

// TestRolloutValues: the rollout and the stage are one of the stages.
func TestRolloutValues(t *testing.T) {
	_, err := load(t, map[string]any{"env": "bad-rollout"})
	wantErr(t, "rollout: everything", err, `rollout: "everything" is not one of reads, writes, payments`)
	_, err = load(t, map[string]any{"env": "good", "stage": "writez"})
	wantErr(t, "stage writez", err, `"writez" is not one of reads, writes, payments`)
}

// TestDemoToolRefused: the demo tool answers from the embedded demo data, which
// Lambda builds leave out: a deployed environment naming it is refused with why.
func TestDemoToolRefused(t *testing.T) {
	_, err := load(t, map[string]any{"env": "demo-tool"})
	wantErr(t, "tool.customers: demo", err, `tool.customers: "demo" is refused in a deployed environment`,
		"Lambda builds leave out", "exit at start", "hubspot")
	_, err = load(t, map[string]any{"env": "good", "tool.kb": "demo"})
	wantErr(t, "-c tool.kb=demo", err, `tool.kb: "demo" is refused`)
}

// TestOwnedFunctionEnvRefused: a functionEnv variable the stacks set would be dropped
// without a word; it is refused naming the setting that decides it.
func TestOwnedFunctionEnvRefused(t *testing.T) {
	_, err := load(t, map[string]any{"env": "owned-key"})
	wantErr(t, "owned", err,
		"functionEnv: SWITCHBOARD_STORE_TABLE is set by the stacks (from the prefix setting",
		"functionEnv: SWITCHBOARD_CONNECTORS_HUBSPOT_SECRET_ID is set by the stacks (from the secretPrefix setting",
		"functionEnv: SWITCHBOARD_IDENTITY_TOKEN_JWKS_URL is set by the stacks (from the identityJwksUrl setting")
}

// TestFunctionEnvTypoOfAnUnusedTool: a variable of a tool no function of the stage
// uses reaches no function, so only the whole-file check can name its typo.
func TestFunctionEnvTypoOfAnUnusedTool(t *testing.T) {
	_, err := load(t, map[string]any{"env": "unused-tool-typo"})
	wantErr(t, "salesforce typo", err, "SWITCHBOARD_CONNECTORS_SALESFORCE_LOGIN_ULR is not a setting (did you mean SWITCHBOARD_CONNECTORS_SALESFORCE_LOGIN_URL?)")
}

// TestFunctionThatWouldFailAtStart: Load runs each function's start-up check.
func TestFunctionThatWouldFailAtStart(t *testing.T) {
	_, err := load(t, map[string]any{"env": "missing-subdomain"})
	wantErr(t, "zendesk without subdomain", err, "function searchkb", "SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN")
}

// TestEnvPath: an environment file given by path (check --env-file) loads like one
// named by env, and errors name the file.
func TestEnvPath(t *testing.T) {
	path := filepath.Join(fixtures, "infra", "env", "demo-tool.yaml")
	_, err := settings.Load(settings.Sources{EnvPath: path})
	wantErr(t, "by path", err, path+": ", `"demo" is refused`)
	if _, err := settings.Load(settings.Sources{EnvPath: filepath.Join(fixtures, "infra", "env", "good.yaml")}); err != nil {
		t.Error(err)
	}
}

// TestErrorsHaveNoInfraPrefix: the CDK app prefixes its errors with "infra: " once;
// the settings' own errors carry none (no "infra: infra:").
func TestErrorsHaveNoInfraPrefix(t *testing.T) {
	for _, ov := range []map[string]any{{"env": "nosuch"}, {"env": "bad-rollout"}, {"env": "missing-subdomain"}, {"env": "good", "memoryMb": "lots"}} {
		_, err := load(t, ov)
		if err == nil || strings.HasPrefix(err.Error(), "infra") || strings.Contains(err.Error(), "infra:") {
			t.Errorf("%v: %v", ov, err)
		}
	}
	for _, args := range [][]string{{"--all"}, {"-c"}, {"-c", "x"}} {
		if _, err := settings.ParseArgs(args); err == nil || strings.HasPrefix(err.Error(), "infra") {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// TestOwnedEnvCoversWhatTheStacksSet: every variable of every function's environment
// that does not come from functionEnv is in OwnedEnv, so functionEnv can never be
// silently overridden (settings as full as they get: identity, codes, every stage).
func TestOwnedEnvCoversWhatTheStacksSet(t *testing.T) {
	s, err := settings.FromContext(func(k string) any {
		return map[string]any{
			"rollout": "payments", "identitySecret": "x/key", "identityJwksUrl": "https://id.example.com/jwks",
			"identityIssuer": "iss", "identityAudience": "aud", "sesIdentity": "example.com", "codesFrom": "c@example.com",
			"functionEnv": map[string]any{"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN": "acme"},
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	owned := settings.OwnedEnv()
	isOwned := func(k string) bool {
		if _, ok := owned[k]; ok {
			return true
		}
		for n := range owned {
			if strings.HasSuffix(n, "_") && strings.HasPrefix(k, n) {
				return true
			}
		}
		return false
	}
	envs := []map[string]string{s.RouterDeployedEnv(map[conversation.Intent]string{conversation.LookupCustomer: "arn"})}
	for _, f := range s.Functions() {
		envs = append(envs, s.DeployedEnv(f))
	}
	for _, env := range envs {
		for k := range env {
			if _, fromFile := s.FunctionEnv[k]; !fromFile && !isOwned(k) {
				t.Errorf("%s is set by the stacks but not in OwnedEnv", k)
			}
		}
	}
	// Every owned name is one a function reads (or a prefix of ones it does).
	for k := range owned {
		if strings.HasSuffix(k, "_") {
			continue
		}
		if !slices.Contains(config.EnvNames(), k) {
			t.Errorf("OwnedEnv names %s, which is no setting", k)
		}
	}
}

// TestEveryToolSecretHasAShape: the summary and docs show each tool's secret; a tool
// registered with a secret must say what it holds.
func TestEveryToolSecretHasAShape(t *testing.T) {
	for _, tl := range config.Tools() {
		if _, ok := settings.SecretIDEnv(tl.Name); ok && settings.ToolSecretShapes[tl.Name] == "" {
			t.Errorf("tool %s has a secret but no entry in ToolSecretShapes", tl.Name)
		}
	}
}

// TestBedrockAgentArns: the agents allowed to invoke the router are a comma-separated
// list of agent ARNs; anything else is refused naming the setting and the shape.
func TestBedrockAgentArns(t *testing.T) {
	const a, b = "arn:aws:bedrock:eu-west-1:123456789012:agent/AGT7K2Q9XZ", "arn:aws:bedrock:us-east-1:123456789012:agent/BGT1Z2Y3W4"
	s, err := load(t, map[string]any{"env": "good", "bedrockAgentArns": a + ", " + b})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.BedrockAgentARNs, []string{a, b}) {
		t.Errorf("BedrockAgentARNs = %v", s.BedrockAgentARNs)
	}
	if acct, ok := settings.BedrockAgentAccount(a); !ok || acct != "123456789012" {
		t.Errorf("account of %s = %q %v", a, acct, ok)
	}
	for _, bad := range []string{"arn:aws:bedrock:eu-west-1:123456789012:agent/*", "arn:aws:lex:eu-west-1:123456789012:bot-alias/A/B",
		"arn:aws:bedrock:eu-west-1:123456789012:agent-alias/AGT7K2Q9XZ/TSTALIASID", "arn:aws:bedrock:eu-west-1:1234:agent/X", "AGT7K2Q9XZ"} {
		_, err := load(t, map[string]any{"env": "good", "bedrockAgentArns": bad})
		wantErr(t, bad, err, "bedrockAgentArns: ", "is not arn:aws:bedrock:<region>:<account>:agent/<agentId>")
	}
}
