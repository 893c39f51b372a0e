package config

import "strings"

// Telemetry configures logs, metrics and tracing (see docs/observability.md). Every
// field can be set from SWITCHBOARD_TELEMETRY_<FIELD>.
type Telemetry struct {
	LogLevel string `yaml:"log_level"` // debug | info | warn | error (default info)
	// DebugSampleRate is the fraction of turns (0–1) logged at debug level whatever
	// LogLevel says, as Powertools' sample rate does. Default 0.
	DebugSampleRate float64 `yaml:"debug_sample_rate"`
	// EMF says when CloudWatch Embedded Metric Format documents are written to stdout:
	// auto (default: on Lambda, flushed after every turn), on (also locally, after
	// every turn) or off.
	EMF string `yaml:"emf"`
	// Tracing selects the OpenTelemetry span exporter: none (default: spans are not
	// recorded, but X-Ray trace ids still propagate into logs) or stdout (JSON spans
	// on stdout, for local runs).
	Tracing string `yaml:"tracing"`
	// HashSalt keys the hash that replaces session, turn and customer ids in logs and
	// audit events. Default: the service name, which is public; a Lambda function
	// refuses to start on it unless PublicHashSalt says so (the CDK app sets a
	// generated value).
	HashSalt string `yaml:"hash_salt"`
	// PublicHashSalt lets a Lambda function start with the public default HashSalt
	// (ids in logs and audit events could then be reversed by guessing); it logs a
	// warning when it does.
	PublicHashSalt bool `yaml:"public_hash_salt"`
}

// HashSaltIsPublic reports whether the hash salt is the public default (the service
// name, or unset).
func (c Config) HashSaltIsPublic() bool {
	return c.Telemetry.HashSalt == "" || c.Telemetry.HashSalt == c.Service
}

func (t *Telemetry) applyDefaults(c *Config) {
	t.LogLevel = strings.ToLower(strings.TrimSpace(t.LogLevel))
	if t.LogLevel == "" {
		t.LogLevel = "info"
	}
	t.EMF = strings.ToLower(strings.TrimSpace(t.EMF))
	if t.EMF == "" {
		t.EMF = "auto"
	}
	t.Tracing = strings.ToLower(strings.TrimSpace(t.Tracing))
	if t.Tracing == "" {
		t.Tracing = "none"
	}
	if t.HashSalt == "" {
		t.HashSalt = c.Service
	}
}
