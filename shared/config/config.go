package config

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/switchboard-dev/switchboard/shared/contract/envnames"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/names"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// Config is the whole configuration. Every field's zero value means "use the default";
// Load fills defaults in.
type Config struct {
	// Service names this deployment in logs and metrics.
	Service string `yaml:"service"`
	// SupportEmail is the manual alternative offered when a business tool fails.
	SupportEmail string `yaml:"support_email"`
	// DataDir holds the embedded store and the demo database when they are used.
	DataDir string `yaml:"data_dir"`

	Server     Server     `yaml:"server"`
	Intents    Intents    `yaml:"intents"`
	Deadlines  Deadlines  `yaml:"deadlines"`
	Connectors Connectors `yaml:"connectors"`
	Store      Store      `yaml:"store"`
	Resilience Resilience `yaml:"resilience"`
	Telemetry  Telemetry  `yaml:"telemetry"`
	Security   Security   `yaml:"security"`
	Platform   Platforms  `yaml:"platform"`
	Identity   Identity   `yaml:"identity"`

	// Warnings are what Load found deprecated (an older platform spelling), also
	// logged as it loads.
	Warnings []string `yaml:"-"`
}

// Server configures `switchboard serve`.
type Server struct {
	Addr string `yaml:"addr"` // default 127.0.0.1:8080
	// MaxBodyBytes caps a webhook body (Rasa trackers can be several MiB). Default 8 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
}

// Intents maps each platform's intent names onto the canonical intents, and says which
// intents are enabled.
type Intents struct {
	// Platforms maps each platform's own intent names (ES display names, CX
	// fulfillment tags, Lex intent names, Rasa action names) onto canonical intents:
	// intents.<platform>, by platform name. A platform not given keeps its defaults
	// (shared/platform/names).
	Platforms map[string]map[string]conversation.Intent `yaml:",inline"`
	// Enabled lists the canonical intents this deployment answers (rollout stage).
	// Empty means all.
	Enabled []conversation.Intent `yaml:"enabled"`
}

// Deadlines are how long each platform waits for a webhook, and the margin kept to
// encode and send the reply.
type Deadlines struct {
	// Platforms is deadlines.<platform>, by platform name; the default is the
	// platform's (shared/platform/names: 5s for Dialogflow ES and CX, the agent's
	// webhook timeout; 30s for Lex, where on Lambda the invocation deadline wins; 10s
	// for Rasa).
	Platforms   map[string]time.Duration `yaml:",inline"`
	ReplyMargin time.Duration            `yaml:"reply_margin"` // default 300ms
}

// DefaultIntentNames are the names used when the configuration gives none: every
// intent's default name on each platform (the platform's convention,
// names.Spec.DefaultIntentName, applied to the intent's names in shared/intents/spec).
func DefaultIntentNames() Intents {
	out := Intents{Platforms: map[string]map[string]conversation.Intent{}}
	for _, s := range names.All() {
		m := map[string]conversation.Intent{}
		for _, in := range spec.All() {
			m[s.DefaultIntentName(in.Name, in.Display)] = conversation.Intent(in.Name)
		}
		out.Platforms[s.Name] = m
	}
	return out
}

// Names returns the intent-name map for a platform.
func (i Intents) Names(p conversation.Platform) map[string]conversation.Intent {
	return i.Platforms[string(p)]
}

// IsEnabled reports whether the canonical intent is enabled in this deployment.
func (i Intents) IsEnabled(in conversation.Intent) bool {
	if len(i.Enabled) == 0 {
		return true
	}
	for _, e := range i.Enabled {
		if e == in {
			return true
		}
	}
	return false
}

// For returns the platform's webhook deadline (5s for a platform names does not list).
func (d Deadlines) For(p conversation.Platform) time.Duration {
	if v, ok := d.Platforms[string(p)]; ok {
		return v
	}
	if s, ok := names.Lookup(string(p)); ok {
		return s.Deadline
	}
	return 5 * time.Second
}

// Default returns the embedded default configuration.
func Default() Config {
	var c Config
	c.applyDefaults()
	return c
}

func (c *Config) applyDefaults() {
	if c.Service == "" {
		c.Service = "switchboard"
	}
	if c.SupportEmail == "" {
		c.SupportEmail = "support@example.com"
	}
	if c.DataDir == "" {
		c.DataDir = ".switchboard"
	}
	if c.Server.Addr == "" {
		c.Server.Addr = "127.0.0.1:8080"
	}
	if c.Server.MaxBodyBytes == 0 {
		c.Server.MaxBodyBytes = 8 << 20
	}
	def := DefaultIntentNames()
	if c.Intents.Platforms == nil {
		c.Intents.Platforms = map[string]map[string]conversation.Intent{}
	}
	if c.Deadlines.Platforms == nil {
		c.Deadlines.Platforms = map[string]time.Duration{}
	}
	if c.Platform == nil {
		c.Platform = Platforms{}
	}
	for _, s := range names.All() {
		if len(c.Intents.Platforms[s.Name]) == 0 {
			c.Intents.Platforms[s.Name] = def.Platforms[s.Name]
		}
		d := c.Deadlines.Platforms[s.Name]
		setDur(&d, s.Deadline)
		c.Deadlines.Platforms[s.Name] = d
	}
	setDur(&c.Deadlines.ReplyMargin, 300*time.Millisecond)
	c.Connectors.applyDefaults()
	c.Store.applyDefaults(c)
	c.Resilience.applyDefaults()
	c.Telemetry.applyDefaults(c)
	c.Security.applyDefaults()
	c.Identity.applyDefaults(c)
}

// lambdaInflightBytes sizes the inflate/decode budget on Lambda at a quarter of the
// function's memory (one invocation at a time per instance); 0 elsewhere.
func lambdaInflightBytes(environ []string) int64 {
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE="); ok {
			if mb, err := strconv.ParseInt(v, 10, 64); err == nil && mb > 0 {
				return max(mb<<20/4, 8<<20)
			}
		}
	}
	return 0
}

func setInt64(p *int64, d int64) {
	if *p == 0 {
		*p = d
	}
}

func setDur(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// Load reads the YAML file at path (optional: "" means none), overlays SWITCHBOARD_*
// environment variables from environ (os.Environ() when nil), fills defaults and
// validates. Unknown YAML keys are an error, so a typo never silently falls back to
// a default.
func Load(path string, environ []string) (Config, error) {
	var c Config
	c.Connectors.Tools = newSections()
	c.Resilience.Tools = newResilience()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && err.Error() != "EOF" {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
	}
	return finish(c, environ)
}

// LoadEmbedded is Load for the embedded demo (`switchboard serve` without -config):
// demo data, embedded store, and webhooks that answer without credentials because this
// configuration says so by name (security.auth: none). SWITCHBOARD_* variables still
// apply; `serve` warns when such a server listens beyond loopback.
func LoadEmbedded(environ []string) (Config, error) {
	return finish(Config{Security: Security{Auth: AuthNone}}, environ)
}

func finish(c Config, environ []string) (Config, error) {
	if environ == nil {
		environ = os.Environ()
	}
	if err := CheckEnv(environ); err != nil {
		return c, err
	}
	if err := c.canonicalPlatformKeys(); err != nil {
		return c, err
	}
	if err := overlayEnv(&c, environ); err != nil {
		return c, err
	}
	if c.Security.InflightBytes == 0 {
		c.Security.InflightBytes = lambdaInflightBytes(environ)
	}
	c.applyDefaults()
	c.warnUnsendableAuth()
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

// Validate checks the configuration for values that cannot work.
func (c Config) Validate() error {
	for _, p := range conversation.Platforms {
		for name, in := range c.Intents.Names(p) {
			if !isCanonical(in) {
				return fmt.Errorf("config: intents.%s: %q maps to unknown intent %q", envKey(string(p)), name, in)
			}
		}
	}
	for _, in := range c.Intents.Enabled {
		if !isCanonical(in) {
			return fmt.Errorf("config: intents.enabled: unknown intent %q", in)
		}
	}
	for _, v := range []func() error{c.Connectors.validate, c.Store.Validate, c.Resilience.Validate, c.Security.Validate, c.Identity.Validate} {
		if err := v(); err != nil {
			return err
		}
	}
	return nil
}

func isCanonical(in conversation.Intent) bool {
	for _, k := range conversation.Intents {
		if k == in {
			return true
		}
	}
	return false
}

// EnvPrefix starts every environment variable Load reads.
const EnvPrefix = envnames.Prefix

// overlayEnv sets fields from SWITCHBOARD_<SECTION>_<FIELD> variables, the names being
// the YAML keys upper-cased and joined by "_" (e.g. SWITCHBOARD_CONNECTORS_CUSTOMERS).
// Slices take comma-separated values; maps take k=v pairs separated by commas.
func overlayEnv(c *Config, environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvPrefix) {
			env[k] = v
		}
	}
	if len(env) == 0 {
		return nil
	}
	root := strings.TrimSuffix(EnvPrefix, "_")
	if err := walk(reflect.ValueOf(c).Elem(), root, env); err != nil {
		return err
	}
	if err := overlayPlatformEnv(c, root, env); err != nil {
		return err
	}
	// The tools' sections: SWITCHBOARD_CONNECTORS_<TOOL>_<KEY>, SWITCHBOARD_RESILIENCE_<TOOL>_<KEY>.
	for name, s := range c.Connectors.Tools {
		if err := walk(reflect.ValueOf(s).Elem(), root+"_CONNECTORS_"+envKey(name), env); err != nil {
			return err
		}
	}
	for name, t := range c.Resilience.Tools {
		if err := walk(reflect.ValueOf(t).Elem(), root+"_RESILIENCE_"+envKey(name), env); err != nil {
			return err
		}
	}
	return nil
}

func envKey(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }

var durationType = reflect.TypeOf(time.Duration(0))

func walk(v reflect.Value, prefix string, env map[string]string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "-" || tag == "" {
			continue
		}
		name := envJoin(prefix, "_", tag)
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && fv.Type() != durationType {
			if err := walk(fv, name, env); err != nil {
				return err
			}
			continue
		}
		raw, ok := env[name]
		if !ok {
			continue
		}
		if err := setFromString(fv, raw); err != nil {
			return fmt.Errorf("config: %s: %w", name, err)
		}
	}
	return nil
}

func setFromString(v reflect.Value, raw string) error {
	if v.Type() == durationType {
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := setFromString(p.Elem(), raw); err != nil {
			return err
		}
		v.Set(p)
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return err
		}
		v.SetFloat(n)
	case reflect.Slice:
		parts := splitList(raw)
		s := reflect.MakeSlice(v.Type(), len(parts), len(parts))
		for i, p := range parts {
			if err := setFromString(s.Index(i), p); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, p := range splitList(raw) {
			k, val, ok := strings.Cut(p, "=")
			if !ok {
				return fmt.Errorf("want k=v pairs, got %q", p)
			}
			kv := reflect.New(v.Type().Key()).Elem()
			if err := setFromString(kv, strings.TrimSpace(k)); err != nil {
				return err
			}
			vv := reflect.New(v.Type().Elem()).Elem()
			if err := setFromString(vv, strings.TrimSpace(val)); err != nil {
				return err
			}
			m.SetMapIndex(kv, vv)
		}
		v.Set(m)
	default:
		return fmt.Errorf("cannot set %s from the environment", v.Type())
	}
	return nil
}

func splitList(raw string) []string {
	var out []string
	for _, p := range strings.Split(raw, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
