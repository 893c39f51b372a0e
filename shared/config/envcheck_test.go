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
