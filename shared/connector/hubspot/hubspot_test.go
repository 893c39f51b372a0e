package hubspot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// rotating is a secrets.Provider whose Refresh re-reads the stand-in's current token,
// as Secrets Manager does after a rotation.
type rotating struct {
	srv *hstest.Server
	mu  sync.Mutex
	cur secrets.Secret
	n   int
}

func (r *rotating) Get(context.Context, string) (secrets.Secret, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur, nil
}

func (r *rotating) Refresh(context.Context, string) (secrets.Secret, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.cur = r.srv.Secret()
	return r.cur, nil
}

func newClient(t *testing.T, srv *hstest.Server, mod ...func(*hubspot.Options)) *hubspot.Client {
	t.Helper()
	opts := hubspot.Options{
		Secrets:  secrets.Static{"switchboard/hubspot": srv.Secret()},
		SecretID: "switchboard/hubspot",
		BaseURL:  srv.URL(),
	}
	for _, m := range mod {
		m(&opts)
	}
	c, err := hubspot.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

var fixtures = connectortest.Fixtures{KnownCustomer: connectortest.AdaWithAddress(), UnknownEmail: "nobody@example.com",
	UpdateEmail: "grace.hopper@example.com"}

func TestContract(t *testing.T) {
	t.Parallel()
	connectortest.TestCustomerDirectory(t, newClient(t, hstest.New(t)), fixtures)
}

func TestContractPaginated(t *testing.T) {
	t.Parallel()
	connectortest.TestCustomerDirectory(t, newClient(t, hstest.New(t), func(o *hubspot.Options) { o.PageSize = 1 }), fixtures)
}

func TestFindCustomer(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	c := newClient(t, srv)
	day := func(d int) time.Time { return time.Date(2024, time.January, d, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		email string
		want  connector.Customer
	}{
		{"ada@example.com", connectortest.AdaWithAddress()},
		{" Ada@Example.COM ", connectortest.AdaWithAddress()},
		{"GRACE.HOPPER@example.com", connector.Customer{Email: "grace.hopper@example.com", FirstName: "Grace", LastName: "Hopper",
			Company: "Cobol Systems Inc", Phone: "+1 202 555 0143", Plan: "Pro", Status: "trial", CreatedAt: day(2)}},
		{"katherine.johnson@example.com", connector.Customer{Email: "katherine.johnson@example.com", FirstName: "Katherine",
			LastName: "Johnson", Phone: "+1 757 555 0101", CreatedAt: day(4)}},
	}
	for _, tc := range tests {
		got, err := c.FindCustomerByEmail(ctx(t), tc.email)
		if err != nil {
			t.Errorf("FindCustomerByEmail(%q): %v", tc.email, err)
			continue
		}
		if got.ID == "" {
			t.Errorf("ID is empty")
		}
		got.ID = ""
		if got != tc.want {
			t.Errorf("FindCustomerByEmail(%q) =\n %+v\nwant\n %+v", tc.email, got, tc.want)
		}
	}
	s := srv.Searches()[0]
	if len(s.FilterGroups) != 1 || len(s.FilterGroups[0].Filters) != 1 || s.Limit == nil || *s.Limit != hubspot.DefaultPageSize {
		t.Errorf("search body = %+v, want one group with one filter and limit %d", s, hubspot.DefaultPageSize)
	}
	for _, p := range []string{"email", "firstname", "lastname", "company", "phone", "createdate", "plan", "customer_status"} {
		found := false
		for _, q := range s.Properties {
			found = found || q == p
		}
		if !found {
			t.Errorf("search properties %v lack %q", s.Properties, p)
		}
	}
}

func TestNotFoundAndInvalidInput(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	c := newClient(t, srv)
	if _, err := c.FindCustomerByEmail(ctx(t), "nobody@example.com"); !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("unknown email: err = %v, want not found", err)
	}
	for _, bad := range []string{"", " ", "ada", strings.Repeat("a", 250) + "@example.com"} {
		before := srv.Requests()
		if _, err := c.FindCustomerByEmail(ctx(t), bad); !errors.Is(err, connector.ErrInvalidInput) {
			t.Errorf("FindCustomerByEmail(%q): err = %v, want invalid input", bad, err)
		}
		if srv.Requests() != before {
			t.Errorf("FindCustomerByEmail(%q) called the API", bad)
		}
	}
}

func TestPaginationFollowsAfter(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	c := newClient(t, srv, func(o *hubspot.Options) { o.PageSize = 1 })
	got, err := c.FindCustomerByEmail(ctx(t), "dup@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.LastName != "Newest" {
		t.Errorf("chose %q, want the contact modified last (Newest)", got.LastName)
	}
	var afters []string
	for _, s := range srv.Searches() {
		afters = append(afters, s.After)
		// The spec's required fields: an empty sort list and a property list.
		if s.Sorts == nil || len(s.Sorts) != 0 || s.Properties == nil || s.Limit == nil {
			t.Errorf("search body lacks a required field: %+v", s)
		}
	}
	if strings.Join(afters, ",") != "0,1,2" {
		t.Errorf("after cursors sent = %q, want [0 1 2] (page 1's cursor is \"0\": the spec requires after)", afters)
	}
	whole, err := newClient(t, srv).FindCustomerByEmail(ctx(t), "dup@example.com")
	if err != nil || whole != got {
		t.Errorf("one-page lookup = %+v, %v; want %+v", whole, err, got)
	}
}

func TestMaxResultsBoundsPagination(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	for i := 0; i < 10; i++ {
		srv.Add(hstest.Contact{Properties: map[string]string{"email": "many@example.com", "lastname": "Many"}, CreatedAt: time.Date(2024, 2, 1+i, 0, 0, 0, 0, time.UTC)})
	}
	c := newClient(t, srv, func(o *hubspot.Options) { o.PageSize, o.MaxResults = 2, 4 })
	if _, err := c.FindCustomerByEmail(ctx(t), "many@example.com"); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Searches()); n != 2 {
		t.Errorf("%d searches, want 2 (stop once max_results were read)", n)
	}
}

func TestRotatedTokenRefreshesOnce(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	p := &rotating{srv: srv, cur: srv.Secret()}
	c := newClient(t, srv, func(o *hubspot.Options) { o.Secrets = p })
	if _, err := c.FindCustomerByEmail(ctx(t), "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	srv.RotateToken()
	before := srv.Requests()
	if _, err := c.FindCustomerByEmail(ctx(t), "ada@example.com"); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if p.n != 1 || srv.Requests()-before != 2 {
		t.Errorf("refreshed %d times with %d requests, want 1 refresh and 2 requests (401, replay)", p.n, srv.Requests()-before)
	}
}

func TestUnauthorizedAfterOneRefresh(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	p := &rotating{srv: srv, cur: srv.Secret()}
	c := newClient(t, srv, func(o *hubspot.Options) { o.Secrets = p })
	f := hstest.InvalidToken()
	f.Times = hstest.Always
	srv.Fail(f)
	before := srv.Requests()
	_, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.KindUnauthorized || ce.Code != "INVALID_AUTHENTICATION" {
		t.Errorf("err = %v, want unauthorized INVALID_AUTHENTICATION", err)
	}
	if n := srv.Requests() - before; n != 2 || p.n != 1 {
		t.Errorf("%d requests and %d refreshes, want 2 and 1", n, p.n)
	}
	if strings.Contains(err.Error(), p.cur["token"]) {
		t.Errorf("error %q leaks the token", err)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      hstest.Fault
		kind       connector.Kind
		code       string
		field      string
		retryAfter time.Duration
	}{
		{"429 secondly with Retry-After", hstest.RateLimited("SECONDLY", 2*time.Second), connector.KindRateLimited, "SECONDLY", "", 2 * time.Second},
		{"429 ten-secondly from headers", hstest.RateLimited("TEN_SECONDLY_ROLLING", 0), connector.KindRateLimited, "TEN_SECONDLY_ROLLING", "", 10 * time.Second},
		{"500", hstest.ServerError(500), connector.KindUnavailable, "INTERNAL_ERROR", "", 0},
		{"502 HTML", hstest.Fault{Status: 502, Body: "<html>502 Bad Gateway</html>"}, connector.KindUnavailable, "", "", 0},
		{"503 Retry-After", func() hstest.Fault { f := hstest.ServerError(503); f.RetryAfter = 5 * time.Second; return f }(),
			connector.KindUnavailable, "INTERNAL_ERROR", "", 5 * time.Second},
		{"malformed JSON", hstest.Malformed(`{"total":1,"results":[{"id":"1",`), connector.KindInvalidResponse, "", "body", 0},
		{"wrong type", hstest.Malformed(`{"total":1,"results":[{"id":"1","properties":{"email":"ada@example.com","lastname":{"v":1}}}]}`),
			connector.KindInvalidResponse, "", "results[0].properties.lastname", 0},
		{"400", hstest.Fault{Status: 400, Category: "VALIDATION_ERROR", Message: "bad"}, connector.KindInvalidInput, "VALIDATION_ERROR", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := hstest.New(t)
			c := newClient(t, srv)
			srv.Fail(tc.fault)
			_, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *connector.Error", err)
			}
			if ce.Kind != tc.kind || ce.Code != tc.code || ce.Field != tc.field || ce.RetryAfter != tc.retryAfter || ce.Tool != "hubspot" {
				t.Errorf("err = %#v (%v); want kind %s code %q field %q retry after %s", ce, err, tc.kind, tc.code, tc.field, tc.retryAfter)
			}
			if strings.Contains(err.Error(), "ada@example.com") {
				t.Errorf("error %q contains the email", err)
			}
			if _, err := c.FindCustomerByEmail(ctx(t), "ada@example.com"); err != nil {
				t.Errorf("after the fault: %v", err)
			}
		})
	}
}

func TestDailyLimit(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	srv.Fail(hstest.RateLimited("DAILY", 0))
	c := newClient(t, srv)
	// The wait is computed during the call, so it lies between the time to midnight
	// from just before the call and from just after it, however long the call took.
	before := time.Now().UTC()
	_, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
	after := time.Now().UTC()
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.KindRateLimited || ce.Code != "DAILY" {
		t.Fatalf("err = %v, want rate limited DAILY", err)
	}
	midnight := time.Date(before.Year(), before.Month(), before.Day()+1, 0, 0, 0, 0, time.UTC)
	if lo, hi := midnight.Sub(after), midnight.Sub(before); ce.RetryAfter <= 0 || ce.RetryAfter > hi+time.Second || ce.RetryAfter < lo-time.Second {
		t.Errorf("RetryAfter = %s, want between %s and %s (to midnight UTC)", ce.RetryAfter, lo, hi)
	}
}

func TestSlowResponsePastDeadline(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	c := newClient(t, srv)
	// The stand-in holds its answer for a minute (released when the client gives up): a
	// client that outlived the deadline would get that answer instead of the error below.
	srv.Fail(hstest.Slow(time.Minute))
	cctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.FindCustomerByEmail(cctx, "ada@example.com")
	if !errors.Is(err, connector.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want unavailable wrapping context.DeadlineExceeded", err)
	}
}

func TestInjectionCannotWidenSearch(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	c := newClient(t, srv)
	hostile := []string{
		`*@example.com`,
		`ada@example.com","operator":"NEQ`,
		`x@example.com"}]},{"filters":[{"propertyName":"email","operator":"HAS_PROPERTY`,
		"ada@example.com\x00",
		`%@example.com`,
		`ada@example.com OR 1=1`,
		`ada@example.com\`,
	}
	for _, email := range hostile {
		got, err := c.FindCustomerByEmail(ctx(t), email)
		if !errors.Is(err, connector.ErrNotFound) {
			t.Errorf("FindCustomerByEmail(%q) = %+v, %v; want not found", email, got, err)
		}
		ss := srv.Searches()
		s := ss[len(ss)-1]
		if len(s.FilterGroups) != 1 || len(s.FilterGroups[0].Filters) != 1 {
			t.Errorf("search for %q has filter groups %+v, want exactly one filter", email, s.FilterGroups)
			continue
		}
		f := s.FilterGroups[0].Filters[0]
		if f.PropertyName != "email" || f.Operator != "EQ" || f.Value == nil || *f.Value != strings.ToLower(strings.TrimSpace(email)) {
			t.Errorf("search for %q has filter %+v, want email EQ the input", email, f)
		}
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	c := newClient(t, srv)
	if err := c.Ping(ctx(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if c.AuthMethod() != "bearer" {
		t.Errorf("AuthMethod = %q", c.AuthMethod())
	}
	err := newClient(t, srv, func(o *hubspot.Options) { o.PlanProperty = "tier" }).Ping(ctx(t))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.KindInvalidInput || ce.Field != "tier" || ce.Code != "OBJECT_NOT_FOUND" {
		t.Errorf("Ping with a missing property: err = %v, want invalid input naming tier", err)
	}
	bad := secrets.Static{"switchboard/hubspot": {"token": "pat-na1-revoked"}}
	err = newClient(t, srv, func(o *hubspot.Options) { o.Secrets = bad }).Ping(ctx(t))
	if !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("Ping with a wrong token: err = %v, want unauthorized", err)
	}
	missing := secrets.Static{"switchboard/hubspot": {"access_token": "x"}}
	err = newClient(t, srv, func(o *hubspot.Options) { o.Secrets = missing }).Ping(ctx(t))
	if !errors.Is(err, connector.ErrUnauthorized) || !strings.Contains(err.Error(), `"token"`) {
		t.Errorf("Ping with a secret lacking the key: err = %v, want unauthorized naming the key", err)
	}
}

func TestOptionalProperties(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	c := newClient(t, srv, func(o *hubspot.Options) { o.PlanProperty, o.StatusProperty = hubspot.None, hubspot.None })
	got, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.Plan != "" || got.Status != "" {
		t.Errorf("got %+v, want no plan or status", got)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	p := secrets.Static{"s": {"token": "x"}}
	for name, o := range map[string]hubspot.Options{
		"no credentials": {},
		"page size":      {Secrets: p, SecretID: "s", PageSize: 201},
		"bad property":   {Secrets: p, SecretID: "s", PlanProperty: "plan,lastname"},
		"relative base":  {Secrets: p, SecretID: "s", BaseURL: "api.example"},
	} {
		if _, err := hubspot.New(o); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

// TestStockPortalWithoutDefaultProperties: a stock portal has no plan or
// customer_status property. With the defaults, Ping warns (check reports ok with the
// warning) and lookups answer; a property configured by name that is absent fails.
func TestStockPortalWithoutDefaultProperties(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	srv.StockPortal()
	err := newClient(t, srv).Ping(ctx(t))
	var w *connector.Warning
	if !errors.As(err, &w) || !strings.Contains(w.Msg, "plan") || !strings.Contains(w.Msg, "customer_status") {
		t.Fatalf("Ping on a stock portal = %v, want a Warning naming plan and customer_status", err)
	}
	if _, err := newClient(t, srv).FindCustomerByEmail(ctx(t), connectortest.AdaEmail); err != nil {
		t.Errorf("lookup on a stock portal: %v", err)
	}
	if err := newClient(t, srv, func(o *hubspot.Options) { o.PlanProperty = "tier" }).Ping(ctx(t)); err == nil || errors.As(err, &w) {
		t.Errorf("Ping with another plan property, absent = %v, want a failure", err)
	}
}
