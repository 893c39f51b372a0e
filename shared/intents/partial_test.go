package intents_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	. "github.com/switchboard-dev/switchboard/shared/intents"
)

// slowTickets never answers within the turn (a 10 s Zendesk GET).
type slowTickets struct{ *fake }

func (slowTickets) OpenTickets(ctx context.Context, _ string) ([]connector.Ticket, error) {
	<-ctx.Done()
	return nil, &connector.Error{Kind: connector.KindUnavailable, Tool: "zendesk", Err: ctx.Err()}
}

// A slow secondary tool never sinks the whole answer: the customer's record is
// answered alone, before the turn's budget ends, saying what could not be checked.
func TestLookupAnswersTheCustomerWhenTicketsMissTheirShare(t *testing.T) {
	t.Parallel()
	f := newFake()
	s := New(Deps{Customers: f, Tickets: slowTickets{f}, Payments: f, SupportEmail: "help@example.com"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r := s.Handle(ctx, turn(conversation.LookupCustomer, map[string]string{SlotEmail: "ada@example.com"}))
	if ctx.Err() != nil {
		t.Fatal("the lookup used the whole budget")
	}
	if r.Outcome != conversation.OutcomeFulfilled || !strings.Contains(r.Text(), "Ada Lovelace") ||
		!strings.Contains(r.Text(), "couldn't check open tickets") || !strings.Contains(r.Text(), "last payment") {
		t.Fatalf("reply = %+v, want Ada's record, the payment, and that tickets could not be checked", r)
	}
}
