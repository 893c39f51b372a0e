package metricdefs

// Namespace is the CloudWatch namespace every Switchboard metric is published in.
const Namespace = "Switchboard"

// Dimension keys. Only these are ever used as dimensions: each has a small, closed
// set of values (no session ids, emails or request ids, which would create one
// custom metric per user).
const (
	DimService    = "Service"    // the deployment's service name (config: service)
	DimIntent     = "Intent"     // canonical intent, or "unknown"
	DimTool       = "Tool"       // business tool: hubspot, salesforce, zendesk, stripe, sql, demo, …
	DimErrorClass = "ErrorClass" // connector.Kind string: not_found, unauthorized, rate_limited, …
	DimReason     = "Reason"     // why a webhook call was refused: auth, rate, size, depth, inflate
	// DimFunctionVersion is "<Lambda function name>:<version>" on Lambda (one value per
	// published version): the canary's rollback alarms watch the new version's own
	// turns and tool calls, not the mix of old and new traffic.
	DimFunctionVersion = "FunctionVersion"
	// DimPlatform is the platform of a synthetic conversation (SyntheticSuccess,
	// SyntheticLatency): the smoke function's metrics only.
	DimPlatform = "Platform"
)

// The smoke function's synthetic metrics (shared/smoke), per {Service, Intent,
// Platform} and rolled up per {Service, Intent}.
const (
	SyntheticSuccess = "SyntheticSuccess" // 1 when the conversation held, else 0
	SyntheticLatency = "SyntheticLatency" // milliseconds
)

// Values of DimReason: why a webhook call was refused (shared/security).
const (
	ReasonAuth    = "auth"    // no, wrong or unverifiable webhook credentials
	ReasonRate    = "rate"    // per-source or per-session token bucket empty, too many bodies from one address, body below the pace
	ReasonSize    = "size"    // body larger than server.max_body_bytes
	ReasonDepth   = "depth"   // JSON nested deeper than security.max_json_depth
	ReasonInflate = "inflate" // compression ratio above the cap, or the in-flight byte budget spent
)

// Reasons lists every refusal reason.
var Reasons = []string{ReasonAuth, ReasonRate, ReasonSize, ReasonDepth, ReasonInflate}

// Values of DimErrorClass: the connector.Kind strings (shared/connector).
const (
	ErrorClassUnknown         = "unknown"
	ErrorClassNotFound        = "not_found"
	ErrorClassUnauthorized    = "unauthorized"
	ErrorClassRateLimited     = "rate_limited"
	ErrorClassUnavailable     = "unavailable"
	ErrorClassInvalidInput    = "invalid_input"
	ErrorClassInvalidResponse = "invalid_response"
	ErrorClassConflict        = "conflict"
	ErrorClassDenied          = "denied"
)

// Versioned reports whether the scope's series also carry DimFunctionVersion when the
// process knows its function version: turns and tool calls, what the rollback alarms
// judge a version by.
func (s Scope) Versioned() bool {
	return s == ScopeIntent || s == ScopeTool || s == ScopeToolError || s == ScopeRelay
}

// VersionedDimensionSets are the extra dimension sets a versioned series is published
// under: its full set plus DimFunctionVersion, for tool errors also the per-tool
// roll-up (all error classes of a tool, per version), and for relayed turns the
// router's roll-up (every intent, per version: the router's rollback alarms read it,
// so they watch any number of intents with two metrics, where CloudWatch allows an
// alarm ten).
func (s Scope) VersionedDimensionSets() [][]string {
	if !s.Versioned() {
		return nil
	}
	out := [][]string{append(append([]string(nil), s.Dimensions()...), DimFunctionVersion)}
	switch s {
	case ScopeToolError:
		out = append(out, []string{DimService, DimTool, DimFunctionVersion})
	case ScopeRelay:
		out = append(out, []string{DimService, DimFunctionVersion})
	}
	return out
}

// Unit is a CloudWatch metric unit.
type Unit string

// Units used by Switchboard's metrics.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
)

// Kind says how a metric aggregates.
type Kind int

const (
	// Counter values are summed; Prometheus exposes them as counters (_total).
	Counter Kind = iota
	// Timing values are kept individually (EMF value arrays, CloudWatch percentiles);
	// Prometheus exposes them as histograms in seconds.
	Timing
)

// Scope is the family of dimensions a metric is recorded with.
type Scope string

const (
	// ScopeIntent metrics describe turns, per intent.
	ScopeIntent Scope = "intent"
	// ScopeTool metrics describe outbound calls, per business tool.
	ScopeTool Scope = "tool"
	// ScopeToolError metrics describe failed calls, per tool and error class.
	ScopeToolError Scope = "tool_error"
	// ScopeRefusal metrics describe webhook calls refused before they became a turn,
	// per reason.
	ScopeRefusal Scope = "refusal"
	// ScopeRelay metrics describe the turns the router relayed to an intent function,
	// per intent, judged by the outcome each reply carries (the router's canary).
	ScopeRelay Scope = "relay"
)

// Metric is one metric definition.
type Metric struct {
	// Name is the CloudWatch metric name (and the EMF root member).
	Name  string
	Unit  Unit
	Kind  Kind
	Scope Scope
	// Help describes the metric (Prometheus HELP, dashboard tooltips).
	Help string
	// Prom is the Prometheus metric family name: snake_case with the switchboard_
	// prefix, _total for counters, _seconds for timings.
	Prom string
}

// The metrics. Latency names differ per scope (TurnLatency, ToolLatency) because the
// {Service} dimension set is shared by both scopes: the same name would merge turn and
// tool latencies into one metric.
var (
	Turns           = Metric{Name: "Turns", Unit: Count, Kind: Counter, Scope: ScopeIntent, Prom: "switchboard_turns_total", Help: "Webhook turns answered."}
	Fulfilled       = Metric{Name: "Fulfilled", Unit: Count, Kind: Counter, Scope: ScopeIntent, Prom: "switchboard_turns_fulfilled_total", Help: "Turns answered with the business answer."}
	Failed          = Metric{Name: "Failed", Unit: Count, Kind: Counter, Scope: ScopeIntent, Prom: "switchboard_turns_failed_total", Help: "Turns answered with an honest failure and a manual alternative."}
	FallbackReplies = Metric{Name: "FallbackReplies", Unit: Count, Kind: Counter, Scope: ScopeIntent, Prom: "switchboard_fallback_replies_total", Help: "Turns answered from a fallback (stale cached data or an explicit degraded reply)."}
	LocaleFallbacks = Metric{Name: "LocaleFallbacks", Unit: Count, Kind: Counter, Scope: ScopeIntent, Prom: "switchboard_locale_fallbacks_total", Help: "Turns whose locale has no message catalog, answered in English."}
	ConfigErrors    = Metric{Name: "ConfigErrors", Unit: Count, Kind: Counter, Scope: ScopeIntent, Prom: "switchboard_config_errors_total", Help: "Replies that could not name what Switchboard asked for because the bot does not define it (a Lex slot the intent lacks): fix the bot."}
	TurnLatency     = Metric{Name: "TurnLatency", Unit: Milliseconds, Kind: Timing, Scope: ScopeIntent, Prom: "switchboard_turn_latency_seconds", Help: "Time to answer a turn, from decoded request to reply."}

	Calls        = Metric{Name: "Calls", Unit: Count, Kind: Counter, Scope: ScopeTool, Prom: "switchboard_tool_calls_total", Help: "Calls to a business tool, one per attempt."}
	ToolLatency  = Metric{Name: "ToolLatency", Unit: Milliseconds, Kind: Timing, Scope: ScopeTool, Prom: "switchboard_tool_latency_seconds", Help: "Latency of one call attempt to a business tool."}
	Retries      = Metric{Name: "Retries", Unit: Count, Kind: Counter, Scope: ScopeTool, Prom: "switchboard_tool_retries_total", Help: "Call attempts that were retries (attempt > 1)."}
	BreakerOpens = Metric{Name: "BreakerOpens", Unit: Count, Kind: Counter, Scope: ScopeTool, Prom: "switchboard_breaker_opens_total", Help: "Times a tool's circuit breaker opened."}
	AuthFailures = Metric{Name: "AuthFailures", Unit: Count, Kind: Counter, Scope: ScopeTool, Prom: "switchboard_auth_failures_total", Help: "Calls rejected for credentials (401/403)."}
	CacheHits    = Metric{Name: "CacheHits", Unit: Count, Kind: Counter, Scope: ScopeTool, Prom: "switchboard_cache_hits_total", Help: "Lookups answered from a fresh cache entry."}
	CacheMisses  = Metric{Name: "CacheMisses", Unit: Count, Kind: Counter, Scope: ScopeTool, Prom: "switchboard_cache_misses_total", Help: "Lookups that found no usable cache entry."}
	StaleServed  = Metric{Name: "StaleServed", Unit: Count, Kind: Counter, Scope: ScopeTool, Prom: "switchboard_stale_served_total", Help: "Lookups answered from a stale cache entry because the tool failed."}

	Errors = Metric{Name: "Errors", Unit: Count, Kind: Counter, Scope: ScopeToolError, Prom: "switchboard_tool_errors_total", Help: "Failed call attempts, by error class."}

	RelayedTurns     = Metric{Name: "RelayedTurns", Unit: Count, Kind: Counter, Scope: ScopeRelay, Prom: "switchboard_relayed_turns_total", Help: "Turns the router relayed to an intent function (or answered itself when the forward failed)."}
	RelayedFailed    = Metric{Name: "RelayedFailed", Unit: Count, Kind: Counter, Scope: ScopeRelay, Prom: "switchboard_relayed_failed_total", Help: "Relayed turns whose reply carried a failed, rejected or unknown_intent outcome, or none, or whose forward failed."}
	RelayedFallbacks = Metric{Name: "RelayedFallbacks", Unit: Count, Kind: Counter, Scope: ScopeRelay, Prom: "switchboard_relayed_fallbacks_total", Help: "Relayed turns whose reply carried a fallback (degraded) outcome, or whose forward failed."}

	Refused = Metric{Name: "Refused", Unit: Count, Kind: Counter, Scope: ScopeRefusal, Prom: "switchboard_refused_total", Help: "Webhook calls refused before reaching an intent, by reason (auth, rate, size, depth, inflate)."}
)

var all = []Metric{
	Turns, Fulfilled, Failed, FallbackReplies, LocaleFallbacks, ConfigErrors, TurnLatency,
	Calls, ToolLatency, Retries, BreakerOpens, AuthFailures, CacheHits, CacheMisses, StaleServed,
	Errors,
	Refused,
	RelayedTurns, RelayedFailed, RelayedFallbacks,
}

// All returns every metric, in a stable order (a copy: callers may not change the
// definitions).
func All() []Metric { return append([]Metric(nil), all...) }

// ForScope returns the metrics of one scope, in a stable order. A metric's position
// in this list is its index within the scope.
func ForScope(s Scope) []Metric {
	var out []Metric
	for _, m := range all {
		if m.Scope == s {
			out = append(out, m)
		}
	}
	return out
}

// ByName returns the metric with the CloudWatch name.
func ByName(name string) (Metric, bool) {
	for _, m := range all {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// Scopes lists every scope in a stable order.
var Scopes = []Scope{ScopeIntent, ScopeTool, ScopeToolError, ScopeRefusal, ScopeRelay}

// Dimensions returns the dimension keys that identify one series of the scope, in
// order (Service first). The EMF document for a series carries exactly these keys at
// its root.
func (s Scope) Dimensions() []string {
	switch s {
	case ScopeIntent, ScopeRelay:
		return []string{DimService, DimIntent}
	case ScopeTool:
		return []string{DimService, DimTool}
	case ScopeToolError:
		return []string{DimService, DimTool, DimErrorClass}
	case ScopeRefusal:
		return []string{DimService, DimReason}
	}
	return nil
}

// DimensionSets returns the CloudWatch dimension sets each series of the scope is
// published under: the full set, plus roll-ups used by the service-wide alarms and
// dashboard rows (per service, and per tool for errors).
func (s Scope) DimensionSets() [][]string {
	switch s {
	case ScopeIntent, ScopeRelay:
		return [][]string{{DimService, DimIntent}, {DimService}}
	case ScopeTool:
		return [][]string{{DimService, DimTool}, {DimService}}
	case ScopeToolError:
		return [][]string{{DimService, DimTool, DimErrorClass}, {DimService, DimTool}, {DimService}}
	case ScopeRefusal:
		return [][]string{{DimService, DimReason}, {DimService}}
	}
	return nil
}

// PromLabel is the Prometheus label name of a dimension key (snake_case).
func PromLabel(dim string) string {
	switch dim {
	case DimService:
		return "service"
	case DimIntent:
		return "intent"
	case DimTool:
		return "tool"
	case DimErrorClass:
		return "error_class"
	case DimReason:
		return "reason"
	case DimFunctionVersion:
		return "function_version"
	}
	b := make([]byte, 0, len(dim)+4)
	for i := 0; i < len(dim); i++ {
		c := dim[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b = append(b, '_')
			}
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}
