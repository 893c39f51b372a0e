package config

import (
	"fmt"
	"sort"
	"strings"
)

// Variables under EnvPrefix that are not configuration keys but are read by name
// elsewhere (the YAML file's path, local secrets, the router's routes, the smoke
// test's targets, the tests' switch). A name ending in "_" admits every variable it
// starts.
var extraEnv = []string{
	EnvPrefix + "CONFIG",
	EnvPrefix + "SECRET_",
	EnvPrefix + "ROUTE_",
	EnvPrefix + "SMOKE_",
	EnvPrefix + "REQUIRE_COMPONENTS",
}

// envName is the environment variable of a dotted configuration key
// (connectors.zendesk.subdomain → SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN).
func envName(key string) string { return envJoin(EnvPrefix, "", key) }

// envJoin is prefix+sep+key with key upper-cased and its "." and "-" turned into "_",
// built in one allocation: every function's start names every key (CheckEnv) and
// every field (overlayEnv), and a strings.Replacer built per key made that 0.5 ms of
// its cold start.
func envJoin(prefix, sep, key string) string {
	var b strings.Builder
	b.Grow(len(prefix) + len(sep) + len(key))
	b.WriteString(prefix)
	b.WriteString(sep)
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '.' || c == '-':
			c = '_'
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case c >= 0x80:
			return prefix + sep + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
		}
		b.WriteByte(c)
	}
	return b.String()
}

// EnvNames lists every variable Load reads, sorted: one per Keys() entry.
func EnvNames() []string {
	var out []string
	for _, k := range Keys() {
		out = append(out, envName(k))
	}
	sort.Strings(out)
	return out
}

// CheckEnv returns an error naming every SWITCHBOARD_* variable in environ that
// nothing reads, with the nearest known name when one is close ("did you mean"): a
// typo must not silently fall back to a default, as YAML's unknown keys do not.
// Variables of a registered tool are known; those of a tool not linked into this
// binary are reported as such.
func CheckEnv(environ []string) error {
	keys := Keys()
	known := make(map[string]bool, len(keys))
	for _, k := range keys {
		known[envName(k)] = true
	}
	extra := append([]string(nil), extraEnv...)
	var bad []string
	var names []string // sorted, built only for a "did you mean"
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, EnvPrefix) || known[k] || admitted(k, extra) {
			continue
		}
		if names == nil {
			names = EnvNames()
		}
		msg := k + " is not a setting"
		if s := nearest(k, append(names, extra...)); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else if tool := unlinkedTool(k); tool != "" {
			// A section of a tool this binary does not link (a function links only
			// its own tools) is not this binary's to judge: the CDK app, which links
			// every tool, refuses unknown tools at synth (UnknownTools).
			continue
		}
		bad = append(bad, msg)
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("config: unknown environment variable: %s", strings.Join(bad, "; "))
}

func admitted(k string, extra []string) bool {
	for _, e := range extra {
		if k == e || strings.HasSuffix(e, "_") && strings.HasPrefix(k, e) {
			return true
		}
	}
	return false
}

// unlinkedTool returns the <tool> of SWITCHBOARD_CONNECTORS_<TOOL>_… or
// SWITCHBOARD_RESILIENCE_<TOOL>_… when no registered tool has that name.
func unlinkedTool(k string) string {
	for _, sec := range []string{"CONNECTORS_", "RESILIENCE_"} {
		rest, ok := strings.CutPrefix(k, EnvPrefix+sec)
		if !ok {
			continue
		}
		tool, _, ok := strings.Cut(rest, "_")
		if !ok {
			return ""
		}
		if _, reg := Tool(strings.ToLower(tool)); !reg {
			return strings.ToLower(tool)
		}
	}
	return ""
}

// nearest returns the candidate closest to k by edit distance, if close enough to be
// a typo (at most a third of its length, and at most 4 edits).
func nearest(k string, candidates []string) string {
	return Nearest(k, candidates, min(4, len(k)/3))
}

// Nearest returns the candidate closest to k by edit distance, ignoring case, when it
// is at most limit edits away (a "did you mean"), else "". Deployment settings and
// the environment check both suggest with it.
func Nearest(k string, candidates []string, limit int) string {
	best, bestD := "", 1<<30
	lk := strings.ToLower(k)
	for _, c := range candidates {
		if d := editDistance(lk, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= limit {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// UnknownTools returns an error naming every SWITCHBOARD_CONNECTORS_<TOOL>_… or
// SWITCHBOARD_RESILIENCE_<TOOL>_… variable of a tool not registered in this binary.
// CheckEnv tolerates those (a function links only its own tools); a binary linking
// every tool (the CDK app) calls this to refuse them.
func UnknownTools(environ []string) error {
	var bad []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if tool := unlinkedTool(k); tool != "" {
			bad = append(bad, fmt.Sprintf("%s: no tool %q (tools: %s)", k, tool, linkedToolNames()))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("config: unknown environment variable: %s", strings.Join(bad, "; "))
}
