package lambdafn

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/lexv2"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
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
	return Handler(engine.New(wiring.Engine(config.Default()), h, engine.Options{Adapters: ads}), 1<<20)
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
	e := engine.New(wiring.Engine(cfg), conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply {
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

// TestHTTPEventBodyUnderTheGuard: an API Gateway body goes through the same reading as
// serve's (server.Read via Body): base64 and Content-Encoding decoded, the size and
// ratio caps, the in-flight budget; every claim is released after the call.
func TestHTTPEventBodyUnderTheGuard(t *testing.T) {
	t.Parallel()
	sec := config.Default().Security
	sec.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthNone}
	sec.InflightBytes = 4 << 20
	sec.MaxInflateRatio = 50
	g, err := security.NewGuard(wiring.Security(sec), secrets.Static{})
	if err != nil {
		t.Fatal(err)
	}
	g.Budget.Wait = 0
	ads := map[conversation.Platform]platform.Adapter{conversation.Rasa: tagAdapter{conversation.Rasa}}
	h := conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply { return conversation.Reply{} })
	e := engine.New(wiring.Engine(config.Default()), h, engine.Options{Adapters: ads, Guard: g})
	deflated := func(s string) string {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write([]byte(s))
		zw.Close()
		return base64.StdEncoding.EncodeToString(z.Bytes())
	}
	serve := func(body string, b64 bool, enc string) events.APIGatewayV2HTTPResponse {
		req := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/webhooks/rasa", Body: body, IsBase64Encoded: b64,
			Headers: map[string]string{"Content-Encoding": enc}}
		req.RequestContext.HTTP.Method = "POST"
		return serveHTTPEvent(context.Background(), e, req, 1<<20)
	}
	for _, c := range []struct {
		name, body string
		b64        bool
		enc        string
		status     int
		reason     string
	}{
		{"deflated, base64", deflated(`{"x":"` + strings.Repeat("ab", 1000) + `"}`), true, "deflate", 200, ""},
		{"not base64", "{not base64", true, "", 400, "base64"},
		{"not deflate", base64.StdEncoding.EncodeToString([]byte("{}")), true, "deflate", 400, "zlib"},
		{"over the size cap", strings.Repeat(" ", 2<<20), false, "", 413, "too large"},
		{"inflates past the size cap", deflated(`{"x":"` + hexText(2<<20) + `"}`), true, "deflate", 413, "too large"},
		{"inflates past the ratio", deflated(strings.Repeat(" ", 900<<10)), true, "deflate", 413, "ratio"},
	} {
		resp := serve(c.body, c.b64, c.enc)
		if resp.StatusCode != c.status || !strings.Contains(resp.Body, c.reason) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, resp.StatusCode, resp.Body, c.status, c.reason)
		}
		if used := g.Budget.InUse(); used != 0 {
			t.Errorf("%s: %d budget bytes still claimed", c.name, used)
		}
	}
	// The budget spent: 503, nothing decoded.
	if !g.Budget.Reserve(g.Budget.Limit()) {
		t.Fatal("could not take the budget")
	}
	if resp := serve(`{"x":1}`, false, ""); resp.StatusCode != 503 {
		t.Errorf("budget spent: %d %s", resp.StatusCode, resp.Body)
	}
	g.Budget.Release(g.Budget.Limit())
}

// hexText is n bytes of hex that compress about 2:1.
func hexText(n int) string {
	var b strings.Builder
	for x := uint64(1); b.Len() < n; x = x*6364136223846793005 + 1442695040888963407 {
		fmt.Fprintf(&b, "%016x", x)
	}
	return b.String()
}
