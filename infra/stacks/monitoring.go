package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// MonitoringStack holds the alarm topic, the dashboard and the alarms that do not gate
// deployments (those live beside their deployment groups in the functions stack and
// notify this topic). It charts functions by their fixed names, so it is deployed
// before the functions stack and does not depend on it.
type MonitoringStack struct {
	awscdk.Stack
	Topic     awssns.Topic
	Dashboard awscloudwatch.Dashboard
	Alarms    map[string][]awscloudwatch.IAlarm // by kind
}

// NewMonitoringStack creates the monitoring stack.
func NewMonitoringStack(scope constructs.Construct, id string, s Settings, data *DataStack, props *awscdk.StackProps) *MonitoringStack {
	st := awscdk.NewStack(scope, jsii.String(id), props)
	ms := &MonitoringStack{Stack: st, Alarms: map[string][]awscloudwatch.IAlarm{}}
	ms.Topic = awssns.NewTopic(st, jsii.String("Alarms"), &awssns.TopicProps{
		TopicName:   jsii.String(s.Prefix + "-alarms"),
		DisplayName: jsii.String("Switchboard alarms (" + s.Prefix + ")"),
	})
	if s.AlarmEmail != "" {
		ms.Topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(s.AlarmEmail), nil))
	}
	ms.Dashboard = awscloudwatch.NewDashboard(st, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName:   jsii.String(s.Prefix),
		DefaultInterval: awscdk.Duration_Hours(jsii.Number(3)),
	})
	minute := awscdk.Duration_Minutes(jsii.Number(1))

	names := []string{}
	titles := map[string]string{}
	intentOf := map[string]conversation.Intent{}
	for _, f := range s.Functions() {
		names = append(names, f.Name)
		titles[f.Name] = fmt.Sprintf("%s (%s)", f.Intent, f.Name)
		intentOf[f.Name] = f.Intent
	}
	names = append(names, RouterName)
	titles[RouterName] = "router (" + routedTitles() + " entry)"
	for _, name := range names {
		fn := s.FunctionName(name)
		m := func(metric, stat string) awscloudwatch.IMetric {
			return lambdaMetric(fn, metric, stat, minute)
		}
		ms.Dashboard.AddWidgets(awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
			Markdown: jsii.String("### " + titles[name]), Width: jsii.Number(24), Height: jsii.Number(1),
		}))
		ms.Dashboard.AddWidgets(
			graph("Invocations", 4, m("Invocations", "Sum")),
			graph("Errors", 4, m("Errors", "Sum")),
			graph("Duration p50 / p95 / p99 (ms)", 8, m("Duration", "p50"), m("Duration", "p95"), m("Duration", "p99")),
			graph("Throttles", 4, m("Throttles", "Sum")),
			graph("Concurrent executions", 4, m("ConcurrentExecutions", "Maximum")),
		)
		if in, ok := intentOf[name]; ok {
			ms.addIntentTurns(s, in, minute)
		}
		a := awscloudwatch.NewAlarm(st, jsii.String("Throttles"+constructID(name)), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(s.alarmName(AlarmThrottles, name)),
			AlarmDescription:   jsii.String(s.alarmDescription(AlarmThrottles, fmt.Sprintf("Lambda throttled %s in 2 of 5 minutes: platforms got errors instead of answers.", fn))),
			Metric:             m("Throttles", "Sum"),
			Threshold:          jsii.Number(0),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(5),
			DatapointsToAlarm:  jsii.Number(2),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		ms.add(AlarmThrottles, a)
	}

	// Store throttling: on-demand tables still throttle on sudden spikes past twice the
	// previous peak, and a throttled idempotency write fails the turn.
	tableMetric := func(metric string) awscloudwatch.IMetric {
		return data.Table.Metric(jsii.String(metric), &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: minute})
	}
	ddbThrottles := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String("FILL(r, 0) + FILL(w, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{"r": tableMetric("ReadThrottleEvents"), "w": tableMetric("WriteThrottleEvents")},
		Label:        jsii.String("store throttle events"),
		Period:       minute,
	})
	ms.add(AlarmDynamoThrottles, awscloudwatch.NewAlarm(st, jsii.String("DynamoThrottles"), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(s.alarmName(AlarmDynamoThrottles, "store")),
		AlarmDescription:   jsii.String(s.alarmDescription(AlarmDynamoThrottles, fmt.Sprintf("DynamoDB throttled reads or writes on %s in 2 of 5 minutes.", s.TableName()))),
		Metric:             ddbThrottles,
		Threshold:          jsii.Number(0),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(5),
		DatapointsToAlarm:  jsii.Number(2),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}))
	ms.Dashboard.AddWidgets(awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
		Markdown: jsii.String("### store (" + s.TableName() + ")"), Width: jsii.Number(24), Height: jsii.Number(1),
	}))
	ms.Dashboard.AddWidgets(
		graph("Throttle events", 8, tableMetric("ReadThrottleEvents"), tableMetric("WriteThrottleEvents")),
		graph("System errors", 8, tableMetric("SystemErrors")),
		graph("Conditional check failures (duplicate turns)", 8, tableMetric("ConditionalCheckFailedRequests")),
	)

	// Lookups are the bread and butter of every bot: a sudden drop means the platforms
	// stopped calling (webhook URL, auth, Lex code hook), which no error alarm sees.
	lookups := lambdaMetric(s.FunctionName(functionFor(conversation.LookupCustomer).Name), "Invocations", "Sum", awscdk.Duration_Minutes(jsii.Number(5)))
	low := awscloudwatch.NewAnomalyDetectionAlarm(st, jsii.String("LowLookupVolume"), &awscloudwatch.AnomalyDetectionAlarmProps{
		AlarmName:          jsii.String(s.alarmName(AlarmLowLookups, functionFor(conversation.LookupCustomer).Name)),
		AlarmDescription:   jsii.String(s.alarmDescription(AlarmLowLookups, "Customer lookups fell below the band CloudWatch anomaly detection expects for this time of day/week for 3 of 3 five-minute periods.")),
		Metric:             lookups,
		StdDevs:            jsii.Number(3),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_LOWER_THRESHOLD,
		EvaluationPeriods:  jsii.Number(3),
		// No data means no lookups at all: that is the very thing to catch.
		TreatMissingData: awscloudwatch.TreatMissingData_BREACHING,
	})
	ms.add(AlarmLowLookups, low)

	ms.addToolMetrics(s, minute)
	ms.addRefusals(s, minute)
	ms.addSynthetic(s)

	for _, as := range ms.Alarms {
		for _, a := range as {
			notify(a.(actionable), ms.Topic)
		}
	}
	ms.Dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title:  jsii.String("Alarms"),
		Alarms: ms.allAlarms(),
		Width:  jsii.Number(24),
	}))
	awscdk.NewCfnOutput(st, jsii.String("AlarmTopicArn"), &awscdk.CfnOutputProps{Value: ms.Topic.TopicArn()})
	return ms
}

func (ms *MonitoringStack) add(kind string, a awscloudwatch.IAlarm) {
	ms.Alarms[kind] = append(ms.Alarms[kind], a)
}

func (ms *MonitoringStack) allAlarms() *[]awscloudwatch.IAlarm {
	var out []awscloudwatch.IAlarm
	for _, k := range AlarmKinds {
		out = append(out, ms.Alarms[k]...)
	}
	return &out
}

func lambdaMetric(fn, metric, stat string, period awscdk.Duration) awscloudwatch.IMetric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String("AWS/Lambda"),
		MetricName:    jsii.String(metric),
		DimensionsMap: &map[string]*string{"FunctionName": jsii.String(fn)},
		Statistic:     jsii.String(stat),
		Period:        period,
	})
}

func graph(title string, width float64, metrics ...awscloudwatch.IMetric) awscloudwatch.GraphWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title:  jsii.String(title),
		Left:   &metrics,
		Width:  jsii.Number(width),
		Height: jsii.Number(6),
	})
}

func functionFor(in conversation.Intent) Function {
	for _, f := range IntentFunctions {
		if f.Intent == in {
			return f
		}
	}
	panic("stacks: no function for intent " + string(in))
}

// routedTitles names the platforms whose turns enter through the router (every one
// without a per-intent path): "Dialogflow ES, Amazon Lex V2, Rasa".
func routedTitles() string {
	var t []string
	for _, p := range names.Deployed() {
		if !p.IntentPath {
			t = append(t, p.Title)
		}
	}
	return strings.Join(t, ", ")
}
