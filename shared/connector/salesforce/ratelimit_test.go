package salesforce_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce/sftest"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// limited is a policy whose bucket holds burst tokens and never refills within a test:
// once it is empty the limiter refuses at once, whatever the budget.
func limited(burst int) *resilience.Policy {
	return resilience.NewPolicy(salesforce.Tool, resilience.Settings{
		MaxAttempts: 1, BreakerFailures: 100, BreakerMinRequests: 100, BreakerWindow: time.Minute,
		BreakerOpenFor: time.Minute, BreakerProbes: 1, Rate: 1e-9, Burst: burst,
	}, resilience.Options{})
}

func checkLimited(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, resilience.ErrLimited) || connector.KindOf(err) != connector.KindRateLimited {
		t.Fatalf("err = %v, want the limiter's refusal (ErrLimited, rate_limited)", err)
	}
}

// A lookup whose duplicates span two query batches makes two API requests: two
// tokens. The OAuth token request is not an API request (Salesforce's API request
// allocation counts REST calls, not logins) and takes none.
func TestFindCustomerSpendsATokenPerQueryBatchNotPerTokenGrant(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	srv.SetPageSize(1)
	for i := range 2 {
		srv.Add(sftest.Contact{Email: "pages@example.com", LastName: "Pages", CreatedDate: time.Date(2024, 2, 1+i, 0, 0, 0, 0, time.UTC)})
	}
	p := limited(2)
	d := resilience.Customers(p, newClient(t, srv))
	if _, err := d.FindCustomerByEmail(ctx(t), "pages@example.com"); err != nil {
		t.Fatalf("lookup within two tokens: %v", err)
	}
	if api, tok := srv.APIRequests(), srv.TokenRequests(); api != 2 || tok != 1 {
		t.Fatalf("%d API and %d token requests, want 2 (two batches) and 1", api, tok)
	}
	_, err := d.FindCustomerByEmail(ctx(t), "pages@example.com")
	checkLimited(t, err)
	if n := srv.APIRequests(); n != 2 {
		t.Fatalf("%d API requests, want 2: a refused call sends nothing", n)
	}
}

// A query refused for an expired session is replayed with a new token: the replay is
// a second API request and needs its own token.
func TestSessionReplaySpendsAToken(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	p := limited(2)
	d := resilience.Customers(p, newClient(t, srv))
	if _, err := d.FindCustomerByEmail(ctx(t), connectortest.AdaEmail); err != nil {
		t.Fatal(err)
	}
	srv.ExpireSessions()
	_, err := d.FindCustomerByEmail(ctx(t), connectortest.AdaEmail)
	checkLimited(t, err)
	if n := srv.APIRequests(); n != 2 {
		t.Fatalf("%d API requests, want 2: the replay after the 401 was not sent", n)
	}
}

// UpdateCustomer queries, patches and queries the contact back: three requests, the
// read-back on credit once the PATCH went out; the next call pays for it.
func TestUpdateCustomerSpendsATokenPerRequest(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	p := limited(2)
	d := resilience.Customers(p, newClient(t, srv))
	u := d.(connector.CustomerUpdater)
	got, err := u.UpdateCustomer(ctx(t), connectortest.AdaEmail, connector.ContactChange{Phone: "+44 7700 900001"})
	if err != nil || got.Phone != "+44 7700 900001" {
		t.Fatalf("UpdateCustomer = %+v, %v; want the change read back", got, err)
	}
	if n := srv.APIRequests(); n != 3 {
		t.Fatalf("UpdateCustomer sent %d API requests, want 3 (query, PATCH, query)", n)
	}
	_, err = d.FindCustomerByEmail(ctx(t), connectortest.AdaEmail)
	checkLimited(t, err)
}
