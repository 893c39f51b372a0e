package stacks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// The rollback alarm kinds on what customers see, beside the Lambda error rate and p99:
// the handler answers every failure politely and never raises a Lambda error, so a
// version that fails every turn is only visible in the turns' outcomes.
const (
	AlarmFailedTurns = "failed-turns"
	AlarmFallbacks   = "fallback-replies"
	AlarmToolErrors  = "tool-errors"
)

// toolsOf returns the business tools function f calls, sorted, without duplicates.
func (s Settings) toolsOf(f Function) []string {
	var out []string
	for _, c := range f.Uses {
		if t := s.Tools[c]; t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// canaryAlarms creates an intent function's outcome-ratio rollback alarms: failed turns
// and fallback replies per turn of its intent, and tool errors (other than not found)
// per call of the tools it uses, all of functionVersion ("<function>:<version>", the
// version being deployed) alone. Periods are one minute; two of three breaching minutes
// alarm, so one unlucky turn at low traffic does not roll a good version back.
func canaryAlarms(scope constructs.Construct, s Settings, f Function, functionVersion string) []awscloudwatch.IAlarm {
	minute := awscdk.Duration_Minutes(jsii.Number(1))
	intentDims := map[string]string{metricdefs.DimIntent: string(f.Intent), metricdefs.DimFunctionVersion: functionVersion}
	ratio := func(label, expr string, metrics map[string]awscloudwatch.IMetric) awscloudwatch.IMetric {
		return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String(expr), UsingMetrics: &metrics, Label: jsii.String(label), Period: minute,
		})
	}
	alarm := func(id, kind string, metric awscloudwatch.IMetric, threshold float64, what string) awscloudwatch.IAlarm {
		return awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(s.alarmName(kind, f.Name)),
			AlarmDescription:   jsii.String(s.alarmDescription(kind, what+" CodeDeploy rolls back a deployment in progress.")),
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(3),
			DatapointsToAlarm:  jsii.Number(2),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
	}
	turns := s.emfMetric(metricdefs.Turns, "Sum", minute, intentDims)
	failed := alarm("FailedTurnsAlarm", AlarmFailedTurns,
		ratio(f.Name+" failed turns (%)", "100 * FILL(failed, 0) / MAX([FILL(turns, 0), 1])", map[string]awscloudwatch.IMetric{
			"failed": s.emfMetric(metricdefs.Failed, "Sum", minute, intentDims), "turns": turns,
		}), s.Canary.FailedTurnPercent,
		fmt.Sprintf("More than %g%% of %s turns were answered with an apology (Failed) in 2 of 3 minutes.", s.Canary.FailedTurnPercent, f.Intent))
	fallback := alarm("FallbacksAlarm", AlarmFallbacks,
		ratio(f.Name+" fallback replies (%)", "100 * FILL(fallback, 0) / MAX([FILL(turns, 0), 1])", map[string]awscloudwatch.IMetric{
			"fallback": s.emfMetric(metricdefs.FallbackReplies, "Sum", minute, intentDims), "turns": turns,
		}), s.Canary.FallbackPercent,
		fmt.Sprintf("More than %g%% of %s turns were answered from a fallback (stale cache or a degraded reply) in 2 of 3 minutes.", s.Canary.FallbackPercent, f.Intent))
	out := []awscloudwatch.IAlarm{failed, fallback}

	// Tool errors per call: the errors of every fault class (everything but not_found)
	// over the calls, summed across the function's tools. CloudWatch allows 10 metrics
	// in an alarm's expression, so the fault classes are counted as all errors less
	// not_found.
	metrics := map[string]awscloudwatch.IMetric{}
	var errs, calls []string
	for i, tool := range s.toolsOf(f) {
		td := map[string]string{metricdefs.DimTool: tool, metricdefs.DimFunctionVersion: functionVersion}
		nf := map[string]string{metricdefs.DimTool: tool, metricdefs.DimErrorClass: metricdefs.ErrorClassNotFound, metricdefs.DimFunctionVersion: functionVersion}
		e, n, c := fmt.Sprintf("e%d", i), fmt.Sprintf("nf%d", i), fmt.Sprintf("c%d", i)
		metrics[e] = s.emfMetric(metricdefs.Errors, "Sum", minute, td)
		metrics[n] = s.emfMetric(metricdefs.Errors, "Sum", minute, nf)
		metrics[c] = s.emfMetric(metricdefs.Calls, "Sum", minute, td)
		errs = append(errs, fmt.Sprintf("FILL(%s, 0) - FILL(%s, 0)", e, n))
		calls = append(calls, fmt.Sprintf("FILL(%s, 0)", c))
	}
	if len(calls) > 0 {
		expr := fmt.Sprintf("100 * (%s) / MAX([%s, 1])", strings.Join(errs, " + "), strings.Join(calls, " + "))
		out = append(out, alarm("ToolErrorsAlarm", AlarmToolErrors, ratio(f.Name+" tool errors (%)", expr, metrics), s.Canary.ToolErrorPercent,
			fmt.Sprintf("More than %g%% of the calls to %s (the tools %s uses) failed with an error other than not found in 2 of 3 minutes.",
				s.Canary.ToolErrorPercent, strings.Join(s.toolsOf(f), ", "), f.Name)))
	}
	return out
}

// RollbackAlarmKinds returns the alarm kinds that roll back the deployment of an intent
// function (router: the error rate, p99 and the outcomes of the turns it relays).
func RollbackAlarmKinds(intent bool) []string {
	if !intent {
		return []string{AlarmErrorRate, AlarmLatency, AlarmFailedTurns, AlarmFallbacks}
	}
	return []string{AlarmErrorRate, AlarmLatency, AlarmFailedTurns, AlarmFallbacks, AlarmToolErrors}
}

// routerAlarms creates the router's customer-outcome rollback alarms: failed turns and
// fallback replies among the turns it relayed, judged by the outcome each intent
// function's reply carried (the RelayedTurns, RelayedFailed and RelayedFallbacks EMF
// metrics the router emits per intent), summed over the enabled intents, of
// functionVersion (the router version being deployed) alone. A router version that
// answers every turn politely but wrongly (misroutes, relays nothing readable, fails
// every forward) raises no Lambda error; these alarms roll it back. The thresholds are
// the intent functions' (failedTurnPercent, fallbackPercent).
func routerAlarms(scope constructs.Construct, s Settings, name, functionVersion string) []awscloudwatch.IAlarm {
	minute := awscdk.Duration_Minutes(jsii.Number(1))
	intents := s.EnabledIntents()
	ratio := func(id, kind string, part metricdefs.Metric, threshold float64, label, what string) awscloudwatch.IAlarm {
		// The router publishes its relayed turns per version over every intent too
		// (metricdefs.ScopeRelay's roll-up), so the alarm reads two metrics however many
		// intents are enabled: CloudWatch allows ten in an alarm's expression, and two per
		// intent stopped a sixth.
		d := map[string]string{metricdefs.DimFunctionVersion: functionVersion}
		metrics := map[string]awscloudwatch.IMetric{
			"p": s.emfMetric(part, "Sum", minute, d),
			"t": s.emfMetric(metricdefs.RelayedTurns, "Sum", minute, d),
		}
		expr := "100 * FILL(p, 0) / MAX([FILL(t, 0), 1])"
		return awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
			AlarmName:        jsii.String(s.alarmName(kind, name)),
			AlarmDescription: jsii.String(s.alarmDescription(kind, what+" CodeDeploy rolls back a deployment in progress.")),
			Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
				Expression: jsii.String(expr), UsingMetrics: &metrics, Label: jsii.String(name + " " + label), Period: minute,
			}),
			Threshold:          jsii.Number(threshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(3),
			DatapointsToAlarm:  jsii.Number(2),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
	}
	if len(intents) == 0 {
		return nil
	}
	return []awscloudwatch.IAlarm{
		ratio("FailedTurnsAlarm", AlarmFailedTurns, metricdefs.RelayedFailed, s.Canary.FailedTurnPercent, "relayed failed turns (%)",
			fmt.Sprintf("More than %g%% of the turns %s relayed came back failed, rejected, without an outcome, or not at all, in 2 of 3 minutes.", s.Canary.FailedTurnPercent, name)),
		ratio("FallbacksAlarm", AlarmFallbacks, metricdefs.RelayedFallbacks, s.Canary.FallbackPercent, "relayed fallback replies (%)",
			fmt.Sprintf("More than %g%% of the turns %s relayed came back as a fallback (a degraded answer, or its own apology for a failed forward) in 2 of 3 minutes.", s.Canary.FallbackPercent, name)),
	}
}
