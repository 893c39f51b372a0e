package resilience_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/resilience/faultserver"
)

// httpCRM changes a contact with a PATCH to a faultserver and reads it with a GET.
type httpCRM struct{ tool httpTool }

func (c httpCRM) UpdateCustomer(ctx context.Context, email string, ch connector.ContactChange) (connector.Customer, error) {
	it, err := c.tool.do(ctx, http.MethodPatch, "/contacts")
	return connector.Customer{ID: it.ID, Email: email, Phone: ch.Phone}, err
}

func (c httpCRM) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	it, err := c.tool.get(ctx, "/contacts")
	return connector.Customer{ID: it.ID, Email: email}, err
}

// An update is a write: sent once unless the policy allows retrying writes and the
// change carries its external id. Reading the record back is a read, retried; a CRM
// that cannot read says so (connector.ErrUnsupported).
func TestCustomerUpdaterRetriesOnlyAllowedWrites(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		retryWrites bool
		externalID  string
		wantHits    int64
	}{
		{"writes not retried by default", false, "sb-1", 1},
		{"no external id", true, "", 1},
		{"retry writes with an external id", true, "sb-1", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, tool := newTool(t)
			srv.Next(faultserver.ServerError)
			s := settings()
			s.MaxAttempts = 3
			s.RetryWrites = tc.retryWrites
			u := resilience.CustomerUpdater(resilience.NewPolicy("fake", s, resilience.Options{}), httpCRM{tool})
			_, err := u.UpdateCustomer(context.Background(), "ada@example.com", connector.ContactChange{Phone: "+4420", ExternalID: tc.externalID})
			if srv.Hits() != tc.wantHits || (tc.wantHits == 2) != (err == nil) {
				t.Fatalf("hits = %d, want %d (err %v)", srv.Hits(), tc.wantHits, err)
			}
		})
	}
	srv, tool := newTool(t)
	s := settings()
	s.MaxAttempts = 2
	u := resilience.CustomerUpdater(resilience.NewPolicy("fake", s, resilience.Options{}), httpCRM{tool})
	srv.Next(faultserver.ServerError)
	d, ok := u.(connector.CustomerDirectory)
	if !ok {
		t.Fatal("the decorator does not read back")
	}
	if _, err := d.FindCustomerByEmail(context.Background(), "ada@example.com"); err != nil || srv.Hits() != 2 {
		t.Fatalf("read back: err %v hits %d, want success on the retry", err, srv.Hits())
	}
	wo := resilience.CustomerUpdater(resilience.NewPolicy("fake", s, resilience.Options{}), writeOnly{httpCRM{tool}})
	if _, err := wo.(connector.CustomerDirectory).FindCustomerByEmail(context.Background(), "x@example.com"); !errors.Is(err, connector.ErrUnsupported) {
		t.Fatalf("a CRM that cannot read: %v", err)
	}
}

// writeOnly hides the embedded CRM's FindCustomerByEmail.
type writeOnly struct{ crm httpCRM }

func (w writeOnly) UpdateCustomer(ctx context.Context, email string, ch connector.ContactChange) (connector.Customer, error) {
	return w.crm.UpdateCustomer(ctx, email, ch)
}
