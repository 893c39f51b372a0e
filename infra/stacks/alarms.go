package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
)

// Alarm kinds. Each has a runbook at docs/runbooks/<kind>.md, linked from every alarm
// description of that kind, so whoever is paged lands on what to do.
const (
	AlarmErrorRate       = "error-rate"
	AlarmLatency         = "p99-latency"
	AlarmThrottles       = "throttles"
	AlarmDynamoThrottles = "dynamodb-throttles"
	AlarmAuthFailures    = "auth-failures"
	AlarmBreakerOpen     = "breaker-open"
	AlarmLowLookups      = "low-lookup-volume"
)

// AlarmKinds lists every alarm kind.
var AlarmKinds = []string{AlarmErrorRate, AlarmLatency, AlarmThrottles, AlarmDynamoThrottles,
	AlarmAuthFailures, AlarmBreakerOpen, AlarmLowLookups,
	AlarmFailedTurns, AlarmFallbacks, AlarmToolErrors, AlarmSynthetic}

// RunbookPath is the repository path of an alarm kind's runbook.
func RunbookPath(kind string) string { return "docs/runbooks/" + kind + ".md" }

// runbookLink is what an alarm description points at: the runbook under the configured
// base URL (a repository browse URL), or its repository path when none is set.
func (s Settings) runbookLink(kind string) string {
	if s.RunbookBaseURL != "" {
		return s.RunbookBaseURL + kind + ".md"
	}
	return RunbookPath(kind)
}

// alarmName is the physical alarm name: prefix, kind, subject.
func (s Settings) alarmName(kind, subject string) string {
	return fmt.Sprintf("%s-%s-%s", s.Prefix, kind, subject)
}

func (s Settings) alarmDescription(kind, what string) string {
	return fmt.Sprintf("%s Runbook: %s", what, s.runbookLink(kind))
}

// actionable is an alarm that takes actions (Alarm and AnomalyDetectionAlarm).
type actionable interface {
	AddAlarmAction(actions ...awscloudwatch.IAlarmAction)
	AddOkAction(actions ...awscloudwatch.IAlarmAction)
}

// notify sends an alarm's transitions into and out of ALARM to the topic, so the
// recovery is visible too.
func notify(a actionable, topic awssns.ITopic) {
	action := awscloudwatchactions.NewSnsAction(topic)
	a.AddAlarmAction(action)
	a.AddOkAction(action)
}
