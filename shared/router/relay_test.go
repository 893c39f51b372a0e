package router

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
)

// relays records the relayed turns the router reports.
type relays struct {
	mu  sync.Mutex
	got []engine.RelayEnd
}

func (r *relays) StartTurn(ctx context.Context, _ engine.TurnStart) context.Context { return ctx }
func (r *relays) EndTurn(context.Context, engine.TurnEnd)                           {}
func (r *relays) Relayed(_ context.Context, e engine.RelayEnd) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, e)
}

// The router records the outcome each relayed reply carries (what its canary alarms
// judge a router version by), reads it from the Lex response and from the body of an
// HTTP platform's API Gateway response, says "unknown" for a reply without one, and
// records a failed forward as a failed fallback.
func TestRelayedOutcomes(t *testing.T) {
	t.Parallel()
	ads := adapters.Default(wiring.Adapters(config.Default()))
	// Each function answers the event with the reply named by its route, encoded by the
	// real adapter, as the intent functions do.
	answer := func(reply conversation.Reply) func([]byte) ([]byte, string) {
		return func(ev []byte) ([]byte, string) {
			var env lambdafn.Envelope
			if err := json.Unmarshal(ev, &env); err != nil || lambdafn.Classify(ev) != lambdafn.KindEnvelope {
				return []byte(`{"errorMessage":"not an envelope"}`), "Unhandled"
			}
			p, body := env.Platform, []byte(env.Body)
			dec, err := ads[p].Decode(body)
			if err != nil {
				return []byte(`{"errorMessage":"` + err.Error() + `"}`), "Unhandled"
			}
			status, out, err := dec.Encode(reply)
			if err != nil {
				return []byte(`{"errorMessage":"encode"}`), "Unhandled"
			}
			if p == conversation.LexV2 {
				return out, ""
			}
			b, _ := json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(out)})
			return b, ""
		}
	}
	api := &lambdaAPI{reply: map[string]func([]byte) ([]byte, string){
		"sb-lookup": answer(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Found."}}),
		"sb-search": answer(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Found, from yesterday."}, Fallback: true}),
		"sb-pay":    answer(conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{"Found."}}),
		"sb-ticket": func([]byte) ([]byte, string) { return []byte(`{"sessionState":{"dialogAction":{"type":"Close"}}}`), "" },
	}}
	rec := &relays{}
	r := newRouter(t, api, nil, map[conversation.Intent]string{conversation.LookupCustomer: "sb-lookup",
		conversation.SearchKB: "sb-search", conversation.VerifyPayment: "sb-pay", conversation.CreateTicket: "sb-ticket"})
	r.relay = rec
	tests := []struct {
		p    conversation.Platform
		file string
		want engine.RelayEnd
	}{
		{conversation.LexV2, "lookup_customer.json", engine.RelayEnd{Intent: conversation.LookupCustomer, Known: true,
			Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFulfilled}}},
		{conversation.DialogflowES, "search_kb.json", engine.RelayEnd{Intent: conversation.SearchKB, Known: true,
			Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFulfilled, Fallback: true}}},
		{conversation.Rasa, "verify_payment.json", engine.RelayEnd{Intent: conversation.VerifyPayment, Known: true,
			Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFailed}}},
		{conversation.LexV2, "create_ticket.json", engine.RelayEnd{Intent: conversation.CreateTicket}},
	}
	for _, tt := range tests {
		if _, err := r.Handle(context.Background(), event(t, tt.p, tt.file)); err != nil {
			t.Fatalf("%s/%s: %v", tt.p, tt.file, err)
		}
	}
	// A forward that fails (no such function) is a failed fallback of the router's.
	failing := newRouter(t, api, nil, map[conversation.Intent]string{conversation.LookupCustomer: "sb-missing"})
	failing.relay = rec
	if _, err := failing.Handle(context.Background(), event(t, conversation.LexV2, "lookup_customer.json")); err != nil {
		t.Fatal(err)
	}
	tests = append(tests, struct {
		p    conversation.Platform
		file string
		want engine.RelayEnd
	}{conversation.LexV2, "lookup_customer.json", engine.RelayEnd{Intent: conversation.LookupCustomer, Known: true, ForwardFailed: true,
		Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFailed, Fallback: true}}})
	if len(rec.got) != len(tests) {
		t.Fatalf("recorded %d relayed turns, want %d: %+v", len(rec.got), len(tests), rec.got)
	}
	for i, tt := range tests {
		tt.want.Platform = tt.p
		if rec.got[i] != tt.want {
			t.Errorf("%s/%s: recorded %+v, want %+v", tt.p, tt.file, rec.got[i], tt.want)
		}
	}
}

// BenchmarkRelayedOutcome reads the outcome of a Dialogflow ES reply as an intent
// function answers it: an API Gateway response whose body is the ES response.
func BenchmarkRelayedOutcome(b *testing.B) {
	ads := adapters.Default(wiring.Adapters(config.Default()))
	dec, err := ads[conversation.DialogflowES].Decode(readEvent(b, conversation.DialogflowES, "lookup_customer.json"))
	if err != nil {
		b.Fatal(err)
	}
	status, out, err := dec.Encode(conversation.Reply{Outcome: conversation.OutcomeFulfilled,
		Messages: []string{"I found Ada Lovelace (Analytical Engines Ltd). Open tickets: 1."}})
	if err != nil {
		b.Fatal(err)
	}
	payload, _ := json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: status,
		Headers: map[string]string{"Content-Type": "application/json"}, Body: string(out)})
	b.ReportAllocs()
	for b.Loop() {
		if o, ok := RelayedOutcome(conversation.DialogflowES, payload); !ok || o.Outcome != conversation.OutcomeFulfilled {
			b.Fatalf("outcome %+v %v", o, ok)
		}
	}
}
