package config

import (
	"strings"

	"github.com/switchboard-dev/switchboard/shared/contract/toolspec"
)

// The tools' side of the configuration is the leaf shared/contract/toolspec, which the
// tools' spec packages register with; these names are its.
type (
	Section        = toolspec.Section
	ToolSpec       = toolspec.Spec
	ToolResilience = toolspec.Resilience
)

// Capability names, as the keys of connectors.* that choose a tool.
const (
	CapCustomers = toolspec.CapCustomers
	CapTickets   = toolspec.CapTickets
	CapPayments  = toolspec.CapPayments
	CapKB        = toolspec.CapKB
)

// Capabilities lists the capabilities in their fixed order.
var Capabilities = toolspec.Capabilities

// RegisterTool makes a tool known to the configuration (toolspec.Register).
func RegisterTool(s ToolSpec) { toolspec.Register(s) }

// Tools returns the registered tools, sorted by name.
func Tools() []ToolSpec { return toolspec.All() }

// Tool returns the registered tool of that name.
func Tool(name string) (ToolSpec, bool) { return toolspec.Lookup(name) }

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
