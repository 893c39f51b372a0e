// Package adapters links every platform (each registers itself from its folder,
// shared/platform/<name>) and builds their adapters from the configured intent names.
// It is its own package so that the router, which only renders replies, does not link
// the connectors and their clients.
package adapters

import (
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"

	// Every platform: each registers itself (platform.Register) from its init.
	_ "github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	_ "github.com/switchboard-dev/switchboard/shared/platform/dialogflow"
	_ "github.com/switchboard-dev/switchboard/shared/platform/dialogflowcx"
	_ "github.com/switchboard-dev/switchboard/shared/platform/lexv2"
	_ "github.com/switchboard-dev/switchboard/shared/platform/rasa"
	_ "github.com/switchboard-dev/switchboard/shared/platform/toolapi"
)

// Default returns every registered platform's adapter with the configured intent
// names and rendering options (platform.<name>.rich).
func Default(cfg config.Config) map[conversation.Platform]platform.Adapter {
	out := map[conversation.Platform]platform.Adapter{}
	for _, e := range platform.Entries() {
		p := e.Platform()
		out[p] = e.New(cfg.Intents.Names(p), !cfg.Platform.For(p).RichEnabled())
	}
	return out
}

// Routes lists the GET routes the platforms answer beside their webhooks (for
// server.Options.Routes), from the configured intent names.
func Routes(cfg config.Config) []platform.Route {
	var out []platform.Route
	for _, e := range platform.Entries() {
		if e.Routes != nil {
			out = append(out, e.Routes(cfg.Intents.Names(e.Platform()))...)
		}
	}
	return out
}
