// Package adapters builds the four platform adapters from the configured intent names.
// It is its own package so that the router, which only renders replies, does not link
// the connectors and their clients.
package adapters

import (
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/dialogflow"
	"github.com/switchboard-dev/switchboard/shared/platform/dialogflowcx"
	"github.com/switchboard-dev/switchboard/shared/platform/lexv2"
	"github.com/switchboard-dev/switchboard/shared/platform/rasa"
)

// Default returns the four platform adapters with the configured intent names.
func Default(cfg config.Config) map[conversation.Platform]platform.Adapter {
	return map[conversation.Platform]platform.Adapter{
		conversation.DialogflowES: dialogflow.New(cfg.Intents.Names(conversation.DialogflowES)),
		conversation.DialogflowCX: dialogflowcx.New(cfg.Intents.Names(conversation.DialogflowCX)),
		conversation.LexV2:        lexv2.New(cfg.Intents.Names(conversation.LexV2)),
		conversation.Rasa:         rasa.New(cfg.Intents.Names(conversation.Rasa)),
	}
}
