package intents_test

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	. "github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// The idempotency layer says only which of its outcomes a turn met; the words, and
// the keys they come from, are the intent's: create_ticket names what it could not
// do and promises not to file twice, every other intent says "do that".
func TestRefusalWordsAreTheIntents(t *testing.T) {
	t.Parallel()
	s := New(Deps{SupportEmail: "help@example.com"})
	en := func(in conversation.Intent, o idempotency.Outcome) string {
		return s.Refusal(conversation.Turn{Intent: in, Locale: "en-US"}, o).Text()
	}
	for _, c := range []struct {
		in   conversation.Intent
		o    idempotency.Outcome
		want string
	}{
		{conversation.CreateTicket, idempotency.StoreUnavailable, "Sorry, I can't create your ticket right now"},
		{conversation.LookupCustomer, idempotency.StoreUnavailable, "Sorry, I can't do that right now"},
		{conversation.CreateTicket, idempotency.StillWorking, "I won't file the ticket twice"},
		{conversation.LookupCustomer, idempotency.StillWorking, "Please give it a minute before asking again, or email"},
		{conversation.CreateTicket, idempotency.PayloadMismatch, "arrived with the id of an earlier, different request"},
		{conversation.CreateTicket, idempotency.ResultUnreadable, "can't read back the result"},
		{conversation.CreateTicket, idempotency.Interrupted, "something went wrong on our side"},
	} {
		if got := en(c.in, c.o); !strings.Contains(got, c.want) || !strings.Contains(got, "help@example.com") {
			t.Errorf("%s %s: %q, want it to say %q and offer help@example.com", c.in, c.o, got, c.want)
		}
	}
	// In every catalogue, from the intent's keys.
	for _, tag := range i18n.Languages() {
		p := i18n.For(tag.String())
		turn := conversation.Turn{Intent: conversation.CreateTicket, Locale: tag.String()}
		r := s.Refusal(turn, idempotency.StoreUnavailable)
		if r.Outcome != conversation.OutcomeFailed || r.Text() != p.T("reply.store_down", p.T("what.create_your_ticket"), "help@example.com") {
			t.Errorf("%s: store down %+v", tag, r)
		}
		if got := s.Refusal(turn, idempotency.StillWorking).Text(); got != p.T("reply.still_working_ticket", "help@example.com") {
			t.Errorf("%s: still working %q", tag, got)
		}
		turn.Intent = conversation.SearchKB
		if got := s.Refusal(turn, idempotency.StillWorking).Text(); got != p.T("reply.still_working", "help@example.com") {
			t.Errorf("%s: still working (a read) %q", tag, got)
		}
	}
}

// Every registered intent has its handler, and exactly the writes (by their
// contract) are bound to the idempotency layer: dispatch and binding come from the
// registry, not from a list of intents.
func TestEveryIntentHasItsHandler(t *testing.T) {
	t.Parallel()
	s := New(Deps{})
	writes := s.Writes()
	for _, in := range spec.All() {
		if err := Linked(conversation.Intent(in.Name)); err != nil {
			t.Errorf("%s: no handler registered: %v", in.Name, err)
		}
		if w := writes(conversation.Intent(in.Name)); (w != nil) != in.Write {
			t.Errorf("%s: write %t by its contract, bound to idempotency: %t", in.Name, in.Write, w != nil)
		}
	}
	if len(Handled()) != len(spec.All()) {
		t.Errorf("%d handlers for %d intents", len(Handled()), len(spec.All()))
	}
	if writes("no_such_intent") != nil {
		t.Error("an unknown intent is bound as a write")
	}
}
