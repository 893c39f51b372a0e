// Package wiring is the part of the composition root that the small binaries (the
// router and the smoke function) share with shared/app: it translates the loaded
// configuration (shared/config) into the Options of packages that do not read it.
// It links only those packages, so the router stays small.
package wiring

import (
	"time"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// Webhooks returns every platform's webhook authentication from the security section
// (config.Security.WebhookFor: a name that is no configured platform gets none).
func Webhooks(s config.Security) map[conversation.Platform]security.WebhookAuth {
	out := make(map[conversation.Platform]security.WebhookAuth, len(conversation.Platforms))
	for _, p := range conversation.Platforms {
		out[p] = security.WebhookAuth(s.WebhookFor(string(p)))
	}
	return out
}

// Security returns the webhook guard's options from the security section (after Load).
func Security(s config.Security) security.Options {
	return security.Options{
		Webhooks:         Webhooks(s),
		PerSourceRate:    s.PerSourceRate,
		PerSourceBurst:   s.PerSourceBurst,
		PerSessionRate:   s.PerSessionRate,
		PerSessionBurst:  s.PerSessionBurst,
		LimiterIdle:      s.LimiterIdle,
		MaxJSONDepth:     s.MaxJSONDepth,
		InflightBytes:    s.InflightBytes,
		InflightWait:     s.InflightWait,
		UploadsPerSource: s.UploadsPerSource,
		BodyIdleTimeout:  s.BodyIdleTimeout,
		BodyMinRate:      s.BodyMinRate,
		MaxInflateRatio:  s.MaxInflateRatio,
		// Validated with the configuration: an entry that does not parse is not there.
		TrustedProxies: proxies(s.TrustedProxies),
	}
}

func proxies(list []string) security.Proxies {
	p, _ := security.ParseProxies(list)
	return p
}

// Adapters returns the platform adapters' options: the configured intent names
// (intents.<platform>) and rendering (platform.<name>.rich) of every platform.
func Adapters(cfg config.Config) adapters.Options {
	o := adapters.Options{Names: map[conversation.Platform]map[string]conversation.Intent{}, Plain: map[conversation.Platform]bool{}}
	for _, p := range conversation.Platforms {
		if n := cfg.Intents.Names(p); n != nil {
			o.Names[p] = n
		}
		if !cfg.Platform.For(p).RichEnabled() {
			o.Plain[p] = true
		}
	}
	return o
}

// Engine returns the engine's settings: the enabled intents, the support address, and
// every platform's deadline and the reply margin (deadlines.*).
func Engine(cfg config.Config) engine.Settings {
	s := engine.Settings{Enabled: cfg.Intents.Enabled, SupportEmail: cfg.SupportEmail,
		Deadlines: map[conversation.Platform]time.Duration{}, ReplyMargin: cfg.Deadlines.ReplyMargin}
	for _, p := range conversation.Platforms {
		s.Deadlines[p] = cfg.Deadlines.For(p)
	}
	return s
}
