// Package adapters links every platform (each registers itself from its folder,
// shared/platform/<name>) and builds their adapters from the configured intent names.
// It is its own package so that the router, which only renders replies, does not link
// the connectors and their clients.
package adapters

import (
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

// Options are what the configuration decides for the adapters (the composition root
// converts it: shared/app/wiring.Adapters).
type Options struct {
	// Names maps each platform's own intent names onto canonical intents
	// (intents.<platform>); a platform not in it knows no intent name.
	Names map[conversation.Platform]map[string]conversation.Intent
	// Plain lists the platforms whose replies are plain text (platform.<name>.rich:
	// false).
	Plain map[conversation.Platform]bool
}

// Default returns every registered platform's adapter with o's intent names and
// rendering.
func Default(o Options) map[conversation.Platform]platform.Adapter {
	out := map[conversation.Platform]platform.Adapter{}
	for _, e := range platform.Entries() {
		p := e.Platform()
		out[p] = e.New(o.Names[p], o.Plain[p])
	}
	return out
}

// Routes lists the GET routes the platforms answer beside their webhooks (for
// server.Options.Routes), from o's intent names.
func Routes(o Options) []platform.Route {
	var out []platform.Route
	for _, e := range platform.Entries() {
		if e.Routes != nil {
			out = append(out, e.Routes(o.Names[e.Platform()])...)
		}
	}
	return out
}
