package stacks_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/infra/stacks"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/smoke"
)

// isSmoke reports whether a function name is a smoke hook or the synthetic function.
func isSmoke(sy *synth, name string) bool {
	return strings.HasPrefix(name, sy.s.FunctionName(stacks.SmokeName+"-")) || name == sy.s.FunctionName(stacks.SyntheticName)
}

func ref(v any) string { return strings.TrimSuffix(strings.TrimPrefix(flat(v), "{Ref:"), "}") }

// checkCanary: every deployment group rolls back on the Lambda error rate and p99 and,
// for an intent function, on the outcome ratios of its own intent and tools; for the
// router, on the outcome ratios of the turns it relays (RelayedFailed and
// RelayedFallbacks over RelayedTurns, every enabled intent); each a one-minute math
// expression over Switchboard's EMF metrics with the configured threshold.
func checkCanary(t *testing.T, sy *synth, want []string) {
	tj := sy.json[stacks.FunctionsStackID]
	alarms := tj.ofType("AWS::CloudWatch::Alarm")
	fnOfGroup := map[string]string{}
	for _, g := range tj.ofType("AWS::CodeDeploy::DeploymentGroup") {
		name := strings.TrimPrefix(flat(g.Properties["DeploymentGroupName"]), sy.s.Prefix+"-")
		fnOfGroup[name] = name
		var kinds []string
		for _, x := range g.Properties["AlarmConfiguration"].(map[string]any)["Alarms"].([]any) {
			a, ok := alarms[ref(x.(map[string]any)["Name"])]
			if !ok {
				t.Errorf("%s: rollback alarm %s is not in the stack", name, flat(x))
				continue
			}
			an := flat(a.Properties["AlarmName"])
			kind := strings.TrimSuffix(strings.TrimPrefix(an, sy.s.Prefix+"-"), "-"+name)
			kinds = append(kinds, kind)
			if kind == stacks.AlarmErrorRate || kind == stacks.AlarmLatency {
				continue
			}
			f := functionNamed(name)
			p := a.Properties
			metrics := flat(p["Metrics"])
			var threshold float64
			router := name == stacks.RouterName
			switch {
			case router && (kind == stacks.AlarmFailedTurns || kind == stacks.AlarmFallbacks):
				threshold, part := sy.s.Canary.FailedTurnPercent, "RelayedFailed"
				if kind == stacks.AlarmFallbacks {
					threshold, part = sy.s.Canary.FallbackPercent, "RelayedFallbacks"
				}
				for _, m := range []string{`"MetricName":"` + part + `"`, `"MetricName":"RelayedTurns"`} {
					if !strings.Contains(metrics, m) {
						t.Errorf("%s: %s alarm lacks %s: %s", name, kind, m, metrics)
					}
				}
				// Every enabled intent's relayed turns, as the router's roll-up per version
				// (metricdefs.ScopeRelay): two metrics, no Intent dimension, so the alarm
				// stays within CloudWatch's ten metrics whatever the number of intents.
				if strings.Contains(metrics, `"Name":"Intent"`) {
					t.Errorf("%s: %s alarm reads per-intent series, not the router's roll-up: %s", name, kind, metrics)
				}
				if n, v := strings.Count(metrics, `"MetricName":`), strings.Count(metrics, `{"Name":"FunctionVersion","Value":`); n != 2 || n != v ||
					!strings.Contains(metrics, sy.s.FunctionName(name)) {
					t.Errorf("%s: %s alarm does not watch the deployed router version alone (%d metrics, %d with a FunctionVersion): %s", name, kind, n, v, metrics)
				}
				if !strings.Contains(metrics, `"Expression":"100 * `) || p["Threshold"] != threshold || p["ComparisonOperator"] != "GreaterThanThreshold" {
					t.Errorf("%s: %s alarm is not a ratio over the threshold %v: %v %s", name, kind, threshold, p["Threshold"], metrics)
				}
				continue
			case kind == stacks.AlarmFailedTurns:
				threshold = sy.s.Canary.FailedTurnPercent
				for _, m := range []string{`"MetricName":"Failed"`, `"MetricName":"Turns"`} {
					if !strings.Contains(metrics, m) {
						t.Errorf("%s: %s alarm lacks %s: %s", name, kind, m, metrics)
					}
				}
			case kind == stacks.AlarmFallbacks:
				threshold = sy.s.Canary.FallbackPercent
				for _, m := range []string{`"MetricName":"FallbackReplies"`, `"MetricName":"Turns"`} {
					if !strings.Contains(metrics, m) {
						t.Errorf("%s: %s alarm lacks %s: %s", name, kind, m, metrics)
					}
				}
			case kind == stacks.AlarmToolErrors:
				threshold = sy.s.Canary.ToolErrorPercent
				// Every tool the function uses: its errors less not_found, over its calls.
				for _, c := range f.Uses {
					tool := sy.s.Tools[c]
					for _, m := range []string{`"MetricName":"Errors"`, `"MetricName":"Calls"`, `{"Name":"Tool","Value":"` + tool + `"}`,
						`{"Name":"ErrorClass","Value":"not_found"}`} {
						if !strings.Contains(metrics, m) {
							t.Errorf("%s: %s alarm lacks %s: %s", name, kind, m, metrics)
						}
					}
				}
			default:
				t.Errorf("%s: unexpected rollback alarm %s", name, an)
				continue
			}
			if kind != stacks.AlarmToolErrors && !strings.Contains(metrics, `{"Name":"Intent","Value":"`+string(f.Intent)+`"}`) {
				t.Errorf("%s: %s alarm does not watch intent %s: %s", name, kind, f.Intent, metrics)
			}
			if !strings.Contains(metrics, `{"Name":"Service","Value":"`+sy.s.Prefix+`"}`) || !strings.Contains(metrics, `"Namespace":"Switchboard"`) {
				t.Errorf("%s: %s alarm not on this deployment's EMF metrics: %s", name, kind, metrics)
			}
			// Every metric is the new version's own: FunctionVersion is the function's
			// name and the version the alias is moved to, resolved at deploy time.
			if n, v := strings.Count(metrics, `"MetricName":`), strings.Count(metrics, `{"Name":"FunctionVersion","Value":`); n == 0 || n != v ||
				!strings.Contains(metrics, sy.s.FunctionName(name)) || !strings.Contains(metrics, "GetAtt") {
				t.Errorf("%s: %s alarm does not watch the deployed version alone (%d metrics, %d with a FunctionVersion): %s", name, kind, n, v, metrics)
			}
			if !strings.Contains(metrics, `"Expression":"100 * `) || strings.Count(metrics, `"Period":60`) < 2 {
				t.Errorf("%s: %s alarm is not a one-minute ratio expression: %s", name, kind, metrics)
			}
			if p["Threshold"] != threshold || p["ComparisonOperator"] != "GreaterThanThreshold" || p["TreatMissingData"] != "notBreaching" {
				t.Errorf("%s: %s alarm threshold %v %v, missing data %v", name, kind, p["Threshold"], p["ComparisonOperator"], p["TreatMissingData"])
			}
		}
		sort.Strings(kinds)
		// The router answers every turn politely even when it relays wrongly: its
		// canary must watch the outcomes of what it relays, not only Lambda errors.
		if name == stacks.RouterName && (!slices.Contains(kinds, stacks.AlarmFailedTurns) || !slices.Contains(kinds, stacks.AlarmFallbacks)) {
			t.Errorf("the router's deployment group rolls back on %v: no customer-outcome alarm on the turns it relays", kinds)
		}
		wantKinds := slices.Clone(stacks.RollbackAlarmKinds(name != stacks.RouterName))
		sort.Strings(wantKinds)
		if !slices.Equal(kinds, wantKinds) {
			t.Errorf("%s rolls back on %v, want %v", name, kinds, wantKinds)
		}
	}
	if len(fnOfGroup) != len(want)+1 {
		t.Errorf("deployment groups %v", fnOfGroup)
	}
}

func functionNamed(name string) stacks.Function {
	for _, f := range stacks.IntentFunctions {
		if f.Name == name {
			return f
		}
	}
	return stacks.Function{}
}

// checkSmoke: every deployment group's alias runs its smoke hook before traffic
// shifts; the hook may invoke only the new version of the function it tests and report
// only to the application's deployment groups; the synthetic conversations run on
// the schedule against the live aliases, with an alarm per intent and a dashboard row.
func checkSmoke(t *testing.T, sy *synth, want []string) {
	tj := sy.json[stacks.FunctionsStackID]
	pols := policies(t, sy)
	fns := tj.ofType("AWS::Lambda::Function")
	groups := tj.ofType("AWS::CodeDeploy::DeploymentGroup")
	apps := tj.ofType("AWS::CodeDeploy::Application")
	var appID string
	for id := range apps {
		appID = id
	}
	nameOf := func(id string) string {
		return strings.TrimPrefix(flat(fns[id].Properties["FunctionName"]), sy.s.Prefix+"-")
	}
	hooks := 0
	for aliasID, a := range tj.ofType("AWS::Lambda::Alias") {
		fn := nameOf(ref(a.Properties["FunctionName"]))
		upd, _ := a.UpdatePolicy["CodeDeployLambdaAliasUpdate"].(map[string]any)
		hookID := ref(upd["BeforeAllowTrafficHook"])
		hook, ok := fns[hookID]
		if !ok || nameOf(hookID) != stacks.SmokeName+"-"+fn {
			t.Errorf("%s: BeforeAllowTrafficHook %s is not its smoke function", fn, flat(upd["BeforeAllowTrafficHook"]))
			continue
		}
		hooks++
		if !slices.Contains(a.DependsOn, hookID) {
			t.Errorf("%s: alias %s does not wait for the hook's update (DependsOn %v)", fn, aliasID, a.DependsOn)
		}
		// The hook's targets: every platform of the function's intents, all on the new
		// version (the one the alias is about to get).
		version := flat(a.Properties["FunctionVersion"]) // {GetAtt:<VersionId>.Version}
		versionID := strings.TrimSuffix(strings.TrimPrefix(version, "{GetAtt:"), ".Version}")
		env := hook.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		targets := flat(env[smoke.EnvTargets])
		intents := sy.s.EnabledIntents()
		if fn != stacks.RouterName {
			intents = []conversation.Intent{functionNamed(fn).Intent}
		}
		for _, in := range intents {
			for _, p := range stacks.DeployedPlatforms() {
				if !strings.Contains(targets, fmt.Sprintf("%s/%s={Ref:%s}", in, p, versionID)) {
					t.Errorf("%s: hook targets %s lack %s/%s on version %s", fn, targets, in, p, versionID)
				}
			}
		}
		if strings.Count(targets, "=") != len(intents)*len(stacks.DeployedPlatforms()) {
			t.Errorf("%s: hook targets %s", fn, targets)
		}
		if flat(hook.Properties["Code"]) == "" || hook.Properties["Timeout"] != stacks.SmokeTimeout.Seconds() {
			t.Errorf("%s: hook timeout %v", fn, hook.Properties["Timeout"])
		}
		// IAM: invoke exactly that version; report only to this application's groups.
		var invoke, report []string
		for _, st := range pols[stacks.SmokeName+"-"+fn] {
			acts, res := actions(st), resources(st)
			switch {
			case slices.Equal(acts, []string{"lambda:InvokeFunction"}):
				invoke = append(invoke, res...)
			case slices.Equal(acts, []string{"codedeploy:PutLifecycleEventHookExecutionStatus"}):
				report = append(report, res...)
			case strings.HasPrefix(acts[0], "logs:"):
			case st["Sid"] == "ReadWebhookSecrets":
				// The webhook credentials its conversations present (webhooks_test.go).
			case strings.HasPrefix(acts[0], "secretsmanager:") && sy.s.IdentitySecret != "" &&
				len(res) == 1 && strings.HasSuffix(res[0], ":secret:"+sy.s.IdentitySecret+"-??????"):
				// The identity token key: the smoke customer signs in as the site would.
			default:
				t.Errorf("smoke-%s: unexpected statement %v on %v", fn, acts, res)
			}
		}
		if !slices.Equal(invoke, []string{"{Ref:" + versionID + "}"}) {
			t.Errorf("smoke-%s may invoke %v, want only the new version {Ref:%s}", fn, invoke, versionID)
		}
		if len(report) != 1 || !strings.Contains(report[0], ":deploymentgroup:{Ref:"+appID+"}/{Ref:") {
			t.Errorf("smoke-%s reports to %v, want a deployment group of application %s", fn, report, appID)
		} else if _, ok := groups[strings.TrimSuffix(report[0][strings.LastIndex(report[0], "{Ref:")+5:], "}")]; !ok {
			t.Errorf("smoke-%s reports to %v, not a deployment group of this stack", fn, report)
		}
	}
	if hooks != len(want)+1 {
		t.Errorf("%d deployment groups have a smoke hook, want %d", hooks, len(want)+1)
	}

	// The synthetic conversations: a schedule, live aliases only, the EMF and alarms.
	var synID string
	for id := range fns {
		if nameOf(id) == stacks.SyntheticName {
			synID = id
		}
	}
	if synID == "" {
		t.Fatal("no synthetic function")
	}
	rules := tj.ofType("AWS::Events::Rule")
	if len(rules) != 1 {
		t.Fatalf("%d event rules", len(rules))
	}
	for _, r := range rules {
		p := r.Properties
		if p["ScheduleExpression"] != fmt.Sprintf("rate(%d minutes)", sy.s.Smoke.SyntheticMinutes) || p["State"] != "ENABLED" {
			t.Errorf("schedule %v %v", p["ScheduleExpression"], p["State"])
		}
		tg := flat(p["Targets"])
		if !strings.Contains(tg, "{GetAtt:"+synID+".Arn}") || !strings.Contains(tg, `"Input":"{\"switchboard\":\"synthetic\"}"`) {
			t.Errorf("schedule targets %s", tg)
		}
	}
	env := fns[synID].Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	targets := flat(env[smoke.EnvTargets])
	for _, in := range sy.s.SyntheticIntents() {
		for _, p := range stacks.DeployedPlatforms() {
			if !strings.Contains(targets, string(in)+"/"+string(p)+"={Ref:") {
				t.Errorf("synthetic targets lack %s/%s: %s", in, p, targets)
			}
		}
	}
	if strings.Contains(targets, string(conversation.CreateTicket)) != (sy.s.Smoke.TicketSandbox != "" && slices.Contains(want, "createticket")) {
		t.Errorf("synthetic create-ticket conversations without a sandbox: %s", targets)
	}
	for _, st := range pols[stacks.SyntheticName] {
		if acts := actions(st); acts[0] == "lambda:InvokeFunction" {
			for _, r := range resources(st) {
				a, ok := tj.Resources[ref(r)]
				if !ok || a.Type != "AWS::Lambda::Alias" || a.Properties["Name"] != stacks.AliasName {
					t.Errorf("synthetic may invoke %s, not a live alias", r)
				}
			}
		} else if strings.HasPrefix(acts[0], "secretsmanager:") && st["Sid"] != "ReadWebhookSecrets" {
			if res := resources(st); sy.s.IdentitySecret == "" || len(res) != 1 || !strings.HasSuffix(res[0], ":secret:"+sy.s.IdentitySecret+"-??????") {
				t.Errorf("synthetic reads secrets %v, want only the identity token key", res)
			}
		} else if !strings.HasPrefix(acts[0], "logs:") && st["Sid"] != "ReadWebhookSecrets" {
			t.Errorf("synthetic: unexpected statement %v", acts)
		}
	}

	mj := sy.json[stacks.MonitoringStackID]
	var synAlarms []string
	for _, a := range mj.ofType("AWS::CloudWatch::Alarm") {
		p := a.Properties
		if !strings.Contains(flat(p["AlarmName"]), stacks.AlarmSynthetic) {
			continue
		}
		synAlarms = append(synAlarms, flat(p["AlarmName"]))
		m := flat(p["Metrics"])
		if !strings.Contains(m, `"MetricName":"`+smoke.MetricSuccess+`"`) || !strings.Contains(m, `"Stat":"Minimum"`) || p["Threshold"] != 1.0 ||
			p["ComparisonOperator"] != "LessThanThreshold" || p["EvaluationPeriods"] != 2.0 || p["DatapointsToAlarm"] != 2.0 ||
			!strings.Contains(m, fmt.Sprintf(`"Period":%d,`, 60*sy.s.Smoke.SyntheticMinutes)) || p["TreatMissingData"] != "breaching" ||
			strings.Contains(m, `"Name":"Platform"`) {
			t.Errorf("synthetic alarm %s: %s", flat(p["AlarmName"]), flat(p))
		}
	}
	if len(synAlarms) != len(sy.s.SyntheticIntents()) {
		t.Errorf("synthetic alarms %v, want one per %v", synAlarms, sy.s.SyntheticIntents())
	}
	for _, d := range mj.ofType("AWS::CloudWatch::Dashboard") {
		body := flat(d.Properties["DashboardBody"])
		for _, in := range sy.s.SyntheticIntents() {
			for _, m := range []string{smoke.MetricSuccess, smoke.MetricLatency} {
				if !strings.Contains(body, `["Switchboard","`+m+`","Intent","`+string(in)+`"`) {
					t.Errorf("dashboard lacks %s for %s", m, in)
				}
			}
		}
	}
}

func TestCanarySettings(t *testing.T) {
	get := func(m map[string]any) stacks.Getter { return func(k string) any { return m[k] } }
	s, err := stacks.SettingsFromContext(get(map[string]any{"failedTurnPercent": "3", "toolErrorPercent": 8,
		"smoke.email": "smoke@example.org", "smoke.ticketSandbox": "zendesk sandbox", "syntheticMinutes": "10"}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Canary.FailedTurnPercent != 3 || s.Canary.ToolErrorPercent != 8 || s.Canary.FallbackPercent != 5 ||
		s.Smoke.Email != "smoke@example.org" || s.Smoke.TicketSandbox == "" || s.Smoke.SyntheticMinutes != 10 {
		t.Fatalf("%+v %+v", s.Canary, s.Smoke)
	}
	// A threshold is a share of the new version's own turns: anything between 0 and 100
	// works with any traffic step (the ratios no longer mix in the old version's).
	for _, bad := range []map[string]any{{"failedTurnPercent": 100}, {"fallbackPercent": 0}, {"toolErrorPercent": -1},
		{"syntheticMinutes": 0}, {"smoke.email": "nobody"}} {
		if _, err := stacks.SettingsFromContext(get(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	for _, good := range []map[string]any{{"failedTurnPercent": 10}, {"toolErrorPercent": 50, "deploymentConfig": "LINEAR_10PERCENT_EVERY_1MINUTE"},
		{"toolErrorPercent": 50, "deploymentConfig": "ALL_AT_ONCE"}} {
		if _, err := stacks.SettingsFromContext(get(good)); err != nil {
			t.Errorf("%v: %v", good, err)
		}
	}
}
