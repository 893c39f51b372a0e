package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/switchboard-dev/switchboard/shared/config"
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
		return nil, "", fmt.Errorf("env %q: want the name of a file in %s/ without .yaml", name, EnvDir)
	}
	path := filepath.Join(root, EnvDir, name+".yaml")
	m, err := ReadEnvFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		have, _ := filepath.Glob(filepath.Join(root, EnvDir, "*.yaml"))
		var names []string
		for _, h := range have {
			names = append(names, strings.TrimSuffix(filepath.Base(h), ".yaml"))
		}
		return nil, path, fmt.Errorf("env %q: %s does not exist (environments: %v)", name, path, names)
	}
	return m, path, err
}

// ReadEnvFile reads an environment file by its path.
func ReadEnvFile(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Sources are where one deployment's settings come from, lowest precedence first:
// the defaults, Context (cdk.json's "context", and whatever the CDK CLI passed), the
// environment file (EnvPath, or the file the context key "env" names under Root), then
// Overrides (the command line's -c key=value), then "stage" as the rollout.
type Sources struct {
	Root      string
	Context   map[string]any
	EnvPath   string
	Overrides map[string]any
}

// Load builds and validates the settings of one deployment: the code path of both
// `make synth` (infra/main.go) and `switchboard check --env-file`. Every stage deploy
// of one environment carries every setting of its file. It refuses
//   - a key of the context, the environment file or the command line that no setting
//     reads, with the nearest known key ("did you mean");
//   - an invalid value (Validate): a rollout that is not a stage, a demo tool, a
//     functionEnv variable that is not a setting or that the stacks set themselves;
//   - a function that would fail at start (ValidateFunctions).
func Load(src Sources) (Settings, error) {
	first := func(key string) any {
		if v, ok := src.Overrides[key]; ok {
			return v
		}
		return src.Context[key]
	}
	var file map[string]any
	path := src.EnvPath
	if path != "" {
		var err error
		if file, err = ReadEnvFile(path); err != nil {
			return Settings{}, err
		}
	} else if name := strings.TrimSpace(str(first(CtxEnv))); name != "" {
		var err error
		if file, path, err = EnvFile(src.Root, name); err != nil {
			return Settings{}, err
		}
	}
	in := func(err error) error {
		if path != "" {
			return fmt.Errorf("%s: %w", path, err)
		}
		return err
	}
	read := map[string]bool{}
	get := func(key string) any {
		read[key] = true
		if key == CtxRollout {
			if st := strings.TrimSpace(str(first(CtxStage))); st != "" {
				return st
			}
		}
		if v, ok := src.Overrides[key]; ok {
			return v
		}
		if v, ok := file[key]; ok {
			return v
		}
		return src.Context[key]
	}
	s, err := FromContext(get)
	if err != nil {
		return s, in(err)
	}
	known := make([]string, 0, len(read)+2)
	for k := range read {
		known = append(known, k)
	}
	known = append(known, CtxEnv, CtxStage)
	sort.Strings(known)
	var unknown []string
	for _, m := range []struct {
		where string
		keys  map[string]any
		cdk   bool // the CDK's own keys may appear here
	}{{"cdk.json context", src.Context, true}, {path, file, false}, {"command line (-c)", src.Overrides, true}} {
		for k := range m.keys {
			if slices.Contains(known, k) || m.cdk && cdkOwnKey(k) {
				continue
			}
			msg := fmt.Sprintf("%q is not a setting", k)
			if m.where != "" {
				msg = m.where + ": " + msg
			}
			if n := nearestKey(k, known); n != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", n)
			}
			unknown = append(unknown, msg)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return s, fmt.Errorf("%s (settings: docs/deploy.md#settings)", strings.Join(unknown, "; "))
	}
	if err := s.ValidateFunctions(); err != nil {
		return s, in(err)
	}
	return s, nil
}

// cdkOwnKey reports whether a context key is the CDK's own rather than a setting:
// feature flags ("@aws-cdk/…"), the CLI's switches ("aws:cdk:…"), cached lookups
// ("availability-zones:account=…") and the notices `cdk acknowledge` stores.
func cdkOwnKey(k string) bool {
	return strings.HasPrefix(k, "@") || strings.Contains(k, ":") || k == "acknowledged-issue-numbers"
}

// FromSources is Load with the environment named by the context key "env" under root.
func FromSources(root string, context, overrides map[string]any) (Settings, error) {
	return Load(Sources{Root: root, Context: context, Overrides: overrides})
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
		return nil, fmt.Errorf("CDK_CONTEXT_JSON: %w", err)
	}
	for k, v := range all {
		if f, ok := fileCtx[k]; ok && str(f) == str(v) {
			continue
		}
		out[k] = v
	}
	return out, nil
}

// ParseArgs reads the CDK app's arguments (infra/): only -c/--context key=value, as the CDK
// CLI takes them; anything else is refused, never ignored.
func ParseArgs(args []string) (map[string]any, error) {
	out := map[string]any{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		var kv string
		switch {
		case a == "-c" || a == "--context":
			if i+1 >= len(args) {
				return nil, fmt.Errorf("%s needs key=value", a)
			}
			i++
			kv = args[i]
		case strings.HasPrefix(a, "-c="), strings.HasPrefix(a, "--context="):
			_, kv, _ = strings.Cut(a, "=")
		default:
			return nil, fmt.Errorf("unsupported argument %q: synth takes only -c key=value (CDK_ARGS=\"-c rollout=writes\"); other CDK CLI options belong to make diff/deploy", a)
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("context %q is not key=value", kv)
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

// nearestKey returns the known key closest to k if close enough to be a typo (case
// does not count; short keys allow two edits).
func nearestKey(k string, known []string) string {
	return config.Nearest(k, known, max(2, min(4, len(k)/3)))
}
