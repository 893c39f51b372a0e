package lambdafn

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// TestRouteEnvelope: a tool API call the router admitted arrives with its route (the
// intent and the tool API's headers) and is answered as POST /api/v1/<intent> would
// be, the identity token from the route's header only; a tool API envelope without a
// route, or another platform's with one, is a function error, never a turn.
func TestRouteEnvelope(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.Security.Webhooks["tool-api"] = config.WebhookAuth{Method: config.AuthBearer, Secret: "tool"}
	g, err := security.NewGuard(wiring.Security(cfg.Security), secrets.Static{"tool": {"token": "Tool0Token0ForTheEnvelopeTest"}})
	if err != nil {
		t.Fatal(err)
	}
	h := conversation.HandlerFunc(func(_ context.Context, tu conversation.Turn) conversation.Reply {
		return conversation.Reply{Outcome: conversation.OutcomeFulfilled,
			Messages: []string{fmt.Sprintf("%s for %q in %s", tu.Intent, tu.IdentityToken, tu.Locale)}}
	})
	fn := Handler(engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg)), Guard: g}), 1<<20)
	body := json.RawMessage(`{"email":"eve@example.com","identity_token":"tok-eve"}`)
	env := Envelope{Version: EnvelopeVersion, Platform: toolapi.Platform, Body: body, Caller: CallerAuthenticated,
		Route: NewRoute("lookup_customer", http.Header{toolapi.IdentityHeader: {"tok-ada"}, "Accept-Language": {"de"},
			"Authorization": {"Bearer x"}}, []string{toolapi.IdentityHeader, "Accept-Language"})}
	if env.Route.Header["Authorization"] != "" {
		t.Errorf("the route carries %v", env.Route.Header)
	}
	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	out, err := fn(context.Background(), b)
	resp, ok := out.(events.APIGatewayV2HTTPResponse)
	var res toolapi.Result
	if err != nil || !ok || resp.StatusCode != 200 || json.Unmarshal([]byte(resp.Body), &res) != nil ||
		res.Answer != `lookup_customer for "tok-ada" in de` {
		t.Fatalf("tool envelope: %v %#v", err, out)
	}
	noRoute, _ := Envelope{Version: EnvelopeVersion, Platform: toolapi.Platform, Body: body, Caller: CallerAuthenticated}.Marshal()
	withRoute, _ := Envelope{Version: EnvelopeVersion, Platform: conversation.Rasa, Body: json.RawMessage(`{"next_action":"x"}`),
		Caller: CallerAuthenticated, Route: &Route{Intent: "lookup_customer"}}.Marshal()
	unknown, _ := Envelope{Version: EnvelopeVersion, Platform: toolapi.Platform, Body: body, Caller: CallerAuthenticated,
		Route: &Route{Intent: "drop_tables"}}.Marshal()
	if out, err := fn(context.Background(), unknown); err != nil || out.(events.APIGatewayV2HTTPResponse).StatusCode != 400 {
		t.Errorf("an unknown intent's route: %v %#v", err, out)
	}
	for name, ev := range map[string][]byte{"tool API without a route": noRoute, "rasa with a route": withRoute} {
		if out, err := fn(context.Background(), ev); err == nil {
			t.Errorf("%s: answered %#v", name, out)
		}
	}
}
