// Package toolspec is what a business tool tells the configuration about itself: its
// name, the capabilities it can serve, its configuration section (connectors.<tool>),
// the key of its secret and its built-in resilience quota. A tool's spec package
// (shared/connector/<tool>/spec) registers it from its init; shared/config decodes and
// validates the sections of the registered tools, and the CDK app reads them, so the
// spec packages import this leaf (standard library only) and not the configuration.
package toolspec

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"
)

// Section is a business tool's configuration section: a pointer to a struct with yaml
// tags (connectors.<tool>.*), owned by the tool's connector package. Its zero value
// means "use the defaults".
type Section interface {
	// ApplyDefaults fills the zero fields with the tool's defaults.
	ApplyDefaults()
	// Validate checks the section. Load calls it only when the tool serves a
	// capability, so an unused tool's section can stay incomplete.
	Validate() error
}

// Spec is what a connector package tells the configuration about its tool. It is
// registered from the package's init (its spec package, or through
// shared/connector/registry), so the configuration knows exactly the tools the binary
// links.
type Spec struct {
	// Name is the tool as configured (connectors.customers: <name>) and the key of
	// its sections (connectors.<name>, resilience.<name>).
	Name string
	// Capabilities lists what the tool can serve: customers, tickets, payments, kb.
	Capabilities []string
	// NewSection returns a new zero section (a pointer); nil when the tool has no
	// settings of its own.
	NewSection func() Section
	// SecretKey is the section's YAML key naming the secret that holds the tool's
	// credentials ("secret_id"); "" when the tool has no secret. The CDK app sets it
	// and grants the function's role that secret alone.
	SecretKey string
	// Resilience is the tool's built-in policy from its documented quota; zero
	// fields fall back to resilience.defaults and the global defaults.
	Resilience Resilience
}

// Resilience is the policy of one business tool (resilience.<tool>). Zero means
// "inherit"; for Rate and MaxInFlight a negative value means "unlimited".
type Resilience struct {
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

// Capability names, as the keys of connectors.* that choose a tool.
const (
	CapCustomers = "customers"
	CapTickets   = "tickets"
	CapPayments  = "payments"
	CapKB        = "kb"
)

// Capabilities lists the capabilities in their fixed order.
var Capabilities = []string{CapCustomers, CapTickets, CapPayments, CapKB}

// Tool names the configuration knows without a registration.
const (
	// Demo is the built-in demo backend, the default of every capability. Its
	// package registers it where it is linked; Lambda builds leave it out.
	Demo = "demo"
	// None serves no capability.
	None = "none"
)

var (
	mu    sync.RWMutex
	specs = map[string]Spec{}
)

// Register makes a tool known to the configuration. It panics on an empty, reserved
// or duplicate name, or an unknown capability: all are programming errors found at the
// first start.
func Register(s Spec) {
	mu.Lock()
	defer mu.Unlock()
	switch {
	case s.Name == "" || s.Name != strings.ToLower(s.Name) || strings.ContainsAny(s.Name, " ._"):
		panic(fmt.Sprintf("config: tool name %q: want a lower-case word", s.Name))
	case s.Name == None || s.Name == "secrets" || s.Name == "defaults" || isCapability(s.Name):
		panic(fmt.Sprintf("config: tool name %q is reserved", s.Name))
	case len(s.Capabilities) == 0:
		panic(fmt.Sprintf("config: tool %q serves no capability", s.Name))
	}
	if _, dup := specs[s.Name]; dup {
		panic(fmt.Sprintf("config: tool %q registered twice", s.Name))
	}
	for _, c := range s.Capabilities {
		if !isCapability(c) {
			panic(fmt.Sprintf("config: tool %q: unknown capability %q", s.Name, c))
		}
	}
	if s.SecretKey != "" {
		if s.NewSection == nil || !hasYAMLKey(reflect.TypeOf(s.NewSection()).Elem(), s.SecretKey) {
			panic(fmt.Sprintf("config: tool %q: secret key %q is not a key of its section", s.Name, s.SecretKey))
		}
	}
	specs[s.Name] = s
}

func isCapability(c string) bool {
	for _, k := range Capabilities {
		if k == c {
			return true
		}
	}
	return false
}

func hasYAMLKey(t reflect.Type, key string) bool {
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "-" && tag == key {
			return true
		}
	}
	return false
}

// All returns the registered tools, sorted by name.
func All() []Spec {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Spec, 0, len(specs))
	for _, s := range specs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the registered tool of that name.
func Lookup(name string) (Spec, bool) {
	mu.RLock()
	defer mu.RUnlock()
	s, ok := specs[name]
	return s, ok
}

// Serves reports whether the tool can serve capability c.
func (s Spec) Serves(c string) bool {
	for _, k := range s.Capabilities {
		if k == c {
			return true
		}
	}
	return false
}
