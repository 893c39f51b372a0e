package wiring_test

import (
	"testing"

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
