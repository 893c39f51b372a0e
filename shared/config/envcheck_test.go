package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
)

func TestUnknownEnvironmentVariables(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string // "" = accepted
	}{
		{env: []string{"SWITCHBOARD_STORE_BACKEND=embedded", "SWITCHBOARD_CONFIG=x.yaml", "SWITCHBOARD_SECRET_HUBSPOT={}", "SWITCHBOARD_ROUTE_LOOKUP_CUSTOMER=arn", "PATH=/bin"}},
		{env: []string{"SWITCHBOARD_STORE_BACKNED=dynamodb"}, want: "SWITCHBOARD_STORE_BACKNED is not a setting (did you mean SWITCHBOARD_STORE_BACKEND?)"},
		{env: []string{"SWITCHBOARD_TELEMETRY_LOGLEVEL=debug"}, want: "did you mean SWITCHBOARD_TELEMETRY_LOG_LEVEL?"},
		{env: []string{"SWITCHBOARD_WHATEVER_THIS_IS=1"}, want: "SWITCHBOARD_WHATEVER_THIS_IS is not a setting"},
	} {
		_, err := config.Load("", tc.env)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.env, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to contain %q", tc.env, err, tc.want)
		}
	}
}

// TestVariablesOfUnlinkedTools: a function links only its own tools, so another
// tool's section is tolerated at start; UnknownTools (the CDK app's check, linking
// every tool) names it.
func TestVariablesOfUnlinkedTools(t *testing.T) {
	env := []string{"SWITCHBOARD_CONNECTORS_FRESHDESK_DOMAIN=acme"}
	if _, err := config.Load("", env); err != nil {
		t.Errorf("Load: %v", err)
	}
	if err := config.UnknownTools(env); err == nil || !strings.Contains(err.Error(), `no tool "freshdesk"`) {
		t.Errorf("UnknownTools = %v", err)
	}
}

// TestEnvNameOfEveryKey: the variables, named byte by byte, are every key upper-cased
// with "." and "-" turned into "_".
func TestEnvNameOfEveryKey(t *testing.T) {
	r := strings.NewReplacer(".", "_", "-", "_")
	var want []string
	for _, k := range config.Keys() {
		want = append(want, config.EnvPrefix+strings.ToUpper(r.Replace(k)))
	}
	slices.Sort(want)
	if got := config.EnvNames(); !slices.Equal(got, want) {
		t.Errorf("EnvNames() = %v,\nwant %v", got, want)
	}
}

// lambdaEnv has the shape of the environment the CDK app gives an intent function
// (not its values).
var lambdaEnv = []string{"PATH=/usr/bin", "AWS_REGION=us-east-1", config.EnvPrefix + "STORE_BACKEND=dynamodb",
	config.EnvPrefix + "STORE_TABLE=switchboard-store", config.EnvPrefix + "CONNECTORS_CUSTOMERS=hubspot",
	config.EnvPrefix + "CONNECTORS_TICKETS=zendesk", config.EnvPrefix + "CONNECTORS_PAYMENTS=none", config.EnvPrefix + "CONNECTORS_KB=none",
	config.EnvPrefix + "INTENTS_ENABLED=lookup_customer", config.EnvPrefix + "TELEMETRY_LOG_LEVEL=info",
	config.EnvPrefix + "CONNECTORS_ZENDESK_SUBDOMAIN=acme",
	config.EnvPrefix + "TELEMETRY_HASH_SALT=not-the-default", config.EnvPrefix + "IDENTITY_AUDIT_SINK=dynamodb",
	config.EnvPrefix + "IDENTITY_AUDIT_TABLE=switchboard-audit"}

// BenchmarkCheckEnv is the environment check every function runs at start (config.Load
// runs it). Allocations are exact: 2092 per check with a strings.Replacer built per
// key, 573 with each name built in one allocation (envJoin).
func BenchmarkCheckEnv(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := config.CheckEnv(lambdaEnv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad is config.Load as a function runs it at start: no file, the
// environment only (the check, the overlay, defaults, validation): 1013 allocations,
// 1470 with the names built as prefix + "_" + envKey(tag) and 775 in the check.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := config.Load("", lambdaEnv); err != nil {
			b.Fatal(err)
		}
	}
}
