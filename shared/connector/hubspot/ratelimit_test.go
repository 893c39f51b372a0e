package hubspot_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

// limited is a policy whose bucket holds burst tokens and never refills within a test:
// once it is empty the limiter refuses at once, whatever the budget.
func limited(burst int) *resilience.Policy {
	return resilience.NewPolicy(hubspot.Tool, resilience.Settings{
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

// A lookup whose matches span two search pages sends two searches: two tokens.
func TestFindCustomerSpendsATokenPerSearchPage(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	for i := range 2 {
		srv.Add(hstest.Contact{Properties: map[string]string{"email": "pages@example.com", "lastname": "Pages"},
			CreatedAt: time.Date(2024, 2, 1+i, 0, 0, 0, 0, time.UTC)})
	}
	p := limited(3)
	d := resilience.Customers(p, newClient(t, srv, func(o *hubspot.Options) { o.PageSize = 1 }))
	if _, err := d.FindCustomerByEmail(ctx(t), "pages@example.com"); err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests(); n != 2 {
		t.Fatalf("the lookup sent %d requests, want 2 (one search per page)", n)
	}
	_, err := d.FindCustomerByEmail(ctx(t), "pages@example.com")
	checkLimited(t, err)
	if n := srv.Requests(); n != 3 {
		t.Fatalf("%d requests, want 3: the second lookup's first page only", n)
	}
	if st := p.Stats(); st.LimiterRejections != 1 || st.Failures != 0 || st.Breaker != resilience.BreakerClosed {
		t.Fatalf("stats = %+v; want one rejection, no failure, breaker closed", st)
	}
}

// UpdateCustomer searches, patches and reads the contact back: three requests. Once
// the PATCH may have gone out, the read-back is never refused (the change would be
// reported as not made): it goes on credit, and the next call pays for it.
func TestUpdateCustomerSpendsATokenPerRequestAndReadsBackOnCredit(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	p := limited(2)
	d := resilience.Customers(p, newClient(t, srv))
	u, ok := d.(connector.CustomerUpdater)
	if !ok {
		t.Fatal("the decorated directory does not update")
	}
	got, err := u.UpdateCustomer(ctx(t), connectortest.AdaEmail, connector.ContactChange{Phone: "+44 7700 900011"})
	if err != nil || got.Phone != "+44 7700 900011" {
		t.Fatalf("UpdateCustomer = %+v, %v; want the change read back", got, err)
	}
	if n := srv.Requests(); n != 3 {
		t.Fatalf("UpdateCustomer sent %d requests, want 3 (search, PATCH, read)", n)
	}
	// Three tokens spent from a bucket of two: the next lookup is refused.
	_, err = d.FindCustomerByEmail(ctx(t), connectortest.AdaEmail)
	checkLimited(t, err)
	if n := srv.Requests(); n != 3 {
		t.Fatalf("%d requests, want 3: a refused call sends nothing", n)
	}
}

// The search an update starts with is a POST that changes nothing: it is not the write
// after which the call's requests go on credit. With the search's token the last one,
// the PATCH is refused before it is sent, and the update fails with nothing changed.
func TestUpdateCustomerPatchWaitsItsTurnAfterTheSearch(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	p := limited(1)
	d := resilience.Customers(p, newClient(t, srv))
	u, ok := d.(connector.CustomerUpdater)
	if !ok {
		t.Fatal("the decorated directory does not update")
	}
	_, err := u.UpdateCustomer(ctx(t), connectortest.AdaEmail, connector.ContactChange{Phone: "+44 7700 900012"})
	checkLimited(t, err)
	if n := srv.Requests(); n != 1 {
		t.Fatalf("UpdateCustomer sent %d requests, want 1: the search, then the PATCH refused unsent", n)
	}
	got, err := resilience.Customers(limited(5), newClient(t, srv)).FindCustomerByEmail(ctx(t), connectortest.AdaEmail)
	if err != nil || got.Phone == "+44 7700 900012" {
		t.Fatalf("after the refused update the contact is %+v, %v; want it unchanged", got, err)
	}
}
