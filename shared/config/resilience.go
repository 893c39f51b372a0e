package config

import (
	"fmt"
	"time"

	"github.com/switchboard-dev/switchboard/shared/contract/toolspec"
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

// Tool names the configuration knows without a registration.
const (
	// ToolDemo is the built-in demo backend, the default of every capability. Its
	// package registers it where it is linked; Lambda builds leave it out.
	ToolDemo = toolspec.Demo
	// ToolNone serves no capability.
	ToolNone = toolspec.None
)

// globalResilience is the built-in fallback of every field.
var globalResilience = ToolResilience{
	MaxAttempts: 3, BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second,
	BreakerFailures: 5, BreakerMinRequests: 20, BreakerWindow: time.Minute, BreakerFailureRate: 0.5,
	BreakerOpenFor: 30 * time.Second, BreakerProbes: 1,
	Rate: -1, Burst: 1, MaxInFlight: -1, QueueWait: 100 * time.Millisecond,
}

// overlay fills zero fields of r from d.
func overlay(r *ToolResilience, d ToolResilience) {
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
		overlay(t, explicit)
		if spec, ok := Tool(name); ok {
			overlay(t, spec.Resilience)
		}
		overlay(t, globalResilience)
	}
	overlay(&r.Defaults, globalResilience)
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
