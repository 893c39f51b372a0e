package telemetry_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// A reply the adapter cannot send as asked because the bot lacks what it names (a Lex
// slot the intent does not define) is a configuration error of the bot: logged once
// per intent and name, counted every time (ConfigErrors).
func TestConfigErrorLoggedOnceCounted(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../platform/lexv2/testdata/real/definitelytyped_lex_v2_event.json")
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(strings.ReplaceAll(string(raw), "IntentName", "LookupCustomer"))
	cfg := config.Default()
	var logs bytes.Buffer
	tel, err := telemetry.New(cfg.Service, telemetry.Settings(cfg.Telemetry), telemetry.Options{Logs: &logs, EMF: io.Discard, Traces: io.Discard, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	h := conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply {
		return conversation.Reply{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email", Messages: []string{"Which email?"}}
	})
	eng := engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg)), Hook: tel})
	for range 3 {
		if resp := eng.Serve(context.Background(), conversation.LexV2, body); resp.Status != 200 || !strings.Contains(string(resp.Body), `"ElicitIntent"`) {
			t.Fatalf("reply %d %s, want ElicitIntent", resp.Status, resp.Body)
		}
	}
	if n := tel.Metrics.Counter(metricdefs.ConfigErrors, telemetry.Dims{Intent: string(conversation.LookupCustomer)}); n != 3 {
		t.Errorf("ConfigErrors = %d, want 3", n)
	}
	if n := strings.Count(logs.String(), `"bot configuration error"`); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), `"name":"email"`) || !strings.Contains(logs.String(), `"raw_intent":"LookupCustomer"`) {
		t.Errorf("log line does not name the slot and intent:\n%s", logs.String())
	}
}

// The router's relayed turns are counted by the outcome their replies carried, under
// the router version's own FunctionVersion (what its canary alarms watch): failed,
// rejected, unknown_intent and no outcome at all are failed turns; a carried fallback
// and a failed forward are fallback replies.
func TestRelayedMetrics(t *testing.T) {
	t.Parallel()
	var emf bytes.Buffer
	env := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "sb-router", "AWS_LAMBDA_FUNCTION_VERSION": "12"}
	tel, err := telemetry.New(config.Default().Service, telemetry.Settings(config.Default().Telemetry), telemetry.Options{Logs: io.Discard, EMF: &emf, Traces: io.Discard,
		Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	lookup := conversation.LookupCustomer
	for _, r := range []engine.RelayEnd{
		{Intent: lookup, Known: true, Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFulfilled}},
		{Intent: lookup, Known: true, Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFulfilled, Fallback: true}},
		{Intent: lookup, Known: true, Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFailed}},
		{Intent: lookup, Known: true, Outcome: platform.WireOutcome{Outcome: conversation.OutcomeRejected}},
		{Intent: lookup},
		{Intent: lookup, Known: true, ForwardFailed: true, Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFailed, Fallback: true}},
	} {
		r.Platform = conversation.LexV2
		tel.Relayed(ctx, r)
	}
	d := telemetry.Dims{Intent: string(lookup)}
	for m, want := range map[metricdefs.Metric]int64{metricdefs.RelayedTurns: 6, metricdefs.RelayedFailed: 4, metricdefs.RelayedFallbacks: 2} {
		if got := tel.Metrics.Counter(m, d); got != want {
			t.Errorf("%s = %d, want %d", m.Name, got, want)
		}
	}
	out := emf.String()
	for _, want := range []string{`"RelayedTurns"`, `"FunctionVersion":"sb-router:12"`, `"Intent":"lookup_customer"`} {
		if !strings.Contains(out, want) {
			t.Errorf("EMF lacks %s:\n%s", want, out)
		}
	}
}
