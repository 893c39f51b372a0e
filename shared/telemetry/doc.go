// Package telemetry gives Switchboard what Powertools gives Python and TypeScript
// Lambda users: structured JSON logs (log/slog) that carry the turn's context and pass
// through a redaction layer, CloudWatch Embedded Metric Format metrics whose names come
// from metricdefs (and the same counters in Prometheus text format for `switchboard
// serve`), and OpenTelemetry spans with X-Ray trace ids around each turn, each
// business-tool call and each AWS SDK call. It implements the engine's turn hook and
// the resilience layer's Observer. On Lambda an invocation's lines reach stdout in one
// write, before its reply (PerInvocation).
package telemetry
