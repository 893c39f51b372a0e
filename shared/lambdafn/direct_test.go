package lambdafn

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

func bedrockEvent(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", string(bedrockagent.Platform), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A Bedrock agent's direct invocation is told apart by its shape (messageVersion,
// agent, actionGroup with a function or an apiPath), served as that platform and
// answered with its response itself (no API Gateway envelope).
func TestBedrockDirectInvocation(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"lookup_customer.json", "search_kb.json"} {
		ev := bedrockEvent(t, file)
		if k := Classify(ev); k != KindDirect {
			t.Fatalf("%s: Classify = %v, want KindDirect", file, k)
		}
		if p := Parse(ev); p.Kind != KindDirect || p.Platform != bedrockagent.Platform {
			t.Fatalf("%s: Parse = %v %s", file, p.Kind, p.Platform)
		}
		out, err := handler()(context.Background(), ev)
		if err != nil || string(out.(json.RawMessage)) != `{"platform":"bedrock-agent"}` {
			t.Errorf("%s: %v %s", file, err, out)
		}
	}
	// Lex is still Lex, an envelope still an envelope.
	lex, _ := os.ReadFile(filepath.Join("..", "..", "events", "lex", "lookup_customer.json"))
	if Classify(lex) != KindLex {
		t.Error("a Lex event is no longer KindLex")
	}
	for _, ev := range []string{`{"messageVersion":"1.0","actionGroup":"g","function":"f"}`, `{"messageVersion":"1.0","agent":{},"actionGroup":"g"}`,
		`{"agent":{},"actionGroup":"g","function":"f"}`, `{"messageVersion":"1.0","agent":"x","actionGroup":"g","function":"f"}`} {
		if k := Classify(json.RawMessage(ev)); k != kindUnknown {
			t.Errorf("%s: Classify = %v, want unknown", ev, k)
		}
	}
}

// An event the real adapter refuses is answered with a response the agent accepts
// (valid against the schema), never a function error or an API Gateway body.
func TestBadBedrockEventGetsAValidAnswer(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	ads := map[conversation.Platform]platform.Adapter{bedrockagent.Platform: bedrockagent.New(cfg.Intents.Names(bedrockagent.Platform))}
	e := engine.New(wiring.Engine(cfg), conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply {
		t.Error("a bad event reached the handler")
		return conversation.Reply{}
	}), engine.Options{Adapters: ads})
	h := Handler(e, 0)
	for _, file := range []string{"lookup_customer_signed.json", "create_ticket_signed.json"} {
		ev := strings.Replace(string(bedrockEvent(t, file)), `"messageVersion": "1.0"`, `"messageVersion": "9"`, 1)
		out, err := h(context.Background(), json.RawMessage(ev))
		if err != nil {
			t.Fatalf("%s: error escaped to Lambda: %v", file, err)
		}
		body, _ := json.Marshal(out)
		schematest.Validate(t, bedrockagent.Platform, body)
		if !strings.Contains(string(body), "messageVersion must be 1.0") || strings.Contains(string(body), "eyJ") {
			t.Errorf("%s: %s", file, body)
		}
	}
}

// The router's envelope of a Bedrock turn is admitted by IAM, like Lex's; an
// envelope that says otherwise is refused.
func TestBedrockEnvelopeCaller(t *testing.T) {
	t.Parallel()
	h := handler()
	body := bedrockEvent(t, "search_kb.json")
	for caller, ok := range map[string]bool{CallerIAM: true, CallerAuthenticated: false} {
		env, _ := Envelope{Version: EnvelopeVersion, Platform: bedrockagent.Platform, Body: body, Caller: caller}.Marshal()
		out, err := h(context.Background(), env)
		if (err == nil) != ok {
			t.Errorf("caller %s: %v %s", caller, err, out)
		}
	}
}
