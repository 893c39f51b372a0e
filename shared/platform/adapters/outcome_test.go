package adapters_test

import (
	"testing"

	sample "github.com/switchboard-dev/switchboard/events"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
)

// Every reply of every platform carries its typed outcome and whether it is a fallback,
// in a body the platform accepts, and platform.ReadOutcome reads it back: the smoke hook
// and the router judge replies by it, never by their wording.
func TestEveryReplyCarriesItsOutcome(t *testing.T) {
	t.Parallel()
	ads := adapters.Default(wiring.Adapters(config.Default()))
	replies := []conversation.Reply{
		{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Here it is."}},
		{Outcome: conversation.OutcomeFulfilled, Messages: []string{"Here it is, from yesterday."}, Fallback: true},
		{Outcome: conversation.OutcomeFailed, Messages: []string{"Sorry."}},
		{Outcome: conversation.OutcomeFailed, Messages: []string{"Sorry, too slow."}, Fallback: true},
		{Outcome: conversation.OutcomeElicitSlot, SlotToElicit: "email", Messages: []string{"Which email?"}},
		{Outcome: conversation.OutcomeDelegate},
		{Outcome: conversation.OutcomeRejected, Messages: []string{"Not here."}},
		{Outcome: conversation.OutcomeUnknownIntent, Messages: []string{"Unknown."}},
	}
	for _, p := range conversation.Platforms {
		body, err := sample.Sample(p, conversation.LookupCustomer)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range replies {
			req, err := ads[p].Decode(body)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			status, out, err := req.Encode(r)
			if err != nil {
				t.Fatalf("%s %s: %v", p, r.Outcome, err)
			}
			if status == 200 {
				schematest.Validate(t, p, out)
			}
			got, ok := platform.ReadOutcome(p, out)
			if want := platform.OutcomeOf(r); !ok || got != want {
				t.Errorf("%s %s (fallback %v): read %+v (ok %v) from %s", p, r.Outcome, r.Fallback, got, ok, out)
			}
		}
	}
}

// A body without the outcome, or with another shape, is read as no outcome.
func TestReadOutcomeAbsent(t *testing.T) {
	t.Parallel()
	for p, body := range map[conversation.Platform]string{
		conversation.DialogflowES: `{"fulfillmentText":"Sorry, something went wrong."}`,
		conversation.DialogflowCX: `{"payload":{"switchboard":"fulfilled"}}`,
		conversation.LexV2:        `{"sessionState":{"sessionAttributes":{"switchboard_outcome":"fulfilled"},"dialogAction":{"type":"Close"}}}`,
		conversation.Rasa:         `{"events":[],"responses":[{"text":"I found Ada."}]}`,
	} {
		if got, ok := platform.ReadOutcome(p, []byte(body)); ok {
			t.Errorf("%s: read %+v from %s", p, got, body)
		}
	}
}
