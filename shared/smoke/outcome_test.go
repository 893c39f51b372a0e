package smoke_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	sample "github.com/switchboard-dev/switchboard/events"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/smoke"
)

// The smoke check judges a reply by the outcome it carries, never by its wording: a
// polite, success-sounding answer whose outcome is failed or a fallback fails; a
// fulfilled answer passes whatever its words (another language, or words that happen
// to read like an apology).
func TestExpectReadsOutcomeNotWording(t *testing.T) {
	t.Parallel()
	ads := adapters.Default(wiring.Adapters(config.Default()))
	tests := []struct {
		name  string
		reply conversation.Reply
		ok    bool
	}{
		{"fulfilled in words of success", conversation.Reply{Outcome: conversation.OutcomeFulfilled,
			Messages: []string{"Here's what I found: How to reset your password"}}, true},
		{"fulfilled in other words", conversation.Reply{Outcome: conversation.OutcomeFulfilled,
			Messages: []string{"Sorry, that took a moment. Voilà: How to reset your password"}}, true},
		{"failed in words of success", conversation.Reply{Outcome: conversation.OutcomeFailed,
			Messages: []string{"Here's what I found: How to reset your password"}}, false},
		{"fallback in words of success", conversation.Reply{Outcome: conversation.OutcomeFulfilled, Fallback: true,
			Messages: []string{"Here's what I found: How to reset your password"}}, false},
		{"rejected politely", conversation.Reply{Outcome: conversation.OutcomeRejected,
			Messages: []string{"Here's what I found"}}, false},
	}
	for _, p := range conversation.Platforms {
		body, err := sample.Sample(p, conversation.SearchKB)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			req, err := ads[p].Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			status, out, err := req.Encode(tt.reply)
			if err != nil {
				t.Fatal(err)
			}
			payload := out
			if e, _ := platform.Lookup(p); e.HTTP {
				payload, _ = json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(out)})
			}
			r, err := smoke.ReadReply(p, payload)
			if err == nil {
				err = smoke.Expect(p, conversation.SearchKB, smoke.Profile{ArticleTitle: "How to reset your password"}, r)
			}
			if (err == nil) != tt.ok {
				t.Errorf("%s %s: Expect = %v, want ok=%v", p, tt.name, err, tt.ok)
			}
		}
	}
}

// A reply that carries no outcome fails, saying where the outcome was expected.
func TestExpectWithoutOutcomeFails(t *testing.T) {
	t.Parallel()
	body := `{"fulfillmentText":"Here's what I found","fulfillmentMessages":[{"text":{"text":["Here's what I found"]}}]}`
	payload, _ := json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: body})
	r, err := smoke.ReadReply(conversation.DialogflowES, payload)
	if err != nil {
		t.Fatal(err)
	}
	err = smoke.Expect(conversation.DialogflowES, conversation.SearchKB, smoke.Profile{}, r)
	if err == nil || !errors.Is(err, smoke.ErrOutcome) {
		t.Fatalf("Expect = %v, want an outcome error", err)
	}
}
