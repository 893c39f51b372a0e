package stacks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// EnvDir holds the deployment environments, one YAML file per deployment
// (infra/env/<name>.yaml), chosen with the context key "env" (make ENV=<name>).
const EnvDir = "infra/env"

// Context keys that choose the environment and override its stage.
const (
	CtxEnv   = "env"   // names infra/env/<env>.yaml
	CtxStage = "stage" // overrides the environment's rollout (make STAGE=writes)
)

// EnvFile reads infra/env/<name>.yaml under root: a map of the same keys as cdk.json's
// context (functionEnv as a nested map of SWITCHBOARD_* variables).
func EnvFile(root, name string) (map[string]any, string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, "", fmt.Errorf("infra: env %q: want the name of a file in %s/ without .yaml", name, EnvDir)
	}
	path := filepath.Join(root, EnvDir, name+".yaml")
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		have, _ := filepath.Glob(filepath.Join(root, EnvDir, "*.yaml"))
		var names []string
		for _, h := range have {
			names = append(names, strings.TrimSuffix(filepath.Base(h), ".yaml"))
		}
		return nil, path, fmt.Errorf("infra: env %q: %s does not exist (environments: %v)", name, path, names)
	}
	if err != nil {
		return nil, path, fmt.Errorf("infra: %w", err)
	}
	var m map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&m); err != nil && err.Error() != "EOF" {
		return nil, path, fmt.Errorf("infra: %s: %w", path, err)
	}
	return m, path, nil
}

// SettingsFromSources builds the settings from, lowest precedence first: base (cdk.json's
// context, and whatever the CDK CLI passed), the environment file named by the context
// key "env", then overrides (the command line's -c key=value), then "stage" as the
// rollout. Every stage deploy of one environment thus carries every setting of its
// file. A key of the environment file that no setting reads is an error, with the
// nearest known key.
func SettingsFromSources(root string, base Getter, overrides map[string]any) (Settings, error) {
	first := func(key string) any {
		if v, ok := overrides[key]; ok {
			return v
		}
		return base(key)
	}
	var file map[string]any
	var path string
	if name := strings.TrimSpace(str(first(CtxEnv))); name != "" {
		var err error
		if file, path, err = EnvFile(root, name); err != nil {
			return Settings{}, err
		}
	}
	read := map[string]bool{}
	get := func(key string) any {
		read[key] = true
		if key == CtxRollout {
			if st := strings.TrimSpace(str(first(CtxStage))); st != "" {
				return st
			}
		}
		if v, ok := overrides[key]; ok {
			return v
		}
		if v, ok := file[key]; ok {
			return v
		}
		return base(key)
	}
	s, err := SettingsFromContext(get)
	if err != nil {
		if path != "" {
			return s, fmt.Errorf("%s: %w", path, err)
		}
		return s, err
	}
	var unknown []string
	known := make([]string, 0, len(read))
	for k := range read {
		known = append(known, k)
	}
	sort.Strings(known)
	for k := range file {
		if read[k] || k == CtxEnv || k == CtxStage {
			continue
		}
		msg := fmt.Sprintf("%q is not a setting", k)
		if n := nearestKey(k, known); n != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", n)
		}
		unknown = append(unknown, msg)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return s, fmt.Errorf("infra: %s: %s", path, strings.Join(unknown, "; "))
	}
	return s, nil
}

// CLIOverrides returns the context the CDK CLI was given beyond cdk.json's (its -c
// arguments): the entries of CDK_CONTEXT_JSON whose value differs from fileCtx's.
// Without the CLI (CDK_CONTEXT_JSON unset) it is empty.
func CLIOverrides(contextJSON string, fileCtx map[string]any) (map[string]any, error) {
	out := map[string]any{}
	if contextJSON == "" {
		return out, nil
	}
	var all map[string]any
	if err := json.Unmarshal([]byte(contextJSON), &all); err != nil {
		return nil, fmt.Errorf("infra: CDK_CONTEXT_JSON: %w", err)
	}
	for k, v := range all {
		if f, ok := fileCtx[k]; ok && str(f) == str(v) {
			continue
		}
		out[k] = v
	}
	return out, nil
}

// ParseArgs reads `go run ./infra` arguments: only -c/--context key=value, as the CDK
// CLI takes them; anything else is refused, never ignored.
func ParseArgs(args []string) (map[string]any, error) {
	out := map[string]any{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		var kv string
		switch {
		case a == "-c" || a == "--context":
			if i+1 >= len(args) {
				return nil, fmt.Errorf("infra: %s needs key=value", a)
			}
			i++
			kv = args[i]
		case strings.HasPrefix(a, "-c="), strings.HasPrefix(a, "--context="):
			_, kv, _ = strings.Cut(a, "=")
		default:
			return nil, fmt.Errorf("infra: unsupported argument %q: synth takes only -c key=value (CDK_ARGS=\"-c rollout=writes\"); other CDK CLI options belong to make diff/deploy", a)
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("infra: context %q is not key=value", kv)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if m, ok := v.(map[string]any); ok {
		b, _ := json.Marshal(m)
		return string(b)
	}
	return fmt.Sprint(v)
}

// nearestKey returns the known key closest to k if close enough to be a typo.
func nearestKey(k string, known []string) string {
	best, bestD := "", 1<<30
	for _, c := range known {
		if d := levenshtein(strings.ToLower(k), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= max(2, min(4, len(k)/3)) {
		return best
	}
	return ""
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
