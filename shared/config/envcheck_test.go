package config_test

import (
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
