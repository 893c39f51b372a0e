package lambdafn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// guardedHandler is a function whose HTTP webhooks all need credentials (Rasa's
// token), recording the deadline of each turn its handler runs.
func guardedHandler(t *testing.T) (func(context.Context, json.RawMessage) (any, error), *[]time.Time) {
	t.Helper()
	sec := config.Default().Security
	sec.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthToken, Secret: "rasa"}
	g, err := security.NewGuard(wiring.Security(sec), secrets.Static{"rasa": {"token": "Rasa0Token0ForTheEnvelopeTest"}})
	if err != nil {
		t.Fatal(err)
	}
	ads := map[conversation.Platform]platform.Adapter{}
	for _, p := range conversation.Platforms {
		ads[p] = tagAdapter{p}
	}
	var mu sync.Mutex
	var turns []time.Time
	h := conversation.HandlerFunc(func(ctx context.Context, tu conversation.Turn) conversation.Reply {
		mu.Lock()
		defer mu.Unlock()
		d, _ := ctx.Deadline()
		turns = append(turns, d)
		return conversation.Reply{}
	})
	return Handler(engine.New(wiring.Engine(config.Default()), h, engine.Options{Adapters: ads, Guard: g}), 1<<20), &turns
}

// TestEnvelope: a turn the router admitted arrives by direct Invoke as an Envelope and
// is answered without credentials, under the router's deadline, in the shape the
// router relays (API Gateway for HTTP platforms, the Lex response for Lex). The same
// envelope as an HTTP call's body is only a body: its call needs credentials like any
// other. Envelopes that do not add up are function errors, never turns.
func TestEnvelope(t *testing.T) {
	t.Parallel()
	h, turns := guardedHandler(t)
	deadline := time.Now().Add(3 * time.Second).Truncate(time.Millisecond)
	env, err := Envelope{Version: EnvelopeVersion, Platform: conversation.Rasa, Body: json.RawMessage(`{"next_action":"x"}`),
		Caller: CallerAuthenticated, Deadline: deadline.UnixMilli()}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if k := Classify(env); k != KindEnvelope {
		t.Fatalf("%s classified %v", env, k)
	}
	out, err := h(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if resp, ok := out.(events.APIGatewayV2HTTPResponse); !ok || resp.StatusCode != 200 || resp.Body != `{"platform":"rasa"}` {
		t.Errorf("envelope: %#v", out)
	}
	if want := deadline.Add(-config.Default().Deadlines.ReplyMargin); len(*turns) != 1 || !(*turns)[0].Equal(want) {
		t.Errorf("turn budgets %v, want the envelope's deadline less the reply margin %v", *turns, want)
	}

	lex, _ := Envelope{Version: EnvelopeVersion, Platform: conversation.LexV2, Body: json.RawMessage(`{"sessionState":{}}`),
		Caller: CallerIAM}.Marshal()
	if out, err := h(context.Background(), lex); err != nil || string(out.(json.RawMessage)) != `{"platform":"lex"}` {
		t.Errorf("lex envelope: %v %v", out, err)
	}

	// A body too large inflated for an Invoke comes as API Gateway delivered it.
	wired, _ := Envelope{Version: EnvelopeVersion, Platform: conversation.Rasa, Caller: CallerAuthenticated,
		Wire: &WireBody{Body: base64.StdEncoding.EncodeToString([]byte(`{"next_action":"y"}`)), Base64: true}}.Marshal()
	if out, err := h(context.Background(), wired); err != nil || out.(events.APIGatewayV2HTTPResponse).Body != `{"platform":"rasa"}` {
		t.Errorf("envelope with the body as delivered: %#v %v", out, err)
	}

	// Through API Gateway the envelope is a Rasa body like any other: no token, 401.
	out, err = h(context.Background(), httpEvent("/webhooks/rasa", base64.StdEncoding.EncodeToString(env), true))
	if resp, ok := out.(events.APIGatewayV2HTTPResponse); err != nil || !ok || resp.StatusCode != 401 {
		t.Errorf("envelope as an HTTP body: %#v %v", out, err)
	}
	// Nor does an HTTP event become an envelope by carrying its marker.
	var ev map[string]any
	json.Unmarshal(httpEvent("/webhooks/rasa", `{}`, false), &ev)
	ev["switchboard"], ev["platform"], ev["caller"] = EnvelopeVersion, "rasa", CallerAuthenticated
	marked, _ := json.Marshal(ev)
	if out, err := h(context.Background(), marked); err != nil || out.(events.APIGatewayV2HTTPResponse).StatusCode != 401 {
		t.Errorf("HTTP event marked as an envelope: %#v %v", out, err)
	}
	for name, bad := range map[string]Envelope{
		"unknown caller":         {Version: EnvelopeVersion, Platform: conversation.Rasa, Body: json.RawMessage(`{}`), Caller: "trusted"},
		"lex without IAM":        {Version: EnvelopeVersion, Platform: conversation.LexV2, Body: json.RawMessage(`{}`), Caller: CallerAuthenticated},
		"HTTP platform with IAM": {Version: EnvelopeVersion, Platform: conversation.Rasa, Body: json.RawMessage(`{}`), Caller: CallerIAM},
		"unknown platform":       {Version: EnvelopeVersion, Platform: "teams", Body: json.RawMessage(`{}`), Caller: CallerAuthenticated},
		// Rasa needs a token here: a router that let one in without is configured
		// otherwise, and the function does not go along.
		"lex as delivered":                  {Version: EnvelopeVersion, Platform: conversation.LexV2, Caller: CallerIAM, Wire: &WireBody{Body: "{}"}},
		"open where credentials are needed": {Version: EnvelopeVersion, Platform: conversation.Rasa, Body: json.RawMessage(`{}`), Caller: CallerOpen},
	} {
		b, _ := bad.Marshal()
		if out, err := h(context.Background(), b); err == nil {
			t.Errorf("%s: answered %#v", name, out)
		}
	}
	if len(*turns) != 3 {
		t.Errorf("%d turns ran, want the 3 envelopes'", len(*turns))
	}
}

// TestParse: one pass tells the same kinds Classify does and reads the HTTP event as
// the SDK's type does; an HTTP event whose fields have the wrong types is invalid.
func TestParse(t *testing.T) {
	t.Parallel()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST /webhooks/rasa", RawPath: "/webhooks/rasa",
		RawQueryString: "token=x", Headers: map[string]string{"content-encoding": "gzip"},
		QueryStringParameters: map[string]string{"token": "x"}, Body: "e30=", IsBase64Encoded: true}
	ev.RequestContext.HTTP.Method = "POST"
	ev.RequestContext.HTTP.SourceIP = "192.0.2.1"
	ev.RequestContext.RequestID = "req-1"
	httpEv, _ := json.Marshal(ev)
	env, _ := Envelope{Version: EnvelopeVersion, Platform: conversation.Rasa, Body: json.RawMessage(`{"a":[1]}`),
		Caller: CallerOpen, RequestID: "req-2", Deadline: 42}.Marshal()
	for _, c := range []struct {
		name  string
		event string
		kind  Kind
	}{
		{"http", string(httpEv), KindHTTP},
		{"lex", `{"invocationSource":"FulfillmentCodeHook","sessionState":{}}`, KindLex},
		{"envelope", string(env), KindEnvelope},
		{"envelope with an HTTP event's fields", strings.Replace(string(env), `{`, `{"version":"2.0",`, 1), kindUnknown},
		{"unknown", `{"ping":true}`, kindUnknown},
		{"not JSON", `{`, kindUnknown},
	} {
		got := Parse([]byte(c.event))
		if got.Kind != c.kind || Classify([]byte(c.event)) != c.kind || got.Invalid {
			t.Errorf("%s: Parse %v (invalid %v), Classify %v, want %v", c.name, got.Kind, got.Invalid, Classify([]byte(c.event)), c.kind)
		}
	}
	if got := Parse(httpEv).HTTP; !reflect.DeepEqual(got, ev) {
		t.Errorf("HTTP event read as %+v, want %+v", got, ev)
	}
	if got := Parse(env).Envelope; got.Platform != conversation.Rasa || string(got.Body) != `{"a":[1]}` || got.Caller != CallerOpen ||
		got.RequestID != "req-2" || got.Deadline != 42 {
		t.Errorf("envelope read as %+v", got)
	}
	bad := strings.Replace(string(httpEv), `"headers":{"content-encoding":"gzip"}`, `"headers":["gzip"]`, 1)
	if got := Parse([]byte(bad)); got.Kind != KindHTTP || !got.Invalid {
		t.Errorf("HTTP event with a list of headers: %+v", got)
	}
}
