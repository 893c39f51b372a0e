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

// Default returns the four platform adapters with the configured intent names and
// rendering options (platform.<name>.rich).
func Default(cfg config.Config) map[conversation.Platform]platform.Adapter {
	plain := func(p conversation.Platform) bool { return !cfg.Platform.For(p).RichEnabled() }
	df := dialogflow.New(cfg.Intents.Names(conversation.DialogflowES))
	df.PlainText = plain(conversation.DialogflowES)
	cx := dialogflowcx.New(cfg.Intents.Names(conversation.DialogflowCX))
	cx.PlainText = plain(conversation.DialogflowCX)
	lex := lexv2.New(cfg.Intents.Names(conversation.LexV2))
	lex.PlainText = plain(conversation.LexV2)
	ra := rasa.New(cfg.Intents.Names(conversation.Rasa))
	ra.PlainText = plain(conversation.Rasa)
	return map[conversation.Platform]platform.Adapter{
		conversation.DialogflowES: df,
		conversation.DialogflowCX: cx,
		conversation.LexV2:        lex,
		conversation.Rasa:         ra,
	}
}
