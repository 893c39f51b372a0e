package config

import "github.com/switchboard-dev/switchboard/shared/conversation"

// Platforms holds per-platform rendering options.
type Platforms struct {
	Dialogflow   PlatformOptions `yaml:"dialogflow"`
	DialogflowCX PlatformOptions `yaml:"dialogflow_cx"`
	Lex          PlatformOptions `yaml:"lex"`
	Rasa         PlatformOptions `yaml:"rasa"`
}

// PlatformOptions are one platform's rendering options.
type PlatformOptions struct {
	// Rich sends cards, buttons and quick replies besides the text (default true);
	// false sends text only.
	Rich *bool `yaml:"rich"`
}

// RichEnabled reports whether replies on this platform carry rich content.
func (o PlatformOptions) RichEnabled() bool { return o.Rich == nil || *o.Rich }

// For returns the options of a platform.
func (p Platforms) For(pl conversation.Platform) PlatformOptions {
	switch pl {
	case conversation.DialogflowES:
		return p.Dialogflow
	case conversation.DialogflowCX:
		return p.DialogflowCX
	case conversation.LexV2:
		return p.Lex
	case conversation.Rasa:
		return p.Rasa
	}
	return PlatformOptions{}
}
