package resilience_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// TestUpdateCustomerRetriedOnlyWhenWritesMayBe: an update through the decorator reaches
// the CRM (the HubSpot stand-in); after a 503 on its PATCH it is tried again only when
// retry_writes is on and the change carries the turn's key, as CreateTicket is.
func TestUpdateCustomerRetriedOnlyWhenWritesMayBe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		retryWrites bool
		externalID  string
		wantPatches int // PATCH requests the CRM received
	}{
		{"writes not retried by default", false, "sb-1", 1},
		{"no turn key", true, "", 1},
		{"retry writes with the turn's key", true, "sb-1", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := hstest.New(t)
			c, err := hubspot.New(hubspot.Options{Secrets: secrets.Static{"hs": srv.Secret()}, SecretID: "hs", BaseURL: srv.URL()})
			if err != nil {
				t.Fatal(err)
			}
			s := settings()
			s.MaxAttempts = 3
			s.RetryWrites = tc.retryWrites
			crm := resilience.Customers(resilience.NewPolicy("hubspot", s, resilience.Options{}), c)
			u, ok := crm.(connector.CustomerUpdater)
			if !ok || !connector.CanUpdateCustomers(crm) {
				t.Fatal("the decorated HubSpot client cannot update customers")
			}
			f := hstest.ServerError(http.StatusServiceUnavailable)
			f.Method = http.MethodPatch
			srv.Fail(f)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got, err := u.UpdateCustomer(ctx, "ada@example.com", connector.ContactChange{Phone: "+44 7700 900100", ExternalID: tc.externalID})
			// The 503 answered one PATCH before it reached the contact; Patches records
			// those that did.
			sent := len(srv.Patches()) + 1
			if sent != tc.wantPatches {
				t.Fatalf("%d PATCHes sent, want %d (err %v)", sent, tc.wantPatches, err)
			}
			if tc.wantPatches == 2 {
				if err != nil || got.Phone != "+44 7700 900100" {
					t.Fatalf("UpdateCustomer = %+v, %v; want success on the retry", got, err)
				}
			} else if !errors.Is(err, connector.ErrUnavailable) {
				t.Fatalf("err = %v, want the 503 as unavailable", err)
			}
		})
	}
}

// directoryOnly is a CRM that cannot update customers.
type directoryOnly struct{}

func (directoryOnly) FindCustomerByEmail(context.Context, string) (connector.Customer, error) {
	return connector.Customer{Email: "ada@example.com"}, nil
}

func TestUpdateCustomerUnsupportedByTheTool(t *testing.T) {
	t.Parallel()
	crm := resilience.Customers(resilience.NewPolicy("fake", settings(), resilience.Options{}), directoryOnly{})
	if connector.CanUpdateCustomers(crm) {
		t.Error("CanUpdateCustomers = true for a directory without UpdateCustomer")
	}
	_, err := crm.(connector.CustomerUpdater).UpdateCustomer(context.Background(), "ada@example.com", connector.ContactChange{Phone: "1"})
	if !errors.Is(err, connector.ErrUnsupported) {
		t.Errorf("err = %v, want connector.ErrUnsupported", err)
	}
}
