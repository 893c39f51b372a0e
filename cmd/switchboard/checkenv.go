package main

import (
	"path/filepath"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
)

// deploymentEnv is the environment an environment file (infra/env/<name>.yaml) gives
// the deployed functions of its stage (or of stage), loaded and validated by the code
// `make synth` runs (settings.Load, with the repository's cdk.json context, as the CDK
// app reads it): an unknown key, a bad rollout, a demo tool or a
// function that would fail at start is refused with synth's words. The environment is
// that of one function doing the work of every function of the stage
// (settings.CheckEnv): every tool with its secret id, the identity secrets and the
// webhook secrets, which check then reads exactly as the functions will. generated
// names the secrets the stacks create on deploy (webhooks, code pepper).
func deploymentEnv(path, stage string) (env, generated []string, err error) {
	cdkContext, err := settings.FileContext(cdkJSONFor(path))
	if err != nil {
		return nil, nil, err
	}
	overrides := map[string]any{}
	if stage != "" {
		overrides[settings.CtxStage] = stage
	}
	s, err := settings.Load(settings.Sources{Context: cdkContext, EnvPath: path, Overrides: overrides})
	if err != nil {
		return nil, nil, err
	}
	for _, sec := range s.Secrets() {
		if sec.Generated {
			generated = append(generated, sec.Name)
		}
	}
	return s.CheckEnv(), generated, nil
}

// noteGenerated adds to each failure naming a secret the stacks generate that it
// exists only once deployed: before the first deploy its absence is expected, and
// creating it by hand would make the deploy fail.
func noteGenerated(results []checkResult, generated []string) {
	for i := range results {
		r := &results[i]
		if r.OK {
			continue
		}
		// The longest name the error contains: webhook/dialogflow is a prefix of
		// webhook/dialogflow-cx.
		match := ""
		for _, name := range generated {
			if strings.Contains(r.Error, name) && len(name) > len(match) {
				match = name
			}
		}
		if match != "" {
			r.Error += " (the Functions stack generates " + match + " on deploy: missing before the first deploy; do not create it by hand)"
		}
	}
}

// cdkJSONFor is the cdk.json of the repository an environment file belongs to
// (<root>/infra/env/<name>.yaml → <root>/cdk.json); "" (no context) for a file kept
// elsewhere, never another project's cdk.json in the working directory.
func cdkJSONFor(envPath string) string {
	abs, err := filepath.Abs(envPath)
	if err != nil {
		return ""
	}
	dir := filepath.Dir(abs)
	if filepath.Base(dir) != "env" || filepath.Base(filepath.Dir(dir)) != "infra" {
		return ""
	}
	return filepath.Join(filepath.Dir(filepath.Dir(dir)), "cdk.json")
}
