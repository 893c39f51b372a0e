package config

import (
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"time"

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
