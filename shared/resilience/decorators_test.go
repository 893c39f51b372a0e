package resilience_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	_ "github.com/switchboard-dev/switchboard/shared/connector/hubspot" // registers its documented quota
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/resilience/faultserver"
)

// httpHelpdesk files tickets with a POST to a faultserver.
type httpHelpdesk struct {
	tool    httpTool
	honours bool
}

func (h httpHelpdesk) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	it, err := h.tool.do(ctx, http.MethodPost, "/tickets")
	return connector.Ticket{ID: it.ID, Subject: t.Subject, ExternalID: t.ExternalID}, err
}

func (h httpHelpdesk) OpenTickets(ctx context.Context, email string) ([]connector.Ticket, error) {
	it, err := h.tool.get(ctx, "/tickets")
	return []connector.Ticket{{ID: it.ID}}, err
}

func (h httpHelpdesk) HonoursExternalID() bool { return h.honours }

func TestCreateTicketRetriedOnlyWithAnHonouredExternalID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		retryWrites bool
		honours     bool
		externalID  string
		wantHits    int64
	}{
		{"writes not retried by default", false, true, "sb-1", 1},
		{"helpdesk ignores external ids", true, false, "sb-1", 1},
		{"no external id", true, true, "", 1},
		{"retry writes with honoured external id", true, true, "sb-1", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, tool := newTool(t)
			srv.Next(faultserver.ServerError)
			s := settings()
			s.MaxAttempts = 3
			s.RetryWrites = tc.retryWrites
			hd := resilience.Helpdesk(resilience.NewPolicy("fake", s, resilience.Options{}), httpHelpdesk{tool: tool, honours: tc.honours}, resilience.HelpdeskOptions{})
			_, err := hd.CreateTicket(context.Background(), connector.NewTicket{Subject: "x", ExternalID: tc.externalID})
			if srv.Hits() != tc.wantHits {
				t.Fatalf("hits = %d, want %d (err %v)", srv.Hits(), tc.wantHits, err)
			}
			if (tc.wantHits == 2) != (err == nil) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestReadsThroughDecoratorsAreRetried(t *testing.T) {
	t.Parallel()
	srv, tool := newTool(t)
	s := settings()
	s.MaxAttempts = 2
	hd := resilience.Helpdesk(resilience.NewPolicy("fake", s, resilience.Options{}), httpHelpdesk{tool: tool}, resilience.HelpdeskOptions{})
	srv.Next(faultserver.ServerError)
	if _, err := hd.OpenTickets(context.Background(), "ada@example.com"); err != nil || srv.Hits() != 2 {
		t.Fatalf("err %v hits %d, want success on the retry", err, srv.Hits())
	}
}

func TestSetSharesOnePolicyPerTool(t *testing.T) {
	t.Parallel()
	cfg := config.Default().Resilience
	set := resilience.NewSet(func(tool string) resilience.Settings { return resilience.Settings(cfg.For(tool)) }, resilience.Options{})
	if set.For("demo") != set.For("demo") || set.For("demo") == set.For("stripe") {
		t.Fatal("Set must return one policy per tool")
	}
	if got := set.For("hubspot").Settings().Rate; got != 4 {
		t.Fatalf("hubspot rate = %v, want its documented 4/s", got)
	}
	if n := len(set.Stats()); n != 3 {
		t.Fatalf("stats of %d policies, want 3", n)
	}
	var nf error = connector.NotFound("x", "y")
	if resilience.Transient(nf) || !resilience.Transient(errors.New("boom")) {
		t.Fatal("Transient misclassifies")
	}
}
