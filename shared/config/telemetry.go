package config

// Telemetry configures logs, metrics and tracing. Owned by the observability work
// (issue 6).
type Telemetry struct {
	LogLevel string `yaml:"log_level"` // debug | info | warn | error (default info)
}

func (t *Telemetry) applyDefaults(c *Config) {
	if t.LogLevel == "" {
		t.LogLevel = "info"
	}
}
