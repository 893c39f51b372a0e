// Package metricdefs is the single definition of Switchboard's metrics: namespace,
// names, units, dimensions, Prometheus names, and the alarms and dashboard widgets
// built on them. The telemetry emitter and the CDK app both import it, so the names
// on the dashboard and the names in the logs cannot drift apart. It has no
// dependencies beyond the standard library.
package metricdefs
