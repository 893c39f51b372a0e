package stacks

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// emfMetric is one of Switchboard's own EMF metrics (names, namespace and dimension
// keys from metricdefs, the definition the emitter uses), for this deployment's
// Service dimension.
func (s Settings) emfMetric(m metricdefs.Metric, stat string, period awscdk.Duration, dims map[string]string) awscloudwatch.IMetric {
	dm := map[string]*string{metricdefs.DimService: jsii.String(s.Prefix)}
	for k, v := range dims {
		dm[k] = jsii.String(v)
	}
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(metricdefs.Namespace),
		MetricName:    jsii.String(m.Name),
		DimensionsMap: &dm,
		Statistic:     jsii.String(stat),
		Period:        period,
		Label:         jsii.String(m.Name + " " + stat),
	})
}

// ToolsInUse returns the business tools the deployed functions call, sorted.
func (s Settings) ToolsInUse() []string {
	seen := map[string]bool{}
	for _, f := range s.Functions() {
		for _, c := range f.Uses {
			seen[s.Tools[c]] = true
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// addIntentTurns charts the turn outcomes an intent's handler reports (EMF).
func (ms *MonitoringStack) addIntentTurns(s Settings, in conversation.Intent, period awscdk.Duration) {
	dims := map[string]string{metricdefs.DimIntent: string(in)}
	m := func(d metricdefs.Metric, stat string) awscloudwatch.IMetric {
		return s.emfMetric(d, stat, period, dims)
	}
	ms.Dashboard.AddWidgets(
		graph("Turns: answered / fulfilled / failed / fallback / locale fallback", 12,
			m(metricdefs.Turns, "Sum"), m(metricdefs.Fulfilled, "Sum"), m(metricdefs.Failed, "Sum"), m(metricdefs.FallbackReplies, "Sum"), m(metricdefs.LocaleFallbacks, "Sum")),
		graph("Turn latency p50 / p95 / p99 (ms)", 12,
			m(metricdefs.TurnLatency, "p50"), m(metricdefs.TurnLatency, "p95"), m(metricdefs.TurnLatency, "p99")),
	)
	// What the router relayed, by the outcome the replies carried (its canary), and the
	// replies the bot's own definition made impossible (a Lex slot the intent lacks).
	ms.Dashboard.AddWidgets(
		graph("Relayed by the router: turns / failed / fallback", 12,
			m(metricdefs.RelayedTurns, "Sum"), m(metricdefs.RelayedFailed, "Sum"), m(metricdefs.RelayedFallbacks, "Sum")),
		graph("Bot configuration errors", 12, m(metricdefs.ConfigErrors, "Sum")),
	)
}

// addToolMetrics adds a dashboard row per business tool in use and the alarms on the
// tools' health: authentication failures (rotated or revoked credentials) and circuit
// breakers opening (the tool is failing and users get fallbacks).
func (ms *MonitoringStack) addToolMetrics(s Settings, period awscdk.Duration) {
	for _, tool := range s.ToolsInUse() {
		dims := map[string]string{metricdefs.DimTool: tool}
		m := func(d metricdefs.Metric, stat string) awscloudwatch.IMetric {
			return s.emfMetric(d, stat, period, dims)
		}
		ms.Dashboard.AddWidgets(awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
			Markdown: jsii.String("### tool: " + tool), Width: jsii.Number(24), Height: jsii.Number(1),
		}))
		ms.Dashboard.AddWidgets(
			graph("Calls / retries", 4, m(metricdefs.Calls, "Sum"), m(metricdefs.Retries, "Sum")),
			graph("Errors", 4, m(metricdefs.Errors, "Sum")),
			graph("Latency p50 / p95 / p99 (ms)", 8, m(metricdefs.ToolLatency, "p50"), m(metricdefs.ToolLatency, "p95"), m(metricdefs.ToolLatency, "p99")),
			graph("Breaker opens / auth failures", 4, m(metricdefs.BreakerOpens, "Sum"), m(metricdefs.AuthFailures, "Sum")),
			graph("Cache hits / misses / stale served", 4, m(metricdefs.CacheHits, "Sum"), m(metricdefs.CacheMisses, "Sum"), m(metricdefs.StaleServed, "Sum")),
		)
		five := awscdk.Duration_Minutes(jsii.Number(5))
		// The auth layer retries once after refreshing credentials, so a lone 401 during
		// a rotation heals itself; repeated ones mean the secret is wrong.
		ms.add(AlarmAuthFailures, awscloudwatch.NewAlarm(ms.Stack, jsii.String("AuthFailures"+constructID(tool)), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(s.alarmName(AlarmAuthFailures, tool)),
			AlarmDescription:   jsii.String(s.alarmDescription(AlarmAuthFailures, fmt.Sprintf("%s rejected Switchboard's credentials 3 or more times in 5 minutes.", tool))),
			Metric:             s.emfMetric(metricdefs.AuthFailures, "Sum", five, dims),
			Threshold:          jsii.Number(3),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}))
		ms.add(AlarmBreakerOpen, awscloudwatch.NewAlarm(ms.Stack, jsii.String("BreakerOpen"+constructID(tool)), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(s.alarmName(AlarmBreakerOpen, tool)),
			AlarmDescription:   jsii.String(s.alarmDescription(AlarmBreakerOpen, fmt.Sprintf("The circuit breaker for %s opened: calls fail fast and users get fallback replies.", tool))),
			Metric:             m(metricdefs.BreakerOpens, "Sum"),
			Threshold:          jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}))
	}
}
