package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
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

// ToolSpec is what a connector package tells the configuration about its tool. It is
// registered from the package's init (through shared/connector/registry), so the
// configuration knows exactly the tools the binary links.
type ToolSpec struct {
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
	Resilience ToolResilience
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

var (
	toolsMu sync.RWMutex
	tools   = map[string]ToolSpec{}
)

// RegisterTool makes a tool known to the configuration. It panics on an empty,
// reserved or duplicate name, or an unknown capability: all are programming errors
// found at the first start.
func RegisterTool(s ToolSpec) {
	toolsMu.Lock()
	defer toolsMu.Unlock()
	switch {
	case s.Name == "" || s.Name != strings.ToLower(s.Name) || strings.ContainsAny(s.Name, " ._"):
		panic(fmt.Sprintf("config: tool name %q: want a lower-case word", s.Name))
	case s.Name == ToolNone || s.Name == "secrets" || s.Name == "defaults" || isCapability(s.Name):
		panic(fmt.Sprintf("config: tool name %q is reserved", s.Name))
	case len(s.Capabilities) == 0:
		panic(fmt.Sprintf("config: tool %q serves no capability", s.Name))
	}
	if _, dup := tools[s.Name]; dup {
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
	tools[s.Name] = s
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
		if yamlName(t.Field(i)) == key {
			return true
		}
	}
	return false
}

// Tools returns the registered tools, sorted by name.
func Tools() []ToolSpec {
	toolsMu.RLock()
	defer toolsMu.RUnlock()
	out := make([]ToolSpec, 0, len(tools))
	for _, s := range tools {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Tool returns the registered tool of that name.
func Tool(name string) (ToolSpec, bool) {
	toolsMu.RLock()
	defer toolsMu.RUnlock()
	s, ok := tools[name]
	return s, ok
}

// Serves reports whether the tool can serve capability c.
func (s ToolSpec) Serves(c string) bool {
	for _, k := range s.Capabilities {
		if k == c {
			return true
		}
	}
	return false
}

// ToolsFor lists the values connectors.<capability> accepts in this binary: the
// registered tools serving it, then demo (the built-in default, even where its
// package is not linked: building it then fails with a message saying so) and none.
func ToolsFor(capability string) []string {
	var out []string
	for _, s := range Tools() {
		if s.Serves(capability) && s.Name != ToolDemo {
			out = append(out, s.Name)
		}
	}
	return append(out, ToolDemo, ToolNone)
}

// SectionOf returns a copy of the tool's section of c as its connector's type T (a
// struct, registered as *T), or T with its defaults applied when c holds none (a
// Config not made by Load or Default).
func SectionOf[T any, P interface {
	*T
	Section
}](c Connectors, tool string) T {
	if p, ok := c.Tools[tool].(P); ok && p != nil {
		return *p
	}
	var v T
	P(&v).ApplyDefaults()
	return v
}

// newSections returns a zero section for every registered tool that has one.
func newSections() map[string]Section {
	m := map[string]Section{}
	for _, s := range Tools() {
		if s.NewSection != nil {
			m[s.Name] = s.NewSection()
		}
	}
	return m
}

// newResilience returns an empty policy for every registered tool.
func newResilience() map[string]*ToolResilience {
	m := map[string]*ToolResilience{}
	for _, s := range Tools() {
		m[s.Name] = &ToolResilience{}
	}
	return m
}

func linkedToolNames() string {
	var names []string
	for _, s := range Tools() {
		names = append(names, s.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
