package config

import (
	"fmt"
	"time"
)

// Resilience configures retries, breakers, limits and bulkheads per business tool.
// Owned by the resilience work (issue 4). Defaults apply to every tool; a tool's own
// section overrides them field by field. After Load every tool section holds its
// effective values (explicit tool value, else explicit default, else the tool's built-in
// value from its documented quota, else the global built-in).
type Resilience struct {
	Defaults ToolResilience `yaml:"defaults"`
	// Tools holds each registered tool's section (resilience.<tool>), keyed by tool
	// name. Copies of a Config share these sections.
	Tools map[string]*ToolResilience `yaml:"-"`
}

// ToolResilience is the policy of one business tool. Zero means "inherit"; for Rate and
// MaxInFlight a negative value means "unlimited".
type ToolResilience struct {
	// MaxAttempts counts the first call: 1 disables retries (default 3).
	MaxAttempts int `yaml:"max_attempts"`
	// BackoffBase and BackoffMax bound the exponential backoff with full jitter
	// (defaults 100ms and 1s). A Retry-After from the tool replaces the computed wait.
	BackoffBase time.Duration `yaml:"backoff_base"`
	BackoffMax  time.Duration `yaml:"backoff_max"`
	// RetryWrites allows retrying writes that carry an idempotency key the tool honours
	// (default false: a write is never repeated).
	RetryWrites bool `yaml:"retry_writes"`

	// The breaker opens after BreakerFailures consecutive failures, or when at least
	// BreakerMinRequests calls in the rolling BreakerWindow failed at BreakerFailureRate
	// or more; it stays open for BreakerOpenFor, then lets BreakerProbes calls through
	// (defaults 5, 20, 60s, 0.5, 30s, 1).
	BreakerFailures    int           `yaml:"breaker_failures"`
	BreakerMinRequests int           `yaml:"breaker_min_requests"`
	BreakerWindow      time.Duration `yaml:"breaker_window"`
	BreakerFailureRate float64       `yaml:"breaker_failure_rate"`
	BreakerOpenFor     time.Duration `yaml:"breaker_open_for"`
	BreakerProbes      int           `yaml:"breaker_probes"`

	// Rate (requests per second) and Burst size the token bucket (per process: on
	// Lambda, per instance).
	Rate  float64 `yaml:"rate"`
	Burst int     `yaml:"burst"`
	// MaxInFlight bounds concurrent calls; QueueWait is how long a call waits for a slot
	// before failing fast (default 100ms).
	MaxInFlight int           `yaml:"max_in_flight"`
	QueueWait   time.Duration `yaml:"queue_wait"`
}

// Tool names the configuration knows without a registration.
const (
	// ToolDemo is the built-in demo backend, the default of every capability. Its
	// package registers it where it is linked; Lambda builds leave it out.
	ToolDemo = "demo"
	// ToolNone serves no capability.
	ToolNone = "none"
)

// globalResilience is the built-in fallback of every field.
var globalResilience = ToolResilience{
	MaxAttempts: 3, BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second,
	BreakerFailures: 5, BreakerMinRequests: 20, BreakerWindow: time.Minute, BreakerFailureRate: 0.5,
	BreakerOpenFor: 30 * time.Second, BreakerProbes: 1,
	Rate: -1, Burst: 1, MaxInFlight: -1, QueueWait: 100 * time.Millisecond,
}

// overlay fills zero fields of r from d.
func (r *ToolResilience) overlay(d ToolResilience) {
	setInt(&r.MaxAttempts, d.MaxAttempts)
	setDur(&r.BackoffBase, d.BackoffBase)
	setDur(&r.BackoffMax, d.BackoffMax)
	r.RetryWrites = r.RetryWrites || d.RetryWrites
	setInt(&r.BreakerFailures, d.BreakerFailures)
	setInt(&r.BreakerMinRequests, d.BreakerMinRequests)
	setDur(&r.BreakerWindow, d.BreakerWindow)
	setFloat(&r.BreakerFailureRate, d.BreakerFailureRate)
	setDur(&r.BreakerOpenFor, d.BreakerOpenFor)
	setInt(&r.BreakerProbes, d.BreakerProbes)
	setFloat(&r.Rate, d.Rate)
	setInt(&r.Burst, d.Burst)
	setInt(&r.MaxInFlight, d.MaxInFlight)
	setDur(&r.QueueWait, d.QueueWait)
}

func setInt(p *int, d int) {
	if *p == 0 {
		*p = d
	}
}

func setFloat(p *float64, d float64) {
	if *p == 0 {
		*p = d
	}
}

func (r *Resilience) applyDefaults() {
	if r.Tools == nil {
		r.Tools = newResilience()
	}
	explicit := r.Defaults
	for name, t := range r.Tools {
		t.overlay(explicit)
		if spec, ok := Tool(name); ok {
			t.overlay(spec.Resilience)
		}
		t.overlay(globalResilience)
	}
	r.Defaults.overlay(globalResilience)
}

// For returns the effective policy of a tool; a tool without a section gets Defaults.
func (r Resilience) For(tool string) ToolResilience {
	if t, ok := r.Tools[tool]; ok && t != nil {
		return *t
	}
	return r.Defaults
}

// Validate checks the resilience section. Config.Validate should call it.
func (r Resilience) Validate() error {
	check := func(name string, t ToolResilience) error {
		switch {
		case t.MaxAttempts < 1:
			return fmt.Errorf("config: resilience.%s.max_attempts: %d, want >= 1", name, t.MaxAttempts)
		case t.BackoffBase < 0 || t.BackoffMax < t.BackoffBase:
			return fmt.Errorf("config: resilience.%s: backoff_max %s below backoff_base %s", name, t.BackoffMax, t.BackoffBase)
		case t.BreakerFailureRate < 0 || t.BreakerFailureRate > 1:
			return fmt.Errorf("config: resilience.%s.breaker_failure_rate: %v, want 0..1", name, t.BreakerFailureRate)
		case t.BreakerFailures < 1 || t.BreakerProbes < 1 || t.BreakerMinRequests < 1:
			return fmt.Errorf("config: resilience.%s: breaker thresholds must be >= 1", name)
		case t.Rate > 0 && t.Burst < 1:
			return fmt.Errorf("config: resilience.%s.burst: %d, want >= 1 with a rate", name, t.Burst)
		}
		return nil
	}
	if err := check("defaults", r.Defaults); err != nil {
		return err
	}
	for _, spec := range Tools() {
		if t := r.Tools[spec.Name]; t == nil {
			continue
		} else if err := check(spec.Name, *t); err != nil {
			return err
		}
	}
	return nil
}
