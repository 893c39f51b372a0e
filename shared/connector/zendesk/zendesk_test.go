package zendesk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

const secretID = "switchboard/zendesk"

const publicRequests = "https://acme.zendesk.com/hc/requests/"

func newClient(t *testing.T, srv *zdtest.Server, p secrets.Provider, mod func(*zendesk.Options)) *zendesk.Client {
	t.Helper()
	if p == nil {
		p = secrets.Static{secretID: srv.Secret()}
	}
	o := zendesk.Options{
		BaseURL: srv.URL(),
		Auth:    httpauth.BasicAuth(p, secretID, "email", "api_token").WithUser(zendesk.APITokenUser),
		// The stand-in serves http on loopback; customers get https links on the
		// account's public host.
		RequestURL: publicRequests,
	}
	if mod != nil {
		mod(&o)
	}
	c, err := zendesk.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func fixtures() connectortest.Fixtures {
	return connectortest.Fixtures{
		Requester:            "helpdesk.contract@example.com",
		OpenTicketEmail:      "grace.hopper@example.com",
		OpenTicketSubjects:   []string{"Add two more seats to our plan", "Webhook deliveries failing with 401"},
		ClosedTicketSubjects: []string{"SSO login loops back to the sign-in page"},
		NoTicketsEmail:       "katherine.johnson@example.com",

		KBQuery:        "how do I reset my password",
		KBTopTitle:     "How to reset your password",
		KBBroadQuery:   "payment",
		KBNoMatchQuery: "xylophone giraffe quasar",
	}
}

func TestContract(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	t.Run("Helpdesk", func(t *testing.T) { connectortest.TestHelpdesk(t, c, fixtures()) })
	t.Run("KnowledgeBase", func(t *testing.T) { connectortest.TestKnowledgeBase(t, c, fixtures()) })
}

func TestContractOAuthAndSmallPages(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	p := secrets.Static{secretID: srv.Secret()}
	c := newClient(t, srv, p, func(o *zendesk.Options) {
		o.Auth = httpauth.Bearer(p, secretID, "access_token")
		o.PageSize = 1 // every requester list spans several cursor pages
	})
	t.Run("Helpdesk", func(t *testing.T) { connectortest.TestHelpdesk(t, c, fixtures()) })
	for _, r := range srv.Requests() {
		if r.Auth != "bearer" && r.Path != "/api/v2/help_center/articles/search.json" {
			t.Fatalf("request %s %s authenticated as %q, want bearer", r.Method, r.Path, r.Auth)
		}
	}
}

func TestAdaOpenTicketMatchesDemo(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	ts, err := c.OpenTickets(ctx(t), "Ada@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 {
		t.Fatalf("OpenTickets(ada) = %+v, want the one open ticket", ts)
	}
	tk := ts[0]
	want := connector.Ticket{ID: tk.ID, Subject: "Export of engine diagrams times out",
		Description: "Exporting the full set of engine diagrams as PDF stops after about a minute with a timeout.",
		Status:      connector.TicketOpen, Priority: connector.PriorityHigh, RequesterEmail: connectortest.AdaEmail,
		URL: publicRequests + tk.ID, CreatedAt: time.Date(2025, 6, 11, 11, 11, 0, 0, time.UTC)}
	if tk != want {
		t.Errorf("ticket =\n %+v\nwant\n %+v", tk, want)
	}
}

func TestPaginationFollowsCursorLinks(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	base := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	for i := range 23 {
		status := "open"
		if i%4 == 0 {
			status = "closed"
		}
		srv.AddTicket("many@example.com", fmt.Sprintf("ticket %02d", i), status, "normal", base.Add(time.Duration(i)*time.Hour))
	}
	c := newClient(t, srv, nil, func(o *zendesk.Options) { o.PageSize = 5 })
	ts, err := c.OpenTickets(ctx(t), "many@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 17 || ts[0].Subject != "ticket 22" || ts[len(ts)-1].Subject != "ticket 01" {
		t.Fatalf("OpenTickets = %d tickets from %q to %q, want 17 from ticket 22 to ticket 01", len(ts), ts[0].Subject, ts[len(ts)-1].Subject)
	}
	pages := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/tickets/requested.json") {
			pages++
			if r.Query.Get("page[size]") != "5" {
				t.Errorf("page request without page[size]=5: %v", r.Query)
			}
		}
	}
	if pages != 5 {
		t.Errorf("read %d pages, want 5 (23 tickets at 5 a page)", pages)
	}

	// MaxPages bounds the reading.
	c2 := newClient(t, srv, nil, func(o *zendesk.Options) { o.PageSize = 5; o.MaxPages = 2 })
	ts, err = c2.OpenTickets(ctx(t), "many@example.com")
	if err != nil || len(ts) != 7 {
		t.Fatalf("OpenTickets with MaxPages 2 = %d tickets, %v; want the 7 open of the first 10", len(ts), err)
	}
}

func TestArticleSearchPagesAndLocale(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, func(o *zendesk.Options) { o.Locale = "en-us" })
	arts, err := c.SearchArticles(ctx(t), "resetting my password", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) == 0 || arts[0].Title != "How to reset your password" || arts[0].ID != "101" ||
		arts[0].URL != "" /* the stand-in's html_url is http: no link */ || !strings.Contains(arts[0].Snippet, "password") {
		t.Fatalf("SearchArticles = %+v", arts)
	}
	last := srv.Requests()[len(srv.Requests())-1]
	if last.Query.Get("per_page") != "2" || last.Query.Get("locale") != "en-us" || last.Query.Get("query") != "resetting my password" {
		t.Errorf("search request query = %v", last.Query)
	}
	other := newClient(t, srv, nil, func(o *zendesk.Options) { o.Locale = "de" })
	if arts, err := other.SearchArticles(ctx(t), "password", 3); err != nil || len(arts) != 0 {
		t.Errorf("search in a locale without articles = %v, %v; want none", arts, err)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	ts, err := c.OpenTickets(ctx(t), "nobody@example.com")
	if err != nil || len(ts) != 0 {
		t.Fatalf("OpenTickets(unknown) = %v, %v; want none", ts, err)
	}
	// A link to a missing user (deleted between search and listing) is a typed 404.
	srv.Fail(zdtest.Fault{Kind: zdtest.ServerError, Status: http.StatusNotFound}.On("GET", "/api/v2/users/search"))
	_, err = c.OpenTickets(ctx(t), connectortest.AdaEmail)
	checkKind(t, err, connector.KindNotFound, 404)
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)

	t.Run("one 401 then success", func(t *testing.T) {
		c := newClient(t, srv, nil, nil)
		srv.Fail(zdtest.Fault{Kind: zdtest.Unauthorized}.On("GET", "/api/v2/help_center"))
		arts, err := c.SearchArticles(ctx(t), "password", 1)
		if err != nil || len(arts) != 1 {
			t.Fatalf("SearchArticles after one 401 = %v, %v", arts, err)
		}
	})

	t.Run("rotated token is fetched again", func(t *testing.T) {
		p := &rotatingProvider{cur: srv.Secret()}
		c := newClient(t, srv, p, nil)
		if _, err := c.OpenTickets(ctx(t), connectortest.AdaEmail); err != nil {
			t.Fatal(err)
		}
		srv.RotateToken("new-token", "new-oauth")
		p.next(secrets.Secret{"email": zdtest.AgentEmail, "api_token": "new-token"})
		ts, err := c.OpenTickets(ctx(t), connectortest.AdaEmail)
		if err != nil || len(ts) != 1 {
			t.Fatalf("OpenTickets after rotation = %v, %v", ts, err)
		}
		if p.refreshes() != 1 {
			t.Errorf("secret refreshed %d times, want 1", p.refreshes())
		}
		srv.RotateToken(zdtest.APIToken, zdtest.OAuthToken)
	})

	t.Run("still refused is unauthorized", func(t *testing.T) {
		c := newClient(t, srv, secrets.Static{secretID: {"email": zdtest.AgentEmail, "api_token": "wrong"}}, nil)
		_, err := c.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: "x@example.com", Subject: "s", ExternalID: "k-unauth"})
		checkKind(t, err, connector.KindUnauthorized, 401)
		err = c.Ping(ctx(t))
		checkKind(t, err, connector.KindUnauthorized, 401)
	})

	t.Run("missing secret key", func(t *testing.T) {
		c := newClient(t, srv, secrets.Static{secretID: {"api_token": "x"}}, nil)
		_, err := c.OpenTickets(ctx(t), connectortest.AdaEmail)
		checkKind(t, err, connector.KindUnauthorized, 0)
	})
}

func TestRateLimitedCarriesRetryAfter(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	srv.Fail(zdtest.Fault{Kind: zdtest.RateLimited, RetryAfter: 42 * time.Second})
	_, err := c.OpenTickets(ctx(t), connectortest.AdaEmail)
	checkKind(t, err, connector.KindRateLimited, 429)
	if connector.RetryAfterOf(err) != 42*time.Second {
		t.Errorf("RetryAfter = %s, want 42s", connector.RetryAfterOf(err))
	}
	var ce *connector.Error
	if errors.As(err, &ce); ce.Code != "APIRateLimitExceeded" {
		t.Errorf("Code = %q", ce.Code)
	}
}

func TestServerErrorIsUnavailable(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	for _, st := range []int{500, 502, 503} {
		srv.Fail(zdtest.Fault{Kind: zdtest.ServerError, Status: st, RetryAfter: 5 * time.Second})
		_, err := c.SearchArticles(ctx(t), "password", 3)
		checkKind(t, err, connector.KindUnavailable, st)
		if connector.RetryAfterOf(err) != 5*time.Second {
			t.Errorf("HTTP %d RetryAfter = %s", st, connector.RetryAfterOf(err))
		}
	}
}

func TestMalformedBodyNamesTheField(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	tests := []struct {
		name, path, body, field string
		call                    func() error
	}{
		{"cut off", "/api/v2/users/search", "", "body", func() error { _, err := c.OpenTickets(ctx(t), connectortest.AdaEmail); return err }},
		{"string id", "/api/v2/users/search", `{"users":[{"id":"9002","email":"ada@example.com"}]}`, "users.id",
			func() error { _, err := c.OpenTickets(ctx(t), connectortest.AdaEmail); return err }},
		{"no tickets member", "/api/v2/users/9", `{"count":0}`, "tickets",
			func() error { _, err := c.OpenTickets(ctx(t), connectortest.AdaEmail); return err }},
		{"unknown status", "/api/v2/users/9", `{"tickets":[{"id":5,"status":"on_fire"}],"meta":{"has_more":false},"links":{}}`, "ticket.status",
			func() error { _, err := c.OpenTickets(ctx(t), connectortest.AdaEmail); return err }},
		{"results number", "/api/v2/help_center", `{"results":7}`, "results",
			func() error { _, err := c.SearchArticles(ctx(t), "password", 3); return err }},
		{"foreign next page", "/api/v2/help_center", `{"results":[],"next_page":"https://evil.example.net/steal"}`, "next_page",
			func() error { _, err := c.SearchArticles(ctx(t), "password", 3); return err }},
	}
	for _, tc := range tests {
		srv.Fail(zdtest.Fault{Kind: zdtest.Malformed, Body: tc.body}.On("GET", tc.path))
		err := tc.call()
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != connector.KindInvalidResponse || ce.Field != tc.field {
			t.Errorf("%s: err = %v, want invalid response naming %q", tc.name, err, tc.field)
		}
		if srv.Pending() != 0 {
			t.Fatalf("%s: the fault was not used", tc.name)
		}
	}
}

func TestSlowAnswerPastDeadline(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	// The stand-in holds its answer for a minute (released when the client gives up): a
	// client that outlived the deadline would get that answer instead of the error below.
	srv.Fail(zdtest.Fault{Kind: zdtest.Slow, Delay: time.Minute})
	cx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.SearchArticles(cx, "password", 3)
	checkKind(t, err, connector.KindUnavailable, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want one matching context.DeadlineExceeded", err)
	}
}

func TestCreateTicket(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, func(o *zendesk.Options) { o.Tags = []string{"switchboard"} })
	tk, err := c.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: "Ada@Example.com", RequesterName: "Ada Lovelace",
		Subject: "  Diagrams again ", Description: "The export fails.", Priority: connector.PriorityUrgent, ExternalID: "turn-abc"})
	if err != nil {
		t.Fatal(err)
	}
	all := srv.Tickets()
	got := all[len(all)-1]
	if got.Subject != "Diagrams again" || got.Description != "The export fails." || *got.Priority != "urgent" ||
		*got.ExternalID != "turn-abc" || strings.Join(got.Tags, ",") != "switchboard" {
		t.Errorf("stored ticket = %+v", got)
	}
	if tk.ID != fmt.Sprint(got.ID) || tk.Status != connector.TicketNew || tk.RequesterEmail != "ada@example.com" || tk.ExternalID != "turn-abc" {
		t.Errorf("CreateTicket = %+v", tk)
	}
	// No description: the subject is the first comment (Zendesk requires one).
	if _, err := c.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: "ada@example.com", Subject: "Only a subject"}); err != nil {
		t.Fatal(err)
	}
	// Zendesk's own validation (422) is invalid input naming the field.
	_, err = c.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: "ada@example.com", Subject: "x", Priority: "whenever"})
	checkKind(t, err, connector.KindInvalidInput, 0)
	srv.Fail(zdtest.Fault{Kind: zdtest.ServerError, Status: 422}.On("POST", "/api/v2/tickets"))
	_, err = c.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: "ada@example.com", Subject: "x"})
	checkKind(t, err, connector.KindInvalidInput, 422)
}

func TestCreateIsIdempotentAfterALostAnswer(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	before := len(srv.Tickets())
	nt := connector.NewTicket{RequesterEmail: "new.customer@example.com", Subject: "Lost answer", ExternalID: "turn-lost-1"}

	// The connection drops after Zendesk filed the ticket: the connector looks the
	// ticket up by external_id and returns it.
	srv.Fail(zdtest.Fault{Kind: zdtest.Drop}.On("POST", "/api/v2/tickets"))
	first, err := c.CreateTicket(ctx(t), nt)
	if err != nil {
		t.Fatalf("CreateTicket with a dropped answer: %v", err)
	}
	// The caller retries anyway (say its own deadline fired): still the same ticket.
	again, err := c.CreateTicket(ctx(t), nt)
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry = %+v, %v; want ticket #%s", again, err, first.ID)
	}
	// Both the drop and the lookup failing: the error is honest, and the next retry
	// finds the ticket instead of filing a second.
	nt2 := connector.NewTicket{RequesterEmail: "new.customer@example.com", Subject: "Lost twice", ExternalID: "turn-lost-2"}
	srv.Fail(zdtest.Fault{Kind: zdtest.Drop}.On("POST", "/api/v2/tickets"),
		zdtest.Fault{Kind: zdtest.ServerError}.On("GET", "/api/v2/tickets").After(1))
	_, err = c.CreateTicket(ctx(t), nt2)
	checkKind(t, err, connector.KindUnavailable, 0)
	second, err := c.CreateTicket(ctx(t), nt2)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Tickets()) - before; n != 2 {
		t.Fatalf("%d tickets filed, want 2 (one per external id)", n)
	}
	// The new requester's tickets are listed at once.
	ts, err := c.OpenTickets(ctx(t), "new.customer@example.com")
	if err != nil || len(ts) != 2 || ts[0].ID != second.ID {
		t.Fatalf("OpenTickets = %+v, %v", ts, err)
	}
	posts := 0
	for _, r := range srv.Requests() {
		if r.Method == "POST" {
			posts++
		}
	}
	if posts != 2 {
		t.Errorf("%d POSTs, want 2", posts)
	}
}

func TestConcurrentCreatesFileOneTicket(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	var wg sync.WaitGroup
	ids := make(chan string, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk, err := c.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: "race@example.com", Subject: "Race", ExternalID: "turn-race"})
			if err != nil {
				t.Error(err)
				return
			}
			ids <- tk.ID
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	n := 0
	for _, tk := range srv.Tickets() {
		if tk.ExternalID != nil && *tk.ExternalID == "turn-race" {
			n++
		}
	}
	if len(seen) != 1 || n != 1 {
		t.Fatalf("10 concurrent creates returned %v and filed %d tickets, want one", seen, n)
	}
}

func TestHostileEmailCannotWidenTheQuery(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	hostile := []string{
		`ada@example.com OR role:end-user`,
		`x@example.com" OR email:*`,
		`grace.hopper@example.com OR email:ada@example.com`,
		"ada@example.com\nrole:admin",
		`ada@example.com,grace.hopper@example.com`,
	}
	for _, email := range hostile {
		ts, err := c.OpenTickets(ctx(t), email)
		checkKind(t, err, connector.KindInvalidInput, 0)
		if len(ts) != 0 {
			t.Errorf("OpenTickets(%q) listed %d tickets", email, len(ts))
		}
	}
	for _, r := range srv.Requests() {
		if r.Path == "/api/v2/users/search.json" {
			t.Errorf("a hostile email reached the user search: %q", r.Query.Get("query"))
		}
	}
	// Addresses the slot validator accepts go to Zendesk, quoted; a wildcard inside one
	// widens nothing, since only exact matches are kept.
	before := len(srv.Requests())
	for _, email := range []string{`*@example.com`, `ada@example.com*`, `o'brien@example.com`} {
		ts, err := c.OpenTickets(ctx(t), email)
		if err != nil || len(ts) != 0 {
			t.Errorf("OpenTickets(%q) = %d tickets, %v; want none and no error", email, len(ts), err)
		}
	}
	searched := 0
	for _, r := range srv.Requests()[before:] {
		if r.Path == "/api/v2/users/search.json" {
			searched++
		}
	}
	if searched != 3 {
		t.Errorf("%d user searches for 3 valid addresses, want 3 (escaped, not refused)", searched)
	}
	// The stand-in honours OR and wildcards, so the guard is what stops the widening:
	// the same text spliced unquoted would list other customers.
	resp, err := srv.Client().Do(mustReq(t, srv, "/api/v2/users/search.json?query=email:grace.hopper@example.com+OR+email:ada@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A legitimate address with the exact-match check: only that user.
	ts, err := c.OpenTickets(ctx(t), connectortest.AdaEmail)
	if err != nil || len(ts) != 1 || ts[0].RequesterEmail != connectortest.AdaEmail {
		t.Fatalf("OpenTickets(ada) = %+v, %v", ts, err)
	}
	last := ""
	for _, r := range srv.Requests() {
		if r.Path == "/api/v2/users/search.json" {
			last = r.Query.Get("query")
		}
	}
	if last != `email:"ada@example.com"` {
		t.Errorf("user search query = %q, want the quoted email", last)
	}
}

func mustReq(t *testing.T, srv *zdtest.Server, path string) *http.Request {
	req, err := http.NewRequest("GET", srv.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(zdtest.AgentEmail+"/token", zdtest.APIToken)
	return req
}

func TestPing(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	if err := c.Ping(ctx(t)); err != nil {
		t.Fatal(err)
	}
	srv.Fail(zdtest.Fault{Kind: zdtest.ServerError}.On("GET", "/api/v2/tickets"))
	checkKind(t, c.Ping(ctx(t)), connector.KindUnavailable, 503)
}

func TestFromConfig(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	p := secrets.Static{"zd": srv.Secret()}
	for _, auth := range []string{zendesk.AuthAPIToken, zendesk.AuthOAuth} {
		c, err := zendesk.FromConfig(zendesk.Config{BaseURL: srv.URL(), Auth: auth, SecretID: "zd", PageSize: 100, MaxPages: 10}, p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Ping(ctx(t)); err != nil {
			t.Errorf("%s: Ping: %v", auth, err)
		}
	}
	if _, err := zendesk.FromConfig(zendesk.Config{Auth: "api_token", PageSize: 100, MaxPages: 1}, p, nil, nil); err == nil {
		t.Error("FromConfig without subdomain or base_url succeeded")
	}
}

func checkKind(t *testing.T, err error, kind connector.Kind, status int) {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != kind || ce.Tool != "zendesk" || (status != 0 && ce.StatusCode != status) {
		t.Errorf("err = %v, want a zendesk %s error (HTTP %d)", err, kind, status)
		return
	}
	for _, secret := range []string{zdtest.APIToken, "wrong"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q carries a credential", err)
		}
	}
}

// rotatingProvider serves one secret until next is called; Refresh then returns the
// new one, as Secrets Manager does after a rotation.
type rotatingProvider struct {
	mu      sync.Mutex
	cur     secrets.Secret
	pending secrets.Secret
	n       int
}

func (p *rotatingProvider) Get(context.Context, string) (secrets.Secret, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur, nil
}

func (p *rotatingProvider) Refresh(context.Context, string) (secrets.Secret, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.pending != nil {
		p.cur, p.pending = p.pending, nil
	}
	return p.cur, nil
}

func (p *rotatingProvider) next(s secrets.Secret) { p.mu.Lock(); p.pending = s; p.mu.Unlock() }

func (p *rotatingProvider) refreshes() int { p.mu.Lock(); defer p.mu.Unlock(); return p.n }

// TestOneBadResultIsSkipped: an article without an id or with a link that is not an
// http(s) URL is left out and the others answer; a ticket whose tags (a field the
// product does not use) come as a string still reads.
func TestOneBadResultIsSkipped(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, nil)
	srv.Fail(zdtest.Fault{Kind: zdtest.Malformed, Body: `{"results":[
	  {"title":"No id","html_url":"https://acme.zendesk.com/hc/articles/1"},
	  {"id":2,"title":"Not a URL","html_url":"javascript:alert(1)"},
	  {"id":3,"title":"Resetting your password","html_url":"https://acme.zendesk.com/hc/en-us/articles/3"}]}`}.On("GET", "/api/v2/help_center"))
	arts, err := c.SearchArticles(ctx(t), "password", 3)
	if err != nil || len(arts) != 1 || arts[0].ID != "3" {
		t.Errorf("SearchArticles = %+v, %v; want only article 3", arts, err)
	}
	srv.Fail(zdtest.Fault{Kind: zdtest.Malformed, Body: `{"tickets":[{"id":5,"status":"open","subject":"Refund","tags":"vip"}],"meta":{"has_more":false},"links":{}}`}.On("GET", "/api/v2/users/9"))
	tickets, err := c.OpenTickets(ctx(t), connectortest.AdaEmail)
	if err != nil || len(tickets) != 1 || tickets[0].ID != "5" {
		t.Errorf("OpenTickets with string tags = %+v, %v", tickets, err)
	}
}

// TestLinksAndProvenance: a link is kept only when it is https on an allowed host
// (default: the base and request URLs' hosts), and a ticket filed for an unproven
// requester carries connector.UnverifiedTag, which OpenTickets reads back.
func TestLinksAndProvenance(t *testing.T) {
	t.Parallel()
	srv := zdtest.New(t)
	c := newClient(t, srv, nil, func(o *zendesk.Options) { o.LinkHosts = []string{"help.acme.example"} })
	srv.Fail(zdtest.Fault{Kind: zdtest.Malformed, Body: `{"results":[
	  {"id":1,"title":"Allowed","html_url":"https://help.acme.example/hc/articles/1"},
	  {"id":2,"title":"Plain http","html_url":"http://help.acme.example/hc/articles/2"},
	  {"id":3,"title":"Elsewhere","html_url":"https://evil.example/hc/articles/3"}]}`}.On("GET", "/api/v2/help_center"))
	arts, err := c.SearchArticles(ctx(t), "password", 3)
	if err != nil || len(arts) != 3 {
		t.Fatalf("SearchArticles = %+v, %v", arts, err)
	}
	for _, a := range arts {
		want := ""
		if a.ID == "1" {
			want = "https://help.acme.example/hc/articles/1"
		}
		if a.URL != want {
			t.Errorf("article %s URL = %q, want %q", a.ID, a.URL, want)
		}
	}

	c = newClient(t, srv, nil, nil)
	anon, err := c.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: connectortest.AdaEmail,
		Subject: "[Reset your password](https://evil.example/login)", Description: "x", Unverified: true, ExternalID: "sb-anon-1"})
	if err != nil {
		t.Fatal(err)
	}
	own, err := c.CreateTicket(ctx(t), connector.NewTicket{RequesterEmail: connectortest.AdaEmail,
		Subject: "Mine", Description: "y", ExternalID: "sb-own-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !anon.Unverified || own.Unverified {
		t.Errorf("created: anonymous Unverified=%v, own Unverified=%v", anon.Unverified, own.Unverified)
	}
	if anon.URL != publicRequests+anon.ID {
		t.Errorf("ticket URL = %q", anon.URL)
	}
	ts, err := c.OpenTickets(ctx(t), connectortest.AdaEmail)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, tk := range ts {
		got[tk.ID] = tk.Unverified
	}
	if u, ok := got[anon.ID]; !ok || !u {
		t.Errorf("OpenTickets: anonymous ticket %s read back as Unverified=%v (listed %v)", anon.ID, u, ok)
	}
	if u, ok := got[own.ID]; !ok || u {
		t.Errorf("OpenTickets: own ticket %s read back as Unverified=%v (listed %v)", own.ID, u, ok)
	}
}
