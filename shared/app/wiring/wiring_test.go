package wiring_test

import (
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/security"
)

func TestSecurityCarriesEveryPlatformAndLimit(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load("", []string{"SWITCHBOARD_SECURITY_RASA_METHOD=token", "SWITCHBOARD_SECURITY_RASA_SECRET=wh/rasa"})
	if err != nil {
		t.Fatal(err)
	}
	o := wiring.Security(cfg.Security)
	if len(o.Webhooks) != len(conversation.Platforms) {
		t.Fatalf("%d platforms, want %d", len(o.Webhooks), len(conversation.Platforms))
	}
	if r := o.Webhooks[conversation.Rasa]; r != (security.WebhookAuth{Method: security.AuthToken, Secret: "wh/rasa", Header: "X-Switchboard-Token", Param: "token"}) {
		t.Errorf("rasa %+v", r)
	}
	if r := o.Webhooks[conversation.DialogflowES]; r.Method != "" {
		t.Errorf("dialogflow without a method got %q: closed by default means none set", r.Method)
	}
	s := cfg.Security
	if o.InflightBytes != s.InflightBytes || o.MaxJSONDepth != s.MaxJSONDepth || o.PerSourceRate != s.PerSourceRate ||
		o.PerSessionBurst != s.PerSessionBurst || o.BodyMinRate != s.BodyMinRate || o.MaxInflateRatio != s.MaxInflateRatio ||
		o.UploadsPerSource != s.UploadsPerSource || o.LimiterIdle != s.LimiterIdle || o.InflightWait != s.InflightWait ||
		o.BodyIdleTimeout != s.BodyIdleTimeout || o.PerSourceBurst != s.PerSourceBurst || o.PerSessionRate != s.PerSessionRate {
		t.Errorf("limits %+v, want the section's %+v", o, s)
	}
	if _, err := security.NewGuard(o, nil); err == nil {
		t.Error("a token method without a secrets provider built a guard")
	}
}

func TestEngineAndAdaptersCarryTheSections(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load("", []string{"SWITCHBOARD_DEADLINES_RASA=7s", "SWITCHBOARD_INTENTS_ENABLED=lookup_customer",
		"SWITCHBOARD_PLATFORM_RASA_RICH=false"})
	if err != nil {
		t.Fatal(err)
	}
	s := wiring.Engine(cfg)
	if s.Deadlines[conversation.Rasa] != 7*time.Second || s.Deadlines[conversation.DialogflowES] != cfg.Deadlines.For(conversation.DialogflowES) ||
		s.ReplyMargin != cfg.Deadlines.ReplyMargin || s.SupportEmail != cfg.SupportEmail ||
		len(s.Enabled) != 1 || s.Enabled[0] != conversation.LookupCustomer {
		t.Errorf("engine settings %+v", s)
	}
	a := wiring.Adapters(cfg)
	if !a.Plain[conversation.Rasa] || a.Plain[conversation.DialogflowES] {
		t.Errorf("plain %v, want rasa only", a.Plain)
	}
	for _, p := range conversation.Platforms {
		if len(a.Names[p]) != len(cfg.Intents.Names(p)) {
			t.Errorf("%s: %d intent names, want %d", p, len(a.Names[p]), len(cfg.Intents.Names(p)))
		}
	}
}
