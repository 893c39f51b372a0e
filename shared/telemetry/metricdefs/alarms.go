package metricdefs

// Comparison operators, as CloudWatch names them.
const (
	GreaterThanThreshold          = "GreaterThanThreshold"
	GreaterThanOrEqualToThreshold = "GreaterThanOrEqualToThreshold"
)

// Alarm describes one CloudWatch alarm over Switchboard's metrics. The CDK app
// creates one alarm per value of PerDimension (one per intent, one per tool), or a
// single alarm when Fixed pins every dimension but Service.
type Alarm struct {
	// ID is a stable identifier, usable as a CDK construct id prefix.
	ID          string
	Description string
	// Metric is the alarmed metric. When Denominator is set the alarm is on the
	// percentage 100 * Metric / Denominator (metric math), both summed over Period.
	Metric      Metric
	Denominator *Metric
	// Statistic is "Sum", "Average", "Maximum" or a percentile such as "p99".
	Statistic string
	// Dimensions are the keys the alarmed series is identified by (one of the
	// metric's scope's dimension sets).
	Dimensions []string
	// PerDimension names the dimension whose values each get their own alarm
	// (DimIntent, DimTool), or "" for one alarm at the Dimensions given.
	PerDimension string
	// Fixed pins dimension values (e.g. Intent=lookup_customer).
	Fixed map[string]string

	PeriodSeconds     int
	EvaluationPeriods int
	DatapointsToAlarm int
	Threshold         float64
	Comparison        string
	// TreatMissingData is "notBreaching": no traffic is not an incident.
	TreatMissingData string
}

// Alarms are the alarms ops need: error rates, latency against the platforms'
// deadlines, credentials that stopped working, breakers that opened, and a lookup
// volume far above normal (someone enumerating customers through the bot).
func Alarms() []Alarm {
	calls, turns := Calls, Turns
	return []Alarm{
		{
			ID: "IntentFailureRate", Description: "More than 20% of an intent's turns failed over 15 minutes.",
			Metric: Failed, Denominator: &turns, Statistic: "Sum",
			Dimensions: []string{DimService, DimIntent}, PerDimension: DimIntent,
			PeriodSeconds: 300, EvaluationPeriods: 3, DatapointsToAlarm: 3,
			Threshold: 20, Comparison: GreaterThanThreshold, TreatMissingData: "notBreaching",
		},
		{
			ID: "TurnLatencyP99", Description: "p99 turn latency above 3.5 s: close to Dialogflow's 5 s webhook deadline.",
			Metric: TurnLatency, Statistic: "p99",
			Dimensions: []string{DimService, DimIntent}, PerDimension: DimIntent,
			PeriodSeconds: 300, EvaluationPeriods: 3, DatapointsToAlarm: 2,
			Threshold: 3500, Comparison: GreaterThanThreshold, TreatMissingData: "notBreaching",
		},
		{
			ID: "ToolErrorRate", Description: "More than 25% of a business tool's calls failed over 10 minutes.",
			Metric: Errors, Denominator: &calls, Statistic: "Sum",
			Dimensions: []string{DimService, DimTool}, PerDimension: DimTool,
			PeriodSeconds: 300, EvaluationPeriods: 2, DatapointsToAlarm: 2,
			Threshold: 25, Comparison: GreaterThanThreshold, TreatMissingData: "notBreaching",
		},
		{
			ID: "ToolLatencyP99", Description: "p99 latency of a business tool above 2 s.",
			Metric: ToolLatency, Statistic: "p99",
			Dimensions: []string{DimService, DimTool}, PerDimension: DimTool,
			PeriodSeconds: 300, EvaluationPeriods: 3, DatapointsToAlarm: 2,
			Threshold: 2000, Comparison: GreaterThanThreshold, TreatMissingData: "notBreaching",
		},
		{
			ID: "ToolAuthFailures", Description: "A business tool rejected Switchboard's credentials: rotate or fix the secret.",
			Metric: AuthFailures, Statistic: "Sum",
			Dimensions: []string{DimService, DimTool}, PerDimension: DimTool,
			PeriodSeconds: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1,
			Threshold: 1, Comparison: GreaterThanOrEqualToThreshold, TreatMissingData: "notBreaching",
		},
		{
			ID: "BreakerOpened", Description: "A business tool's circuit breaker opened: the tool is failing or slow.",
			Metric: BreakerOpens, Statistic: "Sum",
			Dimensions: []string{DimService, DimTool}, PerDimension: DimTool,
			PeriodSeconds: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1,
			Threshold: 1, Comparison: GreaterThanOrEqualToThreshold, TreatMissingData: "notBreaching",
		},
		{
			ID: "LookupVolumeHigh", Description: "Customer lookups far above normal over 5 minutes: possible enumeration through the bot.",
			Metric: Turns, Statistic: "Sum",
			Dimensions: []string{DimService, DimIntent}, Fixed: map[string]string{DimIntent: "lookup_customer"},
			PeriodSeconds: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1,
			Threshold: 1000, Comparison: GreaterThanThreshold, TreatMissingData: "notBreaching",
		},
	}
}

// Widget is one dashboard graph.
type Widget struct {
	Title string
	// Metrics are graphed together, each with Statistic, one line per value of
	// PerDimension (or one line at Dimensions when PerDimension is "").
	Metrics      []Metric
	Statistic    string
	Dimensions   []string
	PerDimension string
}

// Dashboard lists the widgets of the Switchboard dashboard, in display order.
func Dashboard() []Widget {
	intent := []string{DimService, DimIntent}
	tool := []string{DimService, DimTool}
	return []Widget{
		{Title: "Turns", Metrics: []Metric{Turns, Fulfilled, Failed, FallbackReplies}, Statistic: "Sum", Dimensions: []string{DimService}},
		{Title: "Turns by intent", Metrics: []Metric{Turns}, Statistic: "Sum", Dimensions: intent, PerDimension: DimIntent},
		{Title: "Failed turns by intent", Metrics: []Metric{Failed}, Statistic: "Sum", Dimensions: intent, PerDimension: DimIntent},
		{Title: "Turn latency p99 (ms)", Metrics: []Metric{TurnLatency}, Statistic: "p99", Dimensions: intent, PerDimension: DimIntent},
		{Title: "Tool calls", Metrics: []Metric{Calls}, Statistic: "Sum", Dimensions: tool, PerDimension: DimTool},
		{Title: "Tool errors", Metrics: []Metric{Errors}, Statistic: "Sum", Dimensions: tool, PerDimension: DimTool},
		{Title: "Tool latency p99 (ms)", Metrics: []Metric{ToolLatency}, Statistic: "p99", Dimensions: tool, PerDimension: DimTool},
		{Title: "Resilience", Metrics: []Metric{Retries, BreakerOpens, AuthFailures}, Statistic: "Sum", Dimensions: []string{DimService}},
		{Title: "Cache", Metrics: []Metric{CacheHits, CacheMisses, StaleServed}, Statistic: "Sum", Dimensions: []string{DimService}},
	}
}
