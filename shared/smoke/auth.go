package smoke

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// WebhookAuth gives the smoke conversations the credentials each platform sends: the
// functions refuse HTTP webhook calls without them (closed by default), so the smoke
// function reads the same webhook secrets (security.*) and presents them as Dialogflow
// ES (basic auth), CX (a header) and Rasa (the token query parameter) do.
type WebhookAuth struct {
	// Webhooks is each platform's webhook authentication (the security section's,
	// converted by shared/app/wiring.Webhooks).
	Webhooks map[conversation.Platform]security.WebhookAuth
	Secrets  secrets.Provider
}

// Sign adds platform p's credentials to an API Gateway HTTP API event. Events of a
// platform that does not call the HTTP API (Lex: IAM) and of platforms without a
// method pass unchanged.
func (w *WebhookAuth) Sign(ctx context.Context, p conversation.Platform, event []byte) ([]byte, error) {
	if e, ok := platform.Lookup(p); w == nil || !ok || !e.HTTP {
		return event, nil
	}
	rule := w.Webhooks[p]
	if rule.Method == "" || rule.Method == security.AuthNone {
		return event, nil
	}
	sec, err := w.Secrets.Get(ctx, rule.Secret)
	if err != nil {
		return nil, fmt.Errorf("smoke: %s webhook secret: %w", p, err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, err
	}
	if ev.Headers == nil {
		ev.Headers = map[string]string{}
	}
	switch rule.Method {
	case security.AuthBasic:
		ev.Headers["authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(sec["username"]+":"+sec["password"]))
	case security.AuthHeader:
		ev.Headers[rule.Header] = sec["token"]
	case security.AuthBearer:
		ev.Headers["authorization"] = "Bearer " + sec["token"]
	case security.AuthToken:
		if ev.QueryStringParameters == nil {
			ev.QueryStringParameters = map[string]string{}
		}
		ev.QueryStringParameters[rule.Param] = sec["token"]
		ev.RawQueryString = rule.Param + "=" + sec["token"]
	}
	return json.Marshal(ev)
}
