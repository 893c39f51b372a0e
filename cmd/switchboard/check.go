package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// checkResult is one tool's line of `switchboard check`, also its --json form.
type checkResult struct {
	Tool         string   `json:"tool"`
	Capabilities []string `json:"capabilities"`
	AuthMethod   string   `json:"auth_method"`
	LatencyMS    float64  `json:"latency_ms"`
	OK           bool     `json:"ok"`
	// ErrorKind is the connector error class (unauthorized, unavailable, …).
	ErrorKind string `json:"error_kind,omitempty"`
	Error     string `json:"error,omitempty"`
	// Warning: the tool works, but something optional is absent (connector.Warning).
	Warning string `json:"warning,omitempty"`
}

// check authenticates to each configured tool and fetches one item (its Ping), in
// parallel, and prints one line per tool. Exit status 1 when any tool fails.
func check(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "configuration file (YAML); empty = embedded default")
	asJSON := fs.Bool("json", false, "print JSON")
	timeout := fs.Duration("timeout", 10*time.Second, "deadline of each tool's check")
	envFile := fs.String("env-file", "", "a deployment's environment file (infra/env/<name>.yaml): validate it as make synth does, then check the tools and secrets the deployed functions of its stage get")
	stage := fs.String("stage", "", "with --env-file: the rollout stage to check instead of the file's (reads, writes, payments), as make STAGE=")
	lexBot := lexBotFlag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: switchboard check [--config FILE] [--env-file infra/env/NAME.yaml [--stage STAGE]] [--json] [--timeout 10s]")
		return 2
	}
	// Every kind of error is a report: under --json a JSON object on stdout, so a
	// pipeline reading it never meets plain text.
	fatal := func(kind string, err error) int {
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			_ = enc.Encode(struct {
				OK        bool          `json:"ok"`
				ErrorKind string        `json:"error_kind"`
				Error     string        `json:"error"`
				Tools     []checkResult `json:"tools"`
			}{false, kind, err.Error(), []checkResult{}})
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	environ := os.Environ()
	var generated []string // with --env-file: the secrets the stacks generate on deploy
	if *envFile != "" {
		extra, gen, err := deploymentEnv(*envFile, *stage)
		if err != nil {
			return fatal("config", err)
		}
		environ = append(environ, extra...)
		generated = gen
	}
	cfg, err := config.Load(*cfgPath, environ)
	if err != nil {
		return fatal("config", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	set, err := registry.Build(ctx, cfg, registry.Options{Logger: log, KeepGoing: true})
	if err != nil {
		return fatal("build", err)
	}
	defer set.Close()

	results := make([]checkResult, len(set.Tools))
	var wg sync.WaitGroup
	for i, tl := range set.Tools {
		results[i] = checkResult{Tool: tl.Name, Capabilities: tl.Capabilities, AuthMethod: tl.AuthMethod}
		if tl.Err != nil {
			results[i].fail(tl.Err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, *timeout)
			defer cancel()
			start := time.Now()
			err := tl.Pinger.Ping(pctx)
			results[i].LatencyMS = float64(time.Since(start).Microseconds()) / 1000
			var w *connector.Warning
			if errors.As(err, &w) {
				results[i].OK, results[i].Warning = true, w.Msg
				return
			}
			if err != nil {
				results[i].fail(err)
				return
			}
			results[i].OK = true
		}()
	}
	wg.Wait()
	results = append(results, checkWebhookSecrets(ctx, cfg, log, *timeout)...)
	results = append(results, checkIdentitySecrets(ctx, cfg, log, *timeout)...)
	noteGenerated(results, generated)
	results = append(results, checkLexBot(cfg, *lexBot)...)

	ok := true
	for _, r := range results {
		ok = ok && r.OK
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			OK    bool          `json:"ok"`
			Tools []checkResult `json:"tools"`
		}{ok, results})
	} else {
		printCheckTable(stdout, results, checkTableWidth())
	}
	if !ok {
		return 1
	}
	return 0
}

func (r *checkResult) fail(err error) {
	r.OK = false
	r.ErrorKind = connector.KindOf(err).String()
	r.Error = err.Error()
}

// checkWebhookSecrets reads the secret of every platform whose webhook authenticates
// (security.<platform>.method not none), as the functions will on the first call: a
// missing one is a failure naming its full id, not a 503 on every call in production.
func checkWebhookSecrets(ctx context.Context, cfg config.Config, log *slog.Logger, timeout time.Duration) []checkResult {
	var out []checkResult
	sr := &secretReader{ctx: ctx, cfg: cfg, log: log, timeout: timeout}
	for _, p := range names.List() {
		a := cfg.Security.WebhookFor(p)
		if a.Method == "" || a.Method == config.AuthNone {
			continue
		}
		r := checkResult{Tool: "webhook:" + p, Capabilities: []string{}, AuthMethod: a.Method}
		if _, err := sr.get(&r, a.Secret); err != nil {
			r.fail(fmt.Errorf("webhook secret of %s: %w", p, err))
		} else {
			r.OK = true
		}
		out = append(out, r)
	}
	return out
}

// secretReader reads secrets for check through the configured provider, built on
// first use, timing each read into its result.
type secretReader struct {
	ctx      context.Context
	cfg      config.Config
	log      *slog.Logger
	timeout  time.Duration
	provider secrets.Provider
}

func (sr *secretReader) get(r *checkResult, id string) (secrets.Secret, error) {
	if sr.provider == nil {
		p, err := registry.Secrets(sr.ctx, sr.cfg.Connectors.Secrets, sr.log)
		if err != nil {
			return nil, err
		}
		sr.provider = p
	}
	ctx, cancel := context.WithTimeout(sr.ctx, sr.timeout)
	defer cancel()
	start := time.Now()
	s, err := sr.provider.Get(ctx, id)
	r.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	return s, err
}

// checkIdentitySecrets reads the identity layer's secrets as the functions will on the
// first signed turn or code request: the HS256 token key (identity.token.secret_id,
// field "key") and the one-time-code pepper (identity.codes.pepper_secret_id, field
// "pepper"). A missing secret, field or a value shorter than the functions accept is
// a failure naming the secret's id; the value itself is never printed.
func checkIdentitySecrets(ctx context.Context, cfg config.Config, log *slog.Logger, timeout time.Duration) []checkResult {
	var out []checkResult
	sr := &secretReader{ctx: ctx, cfg: cfg, log: log, timeout: timeout}
	for _, s := range []struct {
		name, id, field string
		min             int
	}{
		{"identity:token-key", cfg.Identity.Token.SecretID, "key", identity.MinHMACKey},
		{"identity:code-pepper", cfg.Identity.Codes.PepperSecretID, "pepper", identity.MinPepper},
	} {
		if s.id == "" {
			continue
		}
		r := checkResult{Tool: s.name, Capabilities: []string{}, AuthMethod: "secret"}
		sec, err := sr.get(&r, s.id)
		switch {
		case err != nil:
			r.fail(fmt.Errorf("secret %s: %w", s.id, err))
		case len(sec[s.field]) < s.min:
			r.fail(&connector.Error{Kind: connector.KindInvalidResponse, Tool: s.name, Op: "check",
				Err: fmt.Errorf("secret %s: its %q is missing or shorter than %d bytes", s.id, s.field, s.min)})
		default:
			r.OK = true
		}
		out = append(out, r)
	}
	return out
}
