package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// AlarmSynthetic is the alarm kind of a failing synthetic conversation.
const AlarmSynthetic = "synthetic-failure"

// syntheticMetric is one of the smoke function's synthetic metrics (EMF, namespace
// Switchboard) for this deployment and intent, optionally per platform.
func (s Settings) syntheticMetric(name, stat string, in conversation.Intent, p conversation.Platform) awscloudwatch.IMetric {
	dims := map[string]*string{metricdefs.DimService: jsii.String(s.Prefix), metricdefs.DimIntent: jsii.String(string(in))}
	label := name + " " + stat
	if p != "" {
		dims[metricdefs.DimPlatform] = jsii.String(string(p))
		label = string(p) + " " + stat
	}
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(metricdefs.Namespace),
		MetricName:    jsii.String(name),
		DimensionsMap: &dims,
		Statistic:     jsii.String(stat),
		Period:        awscdk.Duration_Minutes(jsii.Number(float64(s.Smoke.SyntheticMinutes))),
		Label:         jsii.String(label),
	})
}

// addSynthetic adds the synthetic conversations' dashboard row and, per intent they
// hold, the alarm on two consecutive failed runs. A run fails when any platform's
// answer is wrong (SyntheticSuccess minimum 0); a run that did not happen is missing
// data and counts as failed too: nobody is watching the answers then.
func (ms *MonitoringStack) addSynthetic(s Settings) {
	intents := s.SyntheticIntents()
	ms.Dashboard.AddWidgets(awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
		Markdown: jsii.String(fmt.Sprintf("### synthetic conversations (every %d minutes, known truth for the smoke customer)", s.Smoke.SyntheticMinutes)),
		Width:    jsii.Number(24), Height: jsii.Number(1),
	}))
	var widgets []awscloudwatch.IWidget
	for _, in := range intents {
		var ok, lat []awscloudwatch.IMetric
		for _, p := range DeployedPlatforms() {
			ok = append(ok, s.syntheticMetric(metricdefs.SyntheticSuccess, "Minimum", in, p))
			lat = append(lat, s.syntheticMetric(metricdefs.SyntheticLatency, "Maximum", in, p))
		}
		widgets = append(widgets,
			graph(string(in)+": success (1 = right answer)", 6, ok...),
			graph(string(in)+": latency (ms)", 6, lat...))
		ms.add(AlarmSynthetic, awscloudwatch.NewAlarm(ms.Stack, jsii.String("Synthetic"+constructID(idSafe(string(in)))), &awscloudwatch.AlarmProps{
			AlarmName: jsii.String(s.alarmName(AlarmSynthetic, string(in))),
			AlarmDescription: jsii.String(s.alarmDescription(AlarmSynthetic, fmt.Sprintf(
				"The synthetic %s conversation gave a wrong answer (or did not run) on 2 consecutive runs, %d minutes apart.", in, s.Smoke.SyntheticMinutes))),
			Metric:             s.syntheticMetric(metricdefs.SyntheticSuccess, "Minimum", in, ""),
			Threshold:          jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(2),
			DatapointsToAlarm:  jsii.Number(2),
			TreatMissingData:   awscloudwatch.TreatMissingData_BREACHING,
		}))
	}
	if len(widgets) > 0 {
		ms.Dashboard.AddWidgets(widgets...)
	}
}
