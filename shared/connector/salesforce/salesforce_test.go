package salesforce_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce/sftest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// rotating is a secrets.Provider whose Refresh re-reads the stand-in's current
// credentials, as Secrets Manager does after a rotation.
type rotating struct {
	srv *sftest.Server
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

func newClient(t *testing.T, srv *sftest.Server, mod ...func(*salesforce.Options)) *salesforce.Client {
	t.Helper()
	opts := salesforce.Options{
		Secrets:  secrets.Static{"switchboard/salesforce": srv.Secret()},
		SecretID: "switchboard/salesforce",
		LoginURL: srv.URL(),
	}
	for _, m := range mod {
		m(&opts)
	}
	c, err := salesforce.New(opts)
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

// fixtures describes sftest.Seed for the contract suites.
var fixtures = connectortest.Fixtures{
	KnownCustomer: connectortest.AdaWithAddress(),
	UnknownEmail:  "nobody@example.com",
	UpdateEmail:   "grace.hopper@example.com",
}

func TestContract(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	connectortest.TestCustomerDirectory(t, newClient(t, srv), fixtures)
}

func TestContractPaginated(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	srv.SetPageSize(1)
	connectortest.TestCustomerDirectory(t, newClient(t, srv), fixtures)
}

func TestFindCustomer(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	c := newClient(t, srv)
	day := func(d int) time.Time { return time.Date(2024, time.January, d, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		email string
		want  connector.Customer
	}{
		{"ada@example.com", connectortest.AdaWithAddress()},
		{"  ADA@EXAMPLE.COM ", connectortest.AdaWithAddress()},
		{"Grace.Hopper@Example.COM", connector.Customer{Email: "grace.hopper@example.com", FirstName: "Grace", LastName: "Hopper",
			Company: "Cobol Systems Inc", Phone: "+1 202 555 0143", Plan: "Pro", Status: "trial", CreatedAt: day(2)}},
		{"roisin.o'brien@example.com", connector.Customer{Email: "roisin.o'brien@example.com", FirstName: "Róisín", LastName: "O'Brien",
			Company: "O'Brien & Daughters", Phone: "+353 1 555 0199", Plan: "Free", Status: "active", CreatedAt: day(3)}},
		{"katherine.johnson@example.com", connector.Customer{Email: "katherine.johnson@example.com", FirstName: "Katherine",
			LastName: "Johnson", CreatedAt: day(4)}},
	}
	for _, tc := range tests {
		got, err := c.FindCustomerByEmail(ctx(t), tc.email)
		if err != nil {
			t.Errorf("FindCustomerByEmail(%q): %v", tc.email, err)
			continue
		}
		if !strings.HasPrefix(got.ID, "003") || len(got.ID) != 18 {
			t.Errorf("ID = %q, want an 18-character Contact id", got.ID)
		}
		got.ID = ""
		if got != tc.want {
			t.Errorf("FindCustomerByEmail(%q) =\n %+v\nwant\n %+v", tc.email, got, tc.want)
		}
	}
}

func TestNotFoundAndInvalidInput(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	c := newClient(t, srv)
	_, err := c.FindCustomerByEmail(ctx(t), "nobody@example.com")
	if !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("unknown email: err = %v, want not found", err)
	}
	for _, bad := range []string{"", "   ", "not-an-email", strings.Repeat("a", 250) + "@example.com"} {
		before := srv.APIRequests()
		_, err := c.FindCustomerByEmail(ctx(t), bad)
		if !errors.Is(err, connector.ErrInvalidInput) {
			t.Errorf("FindCustomerByEmail(%q): err = %v, want invalid input", bad, err)
		}
		if srv.APIRequests() != before {
			t.Errorf("FindCustomerByEmail(%q) called the API", bad)
		}
	}
}

func TestPaginationFollowsNextRecordsURL(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	srv.SetPageSize(1)
	c := newClient(t, srv)
	before := srv.APIRequests()
	got, err := c.FindCustomerByEmail(ctx(t), "dup@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.LastName != "Newest" || got.Company != "Dup New Co" {
		t.Errorf("chose %s (%s), want the contact with an Account modified last (Newest, Dup New Co)", got.LastName, got.Company)
	}
	if n := srv.APIRequests() - before; n != 3 {
		t.Errorf("%d API calls, want 3 (one query and two nextRecordsUrl pages)", n)
	}
	if n := len(srv.Queries()); n != 1 {
		t.Errorf("%d SOQL queries, want 1", n)
	}
	// The same answer without pagination: the choice does not depend on page bounds.
	srv.SetPageSize(0)
	again, err := c.FindCustomerByEmail(ctx(t), "dup@example.com")
	if err != nil || again != got {
		t.Errorf("unpaginated lookup = %+v, %v; want %+v", again, err, got)
	}
}

func TestMaxRecordsBoundsPagination(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	for i := 0; i < 10; i++ {
		srv.Add(sftest.Contact{Email: "many@example.com", LastName: "Many", CreatedDate: time.Date(2024, 2, 1+i, 0, 0, 0, 0, time.UTC)})
	}
	srv.SetPageSize(2)
	c := newClient(t, srv, func(o *salesforce.Options) { o.MaxRecords = 4 })
	before := srv.APIRequests()
	if _, err := c.FindCustomerByEmail(ctx(t), "many@example.com"); err != nil {
		t.Fatal(err)
	}
	if n := srv.APIRequests() - before; n != 2 {
		t.Errorf("%d API calls, want 2 (stop once max_records were read)", n)
	}
}

func TestTokenReused(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	c := newClient(t, srv)
	for i := 0; i < 5; i++ {
		if _, err := c.FindCustomerByEmail(ctx(t), "ada@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("%d token requests for 5 lookups, want 1", n)
	}
}

func TestInvalidSessionRefreshesOnce(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	c := newClient(t, srv)
	if _, err := c.FindCustomerByEmail(ctx(t), "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	srv.Fail(sftest.InvalidSession())
	got, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
	if err != nil {
		t.Fatalf("after INVALID_SESSION_ID: %v", err)
	}
	if got.Email != connectortest.AdaEmail {
		t.Errorf("got %q", got.Email)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("%d token requests, want 2 (one refresh)", n)
	}

	// Rejected twice: one refresh only, then a typed error.
	srv.Fail(sftest.Fault{Status: http.StatusUnauthorized, ErrorCode: "INVALID_SESSION_ID", Message: "Session expired or invalid", RevokeSession: true, Times: 2})
	_, err = c.FindCustomerByEmail(ctx(t), "ada@example.com")
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.KindUnauthorized || ce.Code != "INVALID_SESSION_ID" || ce.StatusCode != 401 {
		t.Errorf("err = %v, want unauthorized INVALID_SESSION_ID (401)", err)
	}
	if n := srv.TokenRequests(); n != 3 {
		t.Errorf("%d token requests, want 3 (one more refresh, not two)", n)
	}
}

func TestRotatedSecret(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	p := &rotating{srv: srv, cur: srv.Secret()}
	c := newClient(t, srv, func(o *salesforce.Options) { o.Secrets = p })
	if _, err := c.FindCustomerByEmail(ctx(t), "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	srv.RotateSecret() // revokes the session and the old client secret
	if _, err := c.FindCustomerByEmail(ctx(t), "ada@example.com"); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if p.n != 1 {
		t.Errorf("secret refreshed %d times, want 1", p.n)
	}
}

func TestWrongClientSecret(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	sec := srv.Secret()
	sec["client_secret"] = "wrong"
	c := newClient(t, srv, func(o *salesforce.Options) { o.Secrets = secrets.Static{"switchboard/salesforce": sec} })
	_, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.KindUnauthorized || ce.Code != "invalid_client" {
		t.Fatalf("err = %v, want unauthorized invalid_client", err)
	}
	if strings.Contains(err.Error(), "wrong") || strings.Contains(err.Error(), sec["client_id"]) {
		t.Errorf("error %q leaks a credential", err)
	}
}

func TestTokenEndpointFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault sftest.Fault
		kind  connector.Kind
	}{
		{"500", sftest.Fault{Status: 500, Body: "<html>error</html>"}, connector.KindUnavailable},
		{"invalid_grant", sftest.Fault{Status: 400, ErrorCode: "invalid_grant", Message: "no client credentials user enabled"}, connector.KindUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := sftest.New(t)
			c := newClient(t, srv)
			srv.FailToken(tc.fault)
			_, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != tc.kind || ce.Op != "token" {
				t.Fatalf("err = %v, want %s from the token step", err, tc.kind)
			}
			if srv.APIRequests() != 0 {
				t.Errorf("the API was called without a token")
			}
			if _, err := c.FindCustomerByEmail(ctx(t), "ada@example.com"); err != nil {
				t.Errorf("after the fault: %v", err)
			}
		})
	}
	// A token endpoint slower than the turn's deadline.
	srv := sftest.New(t)
	c := newClient(t, srv)
	srv.FailToken(sftest.Slow(time.Second)) // the fetch outlives the turn (httpauth), so keep it short
	cctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.FindCustomerByEmail(cctx, "ada@example.com"); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("slow token endpoint: err = %v, want unavailable wrapping the deadline", err)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      sftest.Fault
		kind       connector.Kind
		code       string
		field      string
		retryAfter time.Duration
	}{
		{"request limit exceeded", sftest.RequestLimitExceeded(), connector.KindRateLimited, "REQUEST_LIMIT_EXCEEDED", "", 0},
		{"429 with Retry-After", sftest.TooManyRequests(7 * time.Second), connector.KindRateLimited, "REQUEST_LIMIT_EXCEEDED", "", 7 * time.Second},
		{"500", sftest.ServerError(500), connector.KindUnavailable, "UNKNOWN_EXCEPTION", "", 0},
		{"503 with Retry-After", func() sftest.Fault { f := sftest.ServerError(503); f.RetryAfter = 30 * time.Second; return f }(),
			connector.KindUnavailable, "SERVER_UNAVAILABLE", "", 30 * time.Second},
		{"502 HTML", sftest.Fault{Status: 502, Body: "<html>Bad Gateway</html>"}, connector.KindUnavailable, "", "", 0},
		{"malformed JSON", sftest.Malformed(`{"totalSize":1,"done":true,"records":[{"Id":`), connector.KindInvalidResponse, "", "body", 0},
		{"wrong type", sftest.Malformed(`{"totalSize":1,"done":true,"records":[{"Id":"003","Email":"ada@example.com","LastName":7}]}`),
			connector.KindInvalidResponse, "", "records[0].LastName", 0},
		{"next page on another host", sftest.Malformed(`{"totalSize":2,"done":false,"nextRecordsUrl":"https://attacker.example/services/data/v61.0/query/01g-1","records":[]}`),
			connector.KindInvalidResponse, "", "nextRecordsUrl", 0},
		{"invalid field", sftest.Fault{Status: 400, ErrorCode: "INVALID_FIELD", Message: "No such column"}, connector.KindInvalidInput, "INVALID_FIELD", "", 0},
		{"403 insufficient access", sftest.Fault{Status: 403, ErrorCode: "INSUFFICIENT_ACCESS", Message: "no"}, connector.KindDenied, "INSUFFICIENT_ACCESS", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := sftest.New(t)
			// No default fields: an INVALID_FIELD for the defaults is answered
			// without them instead (TestStockOrgWithoutDefaultFields).
			c := newClient(t, srv, func(o *salesforce.Options) { o.PlanField, o.StatusField = salesforce.None, salesforce.None })
			srv.Fail(tc.fault)
			_, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *connector.Error", err)
			}
			if ce.Kind != tc.kind || ce.Code != tc.code || ce.Field != tc.field || ce.RetryAfter != tc.retryAfter || ce.Tool != "salesforce" {
				t.Errorf("err = %#v (%v); want kind %s code %q field %q retry after %s", ce, err, tc.kind, tc.code, tc.field, tc.retryAfter)
			}
			if n := srv.TokenRequests(); n != 1 {
				t.Errorf("%d token requests, want 1: only a 401 refreshes the token", n)
			}
			if strings.Contains(err.Error(), "ada@example.com") {
				t.Errorf("error %q contains the email", err)
			}
			// The stand-in is healthy again: the next call works.
			if _, err := c.FindCustomerByEmail(ctx(t), "ada@example.com"); err != nil {
				t.Errorf("after the fault: %v", err)
			}
		})
	}
}

func TestSlowResponsePastDeadline(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	c := newClient(t, srv)
	if err := c.Ping(ctx(t)); err != nil { // token fetched outside the deadline under test
		t.Fatal(err)
	}
	// The stand-in holds its answer for a minute (released when the client gives up): a
	// client that outlived the deadline would get that answer instead of the error below.
	srv.Fail(sftest.Slow(time.Minute))
	cctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.FindCustomerByEmail(cctx, "ada@example.com")
	if !errors.Is(err, connector.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want unavailable wrapping context.DeadlineExceeded", err)
	}
}

func TestInjectionCannotWidenQuery(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	c := newClient(t, srv)
	for _, email := range hostileEmails {
		got, err := c.FindCustomerByEmail(ctx(t), email)
		want := strings.TrimSpace(email)
		switch {
		case email == "roisin.o'brien@example.com":
			if err != nil || got.LastName != "O'Brien" {
				t.Errorf("FindCustomerByEmail(%q) = %+v, %v; want O'Brien", email, got, err)
			}
		case !strings.Contains(want, "@"):
			if !errors.Is(err, connector.ErrInvalidInput) {
				t.Errorf("FindCustomerByEmail(%q): err = %v, want invalid input", email, err)
			}
			continue
		case !errors.Is(err, connector.ErrNotFound):
			t.Errorf("FindCustomerByEmail(%q) = %+v, %v; want not found", email, got, err)
		}
		qs := srv.Queries()
		pq, perr := sftest.ParseSOQL(qs[len(qs)-1])
		if perr != nil {
			t.Errorf("query for %q does not parse: %v", email, perr)
			continue
		}
		if cmps := pq.Comparisons(); len(cmps) != 1 || cmps[0].Value != want {
			t.Errorf("query for %q has comparisons %+v, want one Email = the input", email, cmps)
		}
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	if err := newClient(t, srv).Ping(ctx(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if q := srv.Queries(); len(q) != 1 || !strings.HasSuffix(q[0], "FROM Contact LIMIT 1") {
		t.Errorf("Ping queries = %q", q)
	}
	// A plan field the org lacks fails the check, not the first customer turn.
	err := newClient(t, srv, func(o *salesforce.Options) { o.PlanField = "Account.Tier__c" }).Ping(ctx(t))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.KindInvalidInput || ce.Code != "INVALID_FIELD" {
		t.Errorf("Ping with a missing field: err = %v, want invalid input INVALID_FIELD", err)
	}
	if c := newClient(t, srv); c.AuthMethod() != "oauth2_client_credentials" {
		t.Errorf("AuthMethod = %q", c.AuthMethod())
	}
}

func TestOptionalFieldsAndVersion(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	c := newClient(t, srv, func(o *salesforce.Options) {
		o.PlanField, o.StatusField, o.APIVersion = salesforce.None, salesforce.None, "v58.0"
	})
	got, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.Plan != "" || got.Status != "" || got.Company != "Analytical Engines Ltd" {
		t.Errorf("got %+v, want no plan and status", got)
	}
	q := srv.Queries()[0]
	if strings.Contains(q, "Plan__c") || strings.Contains(q, "Status__c") {
		t.Errorf("query %q reads a disabled field", q)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	p := secrets.Static{"s": {"client_id": "a", "client_secret": "b"}}
	for name, o := range map[string]salesforce.Options{
		"no credentials":    {},
		"no login URL":      {Secrets: p, SecretID: "s"},
		"bad version":       {Secrets: p, SecretID: "s", LoginURL: "https://x.my.salesforce.com", APIVersion: "61"},
		"injected field":    {Secrets: p, SecretID: "s", LoginURL: "https://x.my.salesforce.com", PlanField: "Id FROM User --"},
		"bad batch size":    {Secrets: p, SecretID: "s", LoginURL: "https://x.my.salesforce.com", BatchSize: 50},
		"relative instance": {Secrets: p, SecretID: "s", LoginURL: "https://x.my.salesforce.com", InstanceURL: "x.my.salesforce.com"},
	} {
		if _, err := salesforce.New(o); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

// TestStockOrgWithoutDefaultFields: a stock org has no Account.Plan__c/Status__c. With
// the default fields, lookups answer without plan and status and Ping warns; a field
// configured by name that the org lacks still fails Ping.
func TestStockOrgWithoutDefaultFields(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	srv.StockOrg()
	c := newClient(t, srv)
	err := c.Ping(ctx(t))
	var w *connector.Warning
	if !errors.As(err, &w) || !strings.Contains(w.Msg, "Account.Plan__c") {
		t.Fatalf("Ping on a stock org = %v, want a Warning naming the default fields", err)
	}
	got, err := newClient(t, srv).FindCustomerByEmail(ctx(t), connectortest.AdaEmail)
	if err != nil || got.Email != connectortest.AdaEmail || got.Plan != "" || got.Status != "" {
		t.Fatalf("lookup on a stock org = %+v, %v; want the customer without plan/status", got, err)
	}
	err = newClient(t, srv, func(o *salesforce.Options) { o.PlanField = "Account.Tier__c" }).Ping(ctx(t))
	if err == nil || errors.As(err, &w) {
		t.Errorf("Ping with another plan field, absent = %v, want a failure", err)
	}
}
