package cache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/cache"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
)

// TestUpdateForgetsTheCachedProfile: an update through the decorator reaches the CRM
// (the demo backend), and this process then never serves the profile it had cached
// before — not under the lookup intent's scope, not from the store, not as a stale
// answer while the CRM is down — until it has asked the CRM again.
func TestUpdateForgetsTheCachedProfile(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			clock := storetest.NewClock(time.Now())
			crm, err := demo.Open(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			defer crm.Close()
			c := cache.New(b.open(t, clock.Now), cache.Options{Now: clock.Now})
			dir := c.Customers("demo", crm, policy)
			lookup := cache.WithScope(context.Background(), "lookup_customer")
			update := cache.WithScope(context.Background(), "update_customer")

			before, err := dir.FindCustomerByEmail(lookup, "ada@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if !connector.CanUpdateCustomers(dir) {
				t.Fatal("CanUpdateCustomers = false for the demo backend behind the cache")
			}
			clock.Advance(time.Second)
			got, err := dir.(connector.CustomerUpdater).UpdateCustomer(update, "ADA@example.com", connector.ContactChange{Phone: "+44 7700 900200"})
			if err != nil || got.Phone != "+44 7700 900200" {
				t.Fatalf("UpdateCustomer = %+v, %v", got, err)
			}
			clock.Advance(time.Second)
			misses := c.Stats().Misses
			after, err := dir.FindCustomerByEmail(lookup, "ada@example.com")
			if err != nil || after.Phone != "+44 7700 900200" || c.Stats().Misses != misses+1 {
				t.Fatalf("lookup after the update = %+v, %v (misses %d → %d); want the CRM asked and the new phone",
					after, err, misses, c.Stats().Misses)
			}
			clock.Advance(time.Second)
			if again, err := dir.FindCustomerByEmail(lookup, "ada@example.com"); err != nil || again.Phone != after.Phone || c.Stats().Misses != misses+1 {
				t.Fatalf("second lookup = %+v, %v; want the refreshed profile from the cache", again, err)
			}
			if before.Phone == after.Phone {
				t.Fatalf("the update changed nothing (%q)", before.Phone)
			}

			// A profile cached before an update is not an answer during an outage either.
			other, err := dir.FindCustomerByEmail(lookup, "grace.hopper@example.com")
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Second)
			if _, err := dir.(connector.CustomerUpdater).UpdateCustomer(update, "grace.hopper@example.com",
				connector.ContactChange{Address: &connector.Address{City: "Arlington"}}); err != nil {
				t.Fatal(err)
			}
			crm.Close()
			clock.Advance(time.Second)
			if got, err := dir.FindCustomerByEmail(lookup, "grace.hopper@example.com"); err == nil {
				t.Fatalf("with the CRM down the lookup answered %+v (cached before the update: %+v), want the failure", got, other)
			}
		})
	}
}

func TestUpdateUnsupportedByTheTool(t *testing.T) {
	t.Parallel()
	dir := cache.New(nil, cache.Options{}).Customers("crm", &crm{plan: "Pro"}, policy)
	if connector.CanUpdateCustomers(dir) {
		t.Error("CanUpdateCustomers = true for a directory without UpdateCustomer")
	}
	_, err := dir.(connector.CustomerUpdater).UpdateCustomer(context.Background(), "ada@example.com", connector.ContactChange{Phone: "1"})
	if !errors.Is(err, connector.ErrUnsupported) {
		t.Errorf("err = %v, want connector.ErrUnsupported", err)
	}
}
