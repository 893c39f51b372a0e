package zendesk_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// limited is a policy whose bucket holds burst tokens and refills at rate per second;
// nothing else limits or retries. A rate of 1e-9 never refills within a test: the
// limiter refuses at once once the bucket is empty, whatever the budget.
func limited(rate float64, burst int) *resilience.Policy {
	return resilience.NewPolicy(zendesk.Tool, resilience.Settings{
		MaxAttempts: 1, BreakerFailures: 100, BreakerMinRequests: 100, BreakerWindow: time.Minute,
		BreakerOpenFor: time.Minute, BreakerProbes: 1, Rate: rate, Burst: burst,
	}, resilience.Options{})
}

const never = 1e-9

func checkLimited(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, resilience.ErrLimited) || connector.KindOf(err) != connector.KindRateLimited {
		t.Fatalf("err = %v, want the limiter's refusal (ErrLimited, rate_limited)", err)
	}
}

// OpenTickets searches the user, then lists their requested tickets: two requests to
// Zendesk, two tokens. With three tokens the second lookup gets its search out and its
// ticket list refused (not sent), without counting against the breaker.
func TestOpenTicketsSpendsATokenPerRequest(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	p := limited(never, 3)
	h := resilience.Helpdesk(p, newClient(t, srv, nil, nil), resilience.HelpdeskOptions{})

	if ts, err := h.OpenTickets(ctx(t), connectortest.AdaEmail); err != nil || len(ts) != 1 {
		t.Fatalf("OpenTickets = %+v, %v; want Ada's open ticket", ts, err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Fatalf("OpenTickets sent %d requests, want 2 (user search, requested tickets)", n)
	}
	_, err := h.OpenTickets(ctx(t), connectortest.AdaEmail)
	checkLimited(t, err)
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[2].Path != "/api/v2/users/search.json" {
		t.Fatalf("requests = %+v; want the second lookup's user search only (3 tokens)", reqs)
	}
	// The bucket is empty: the next call is refused before it reaches Zendesk.
	_, err = h.OpenTickets(ctx(t), connectortest.AdaEmail)
	checkLimited(t, err)
	if n := len(srv.Requests()); n != 3 {
		t.Fatalf("%d requests, want 3: a refused call sends nothing", n)
	}
	st := p.Stats()
	if st.LimiterRejections != 2 || st.Failures != 0 || st.Breaker != resilience.BreakerClosed || st.Calls != 2 {
		t.Fatalf("stats = %+v; want 2 rejections, 2 calls, no failure, breaker closed", st)
	}
}

// A later request whose token comes within the budget waits for it. The test runs in
// a synctest bubble, the client serving its requests with the stand-in's handler in
// memory: on the fake clock the user search takes no time, so the ticket list's token
// is exactly 500 ms away however slow the machine (on a real clock a search slower
// than that would find the token already there, and nothing would wait).
func TestOpenTicketsWaitsForALaterRequestsToken(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	synctest.Test(t, func(t *testing.T) {
		// One token, the next 500 ms later: the ticket list waits for it.
		p := limited(2, 1)
		c := newClient(t, srv, nil, func(o *zendesk.Options) {
			o.HTTPClient = &http.Client{Transport: handlerTransport{srv.Handler()}}
		})
		h := resilience.Helpdesk(p, c, resilience.HelpdeskOptions{})
		start := time.Now()
		if ts, err := h.OpenTickets(ctx(t), connectortest.AdaEmail); err != nil || len(ts) != 1 {
			t.Fatalf("OpenTickets = %+v, %v", ts, err)
		}
		if took := time.Since(start); took != 500*time.Millisecond {
			t.Fatalf("OpenTickets took %s, want the ticket list to wait 500ms for its token", took)
		}
		if st := p.Stats(); st.LimiterWaits != 1 || st.LimiterRejections != 0 {
			t.Fatalf("stats = %+v; want the ticket list to have waited once", st)
		}
		if n := len(srv.Requests()); n != 2 {
			t.Fatalf("%d requests, want 2 (user search, requested tickets)", n)
		}
	})
}

// handlerTransport serves each request with h in the calling goroutine, without a
// socket (a goroutine waiting on the network is not durably blocked in a synctest
// bubble). Faults that need a connection (Drop) are not served.
type handlerTransport struct{ h http.Handler }

func (tr handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.RequestURI, in.RemoteAddr = req.URL.RequestURI(), "192.0.2.1:49152"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	tr.h.ServeHTTP(rec, in)
	if err := req.Context().Err(); err != nil {
		return nil, err // as a transport does when the request's context ends first
	}
	return rec.Result(), nil
}

// CreateTicket with an external id looks it up, then files it: the file is refused
// when its token is not there, before anything is written.
func TestCreateTicketIsRefusedBeforeItWrites(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	p := limited(never, 1)
	h := resilience.Helpdesk(p, newClient(t, srv, nil, nil), resilience.HelpdeskOptions{})
	before := len(srv.Tickets())
	_, err := h.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: "new.customer@example.com",
		Subject: "Limited", ExternalID: "turn-limited-1"})
	checkLimited(t, err)
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodGet {
		t.Fatalf("requests = %+v; want the external-id lookup only", reqs)
	}
	if n := len(srv.Tickets()); n != before {
		t.Fatalf("%d tickets filed, want none", n-before)
	}
}

// Once the POST went out, the lookup that resolves its lost answer is never refused:
// it goes on credit, and the ticket that was filed is reported as filed.
func TestCreateTicketResolvesALostAnswerOnCredit(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	p := limited(never, 2)
	h := resilience.Helpdesk(p, newClient(t, srv, nil, nil), resilience.HelpdeskOptions{})
	srv.Fail(zdtest.Fault{Kind: zdtest.Drop}.On("POST", "/api/v2/tickets"))
	tk, err := h.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: "new.customer@example.com",
		Subject: "Lost answer", ExternalID: "turn-lost-credit"})
	if err != nil || tk.ID == "" {
		t.Fatalf("CreateTicket = %+v, %v; want the ticket found after the lost answer", tk, err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Fatalf("%d requests, want 3 (lookup, create, lookup)", n)
	}
	// The third went on credit: the next call waits it off, here past any budget.
	_, err = h.OpenTickets(ctx(t), connectortest.AdaEmail)
	checkLimited(t, err)
}
