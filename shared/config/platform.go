package config

import (
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// Platforms holds per-platform rendering options, by platform name
// (platform.<name>.rich; names in shared/platform/names).
type Platforms map[string]PlatformOptions

// PlatformOptions are one platform's rendering options.
type PlatformOptions struct {
	// Rich sends cards, buttons and quick replies besides the text (default true);
	// false sends text only.
	Rich *bool `yaml:"rich"`
}

// RichEnabled reports whether replies on this platform carry rich content.
func (o PlatformOptions) RichEnabled() bool { return o.Rich == nil || *o.Rich }

// For returns the options of a platform.
func (p Platforms) For(pl conversation.Platform) PlatformOptions { return p[string(pl)] }

// The sections keyed by platform name: security.<name>, intents.<name>,
// deadlines.<name>, platform.<name>. Each is read for every platform names lists,
// under its canonical name; an older spelling (dialogflow_cx) is accepted for one
// release with a warning.

// canonicalKeys renames the older spellings of platform names among m's keys to the
// canonical ones (warning once each) and refuses a key that names no platform. section
// is the configuration path of m (security, intents, …).
func canonicalKeys[T any](section string, m map[string]T, warn func(string)) (map[string]T, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		spec, old, ok := names.Resolve(k)
		if !ok {
			return m, fmt.Errorf("config: %s.%s: unknown platform or key (platforms: %s)", section, k, strings.Join(names.List(), ", "))
		}
		if !old {
			continue
		}
		if _, both := m[spec.Name]; both {
			return m, fmt.Errorf("config: %s.%s and %s.%s both set: %s is the older spelling of %s, keep only %s.%s",
				section, k, section, spec.Name, k, spec.Name, section, spec.Name)
		}
		warn(fmt.Sprintf("config: %s.%s is the older spelling of %s.%s; it is accepted until the next release, rename it", section, k, section, spec.Name))
		m[spec.Name] = m[k]
		delete(m, k)
	}
	return m, nil
}

// canonicalPlatformKeys applies canonicalKeys to every platform-keyed section,
// recording the warnings in c.Warnings and logging them.
func (c *Config) canonicalPlatformKeys() error {
	warn := func(msg string) {
		c.Warnings = append(c.Warnings, msg)
		slog.Warn(msg)
	}
	var err error
	if c.Security.Webhooks, err = canonicalKeys("security", c.Security.Webhooks, warn); err != nil {
		return err
	}
	if c.Intents.Platforms, err = canonicalKeys("intents", c.Intents.Platforms, warn); err != nil {
		return err
	}
	if c.Deadlines.Platforms, err = canonicalKeys("deadlines", c.Deadlines.Platforms, warn); err != nil {
		return err
	}
	if c.Platform, err = canonicalKeys("platform", c.Platform, warn); err != nil {
		return err
	}
	return nil
}

// warnUnsendableAuth warns about a webhook method the platform itself cannot send
// (names.Spec.Auth): every call from it would be refused. It is not an error, because
// a local test may send anything to `switchboard serve`.
func (c *Config) warnUnsendableAuth() {
	for _, s := range names.All() {
		m := c.Security.Webhooks[s.Name].Method
		if m == "" || s.Supports(m) {
			continue
		}
		msg := fmt.Sprintf("config: security.%s.method: %s cannot send %q (it sends: %s): calls from it will not carry the credentials",
			s.Name, s.Title, m, strings.Join(s.Auth, ", "))
		c.Warnings = append(c.Warnings, msg)
		slog.Warn(msg)
	}
}

// overlayPlatformEnv sets the platform-keyed sections from
// SWITCHBOARD_<SECTION>_<PLATFORM>[_<FIELD>] (the platform name upper-cased, "-" as
// "_": SWITCHBOARD_SECURITY_DIALOGFLOW_CX_METHOD).
func overlayPlatformEnv(c *Config, root string, env map[string]string) error {
	if c.Security.Webhooks == nil {
		c.Security.Webhooks = map[string]WebhookAuth{}
	}
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
		k := envKey(s.Name)
		w := c.Security.Webhooks[s.Name]
		if err := walk(reflect.ValueOf(&w).Elem(), root+"_SECURITY_"+k, env); err != nil {
			return err
		}
		if w != (WebhookAuth{}) {
			c.Security.Webhooks[s.Name] = w
		}
		o := c.Platform[s.Name]
		if err := walk(reflect.ValueOf(&o).Elem(), root+"_PLATFORM_"+k, env); err != nil {
			return err
		}
		if o != (PlatformOptions{}) {
			c.Platform[s.Name] = o
		}
		if raw, ok := env[root+"_INTENTS_"+k]; ok {
			v := reflect.New(reflect.TypeOf(map[string]conversation.Intent{})).Elem()
			if err := setFromString(v, raw); err != nil {
				return fmt.Errorf("config: %s: %w", root+"_INTENTS_"+k, err)
			}
			c.Intents.Platforms[s.Name] = v.Interface().(map[string]conversation.Intent)
		}
		if raw, ok := env[root+"_DEADLINES_"+k]; ok {
			var d time.Duration
			if err := setFromString(reflect.ValueOf(&d).Elem(), raw); err != nil {
				return fmt.Errorf("config: %s: %w", root+"_DEADLINES_"+k, err)
			}
			c.Deadlines.Platforms[s.Name] = d
		}
	}
	return nil
}

// decodePlatformSection decodes a YAML mapping that holds both a section's own keys
// (those of fixed's struct type) and one key per platform (a platform's name or an
// older spelling) into fixed and platforms. Any other key is refused with its line, as
// Load's strict decoding refuses unknown keys elsewhere; so is an unknown field of a
// platform's struct value.
func decodePlatformSection[T any](node *yaml.Node, section string, fixed any, platforms *map[string]T) error {
	if node.Kind != yaml.MappingNode {
		return node.Decode(fixed) // the decoder's own error for a non-mapping
	}
	fixedType := reflect.TypeOf(fixed).Elem()
	own, plat := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		switch {
		case hasYAMLField(fixedType, k.Value):
			own.Content = append(own.Content, k, v)
		case isPlatformKey(k.Value):
			if err := knownFields[T](v); err != nil {
				return err
			}
			plat.Content = append(plat.Content, k, v)
		default:
			return fmt.Errorf("line %d: field %s not found in %s (nor a platform: %s)", k.Line, k.Value, section, strings.Join(names.List(), ", "))
		}
	}
	if err := own.Decode(fixed); err != nil {
		return err
	}
	return plat.Decode(platforms)
}

func isPlatformKey(k string) bool {
	_, _, ok := names.Resolve(k)
	return ok
}

// hasYAMLField reports whether struct type t has a field of that YAML key.
func hasYAMLField(t reflect.Type, key string) bool {
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" && tag == key {
			return true
		}
	}
	return false
}

// knownFields refuses a key of mapping v that struct type T lacks (nothing to check
// for another T).
func knownFields[T any](v *yaml.Node) error {
	t := reflect.TypeOf((*T)(nil)).Elem()
	if t.Kind() != reflect.Struct || t == durationType || v.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i < len(v.Content); i += 2 {
		if k := v.Content[i]; !hasYAMLField(t, k.Value) {
			return fmt.Errorf("line %d: field %s not found in type %s", k.Line, k.Value, t)
		}
	}
	return nil
}

// UnmarshalYAML reads the security section: its own keys and security.<platform>.
func (s *Security) UnmarshalYAML(node *yaml.Node) error {
	type own Security
	var o own
	if err := decodePlatformSection(node, "security", &o, &o.Webhooks); err != nil {
		return err
	}
	*s = Security(o)
	return nil
}

// UnmarshalYAML reads the intents section: enabled and intents.<platform>.
func (in *Intents) UnmarshalYAML(node *yaml.Node) error {
	type own Intents
	var o own
	if err := decodePlatformSection(node, "intents", &o, &o.Platforms); err != nil {
		return err
	}
	*in = Intents(o)
	return nil
}

// UnmarshalYAML reads the deadlines section: reply_margin and deadlines.<platform>.
func (d *Deadlines) UnmarshalYAML(node *yaml.Node) error {
	type own Deadlines
	var o own
	if err := decodePlatformSection(node, "deadlines", &o, &o.Platforms); err != nil {
		return err
	}
	*d = Deadlines(o)
	return nil
}
