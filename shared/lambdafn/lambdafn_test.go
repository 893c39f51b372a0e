package lambdafn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/lexv2"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

// tagAdapter answers {"platform": <its platform>} so tests see which adapter the
// transport chose.
type tagAdapter struct{ p conversation.Platform }

func (a tagAdapter) Platform() conversation.Platform { return a.p }
func (a tagAdapter) Decode(body []byte) (platform.Request, error) {
	if !json.Valid(body) {
		return nil, platform.NewBadRequest(a.p, "body is not JSON")
	}
	return tagRequest(a), nil
}

type tagRequest tagAdapter

func (r tagRequest) Turn() conversation.Turn { return conversation.Turn{Intent: conversation.SearchKB} }
func (r tagRequest) Encode(conversation.Reply) (int, []byte, error) {
	return 200, []byte(`{"platform":"` + string(r.p) + `"}`), nil
}

func handler() func(context.Context, json.RawMessage) (any, error) {
	ads := map[conversation.Platform]platform.Adapter{}
	for _, p := range conversation.Platforms {
		ads[p] = tagAdapter{p}
	}
	h := conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply { return conversation.Reply{} })
	return Handler(engine.New(config.Default(), h, engine.Options{Adapters: ads}), 1<<20)
}

func httpEvent(path, body string, b64 bool) json.RawMessage {
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST " + path, RawPath: path, Body: body, IsBase64Encoded: b64}
	ev.RequestContext.HTTP.Method = "POST"
	b, _ := json.Marshal(ev)
	return b
}

func TestHandler(t *testing.T) {
	t.Parallel()
	h := handler()
	for path, want := range map[string]string{"/webhooks/dialogflow": "dialogflow", "/webhooks/dialogflow-cx/search-kb": "dialogflow-cx",
		"/webhooks/rasa": "rasa"} {
		out, err := h(context.Background(), httpEvent(path, `{}`, false))
		if err != nil {
			t.Fatal(err)
		}
		resp := out.(events.APIGatewayV2HTTPResponse)
		if resp.StatusCode != 200 || resp.Body != `{"platform":"`+want+`"}` {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Body)
		}
	}
	out, _ := h(context.Background(), httpEvent("/webhooks/rasa", base64.StdEncoding.EncodeToString([]byte(`{"x":1}`)), true))
	if resp := out.(events.APIGatewayV2HTTPResponse); resp.StatusCode != 200 {
		t.Errorf("base64 body: %d %s", resp.StatusCode, resp.Body)
	}
	out, _ = h(context.Background(), httpEvent("/webhooks/other", `{}`, false))
	if resp := out.(events.APIGatewayV2HTTPResponse); resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
	out, _ = h(context.Background(), httpEvent("/webhooks/rasa", `{`, false))
	if resp := out.(events.APIGatewayV2HTTPResponse); resp.StatusCode != 400 {
		t.Errorf("malformed body: %d", resp.StatusCode)
	}
	lex := json.RawMessage(`{"messageVersion":"1.0","invocationSource":"FulfillmentCodeHook","sessionId":"s","sessionState":{}}`)
	out, err := h(context.Background(), lex)
	if err != nil || string(out.(json.RawMessage)) != `{"platform":"lex"}` {
		t.Errorf("lex: %v %s", err, out)
	}
	if _, err := h(context.Background(), json.RawMessage(`{"hello":"world"}`)); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("unknown event: %v", err)
	}
}

// TestBadLexEventGetsCloseFailed: a direct Lex invoke the real adapter cannot decode is
// answered with a schema-valid Close/Failed, never an error body Lex would reject.
func TestBadLexEventGetsCloseFailed(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	ads := map[conversation.Platform]platform.Adapter{conversation.LexV2: lexv2.New(cfg.Intents.Names(conversation.LexV2))}
	e := engine.New(cfg, conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply {
		t.Error("a bad event reached the handler")
		return conversation.Reply{}
	}), engine.Options{Adapters: ads})
	h := Handler(e, 0)
	for _, ev := range []string{
		`{"invocationSource":"FulfillmentCodeHook","sessionState":{"sessionAttributes":{"a":"b"},"intent":{"name":7}}}`,
		`{"invocationSource":"FulfillmentCodeHook","sessionState":{}}`,
	} {
		out, err := h(context.Background(), json.RawMessage(ev))
		if err != nil {
			t.Fatalf("%s: error escaped to Lambda: %v", ev, err)
		}
		body, _ := json.Marshal(out)
		schematest.Validate(t, conversation.LexV2, body)
		var r lexv2.Response
		if err := json.Unmarshal(body, &r); err != nil || r.SessionState.Intent.State != "Failed" || r.SessionState.DialogAction.Type != "Close" {
			t.Fatalf("%s: got %s, want Close/Failed", ev, body)
		}
	}
}
