package main

import (
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/console"
	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// consoleSettings translates the configuration into the console's settings.
func consoleSettings(cfg config.Config) console.Settings {
	s := console.Settings{Names: consoleNames(cfg.Intents), DemoKey: cfg.Identity.Token.DemoKeyOn(),
		Issuer: cfg.Identity.Token.Issuer, Audience: cfg.Identity.Token.Audience,
		DemoData: cfg.Connectors.Customers == config.ToolDemo}
	if cfg.Identity.Codes.Sender == config.SenderOutbox {
		s.Outbox = cfg.Identity.Codes.Outbox
	}
	return s
}

// consoleNames is the intents section as the console reads it.
func consoleNames(in config.Intents) map[conversation.Platform]map[string]conversation.Intent {
	out := map[conversation.Platform]map[string]conversation.Intent{}
	for _, p := range conversation.Platforms {
		if n := in.Names(p); n != nil {
			out[p] = n
		}
	}
	return out
}
