package hubspot_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
)

func TestContractUpdater(t *testing.T) {
	t.Parallel()
	connectortest.TestCustomerUpdater(t, newClient(t, hstest.New(t)), fixtures)
}

func TestContractUpdaterPaginated(t *testing.T) {
	t.Parallel()
	connectortest.TestCustomerUpdater(t, newClient(t, hstest.New(t), func(o *hubspot.Options) { o.PageSize = 1 }), fixtures)
}

func lastPatch(t *testing.T, srv *hstest.Server) hstest.Patch {
	t.Helper()
	ps := srv.Patches()
	if len(ps) == 0 {
		t.Fatal("no PATCH reached the stand-in")
	}
	return ps[len(ps)-1]
}

// TestUpdatePatchBody: the PATCH carries only the properties the change sets — phone,
// and all five address properties for a new address, an empty one as "" — never email.
func TestUpdatePatchBody(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	c := newClient(t, srv)
	ada, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.UpdateCustomer(ctx(t), "ADA@example.com", connector.ContactChange{Phone: "+44 7700 900011"})
	if err != nil {
		t.Fatal(err)
	}
	if p := lastPatch(t, srv); p.ID != ada.ID || !reflect.DeepEqual(p.Properties, map[string]string{"phone": "+44 7700 900011"}) {
		t.Errorf("PATCH = %+v, want phone alone on %s", p, ada.ID)
	}
	if got.Phone != "+44 7700 900011" || got.Address != connectortest.AdaAddress() || got.Plan != "Enterprise" {
		t.Errorf("after the phone change = %+v", got)
	}

	addr := connector.Address{Street: "1 Main St", City: "Springfield", Country: "US"}
	got, err = c.UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Address: &addr})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"address": "1 Main St", "city": "Springfield", "state": "", "zip": "", "country": "US"}
	if p := lastPatch(t, srv); !reflect.DeepEqual(p.Properties, want) {
		t.Errorf("PATCH properties = %v, want %v", p.Properties, want)
	}
	stored, _ := srv.Contact(ada.ID)
	if stored.Properties["state"] != "" || stored.Properties["zip"] != "" || stored.Properties["email"] != "ada@example.com" {
		t.Errorf("HubSpot holds %v; want state and zip cleared, email kept", stored.Properties)
	}
	if got.Address != addr || got.Phone != "+44 7700 900011" {
		t.Errorf("after the address change = %+v", got)
	}
}

// TestUpdateChoosesTheLookupsContact: among contacts sharing an email, the one the
// lookup answers with is changed, and the lookup still answers with it.
func TestUpdateChoosesTheLookupsContact(t *testing.T) {
	t.Parallel()
	srv := hstest.New(t)
	c := newClient(t, srv)
	before, err := c.FindCustomerByEmail(ctx(t), "dup@example.com")
	if err != nil || before.LastName != "Newest" {
		t.Fatalf("dup lookup = %+v, %v; want Newest", before, err)
	}
	got, err := c.UpdateCustomer(ctx(t), "dup@example.com", connector.ContactChange{Phone: "+1 555 0100"})
	if err != nil || got.ID != before.ID || got.Phone != "+1 555 0100" {
		t.Fatalf("UpdateCustomer = %+v, %v; want contact %s changed", got, err, before.ID)
	}
	if p := lastPatch(t, srv); p.ID != before.ID {
		t.Errorf("PATCH went to %s, want %s", p.ID, before.ID)
	}
	if after, err := c.FindCustomerByEmail(ctx(t), "dup@example.com"); err != nil || after != got {
		t.Errorf("lookup after the update = %+v, %v; want %+v", after, err, got)
	}
}

// TestUpdateFaults: a failed PATCH is typed as a failed search is, changes nothing, and
// never quotes the customer's data; a contact deleted after the search is not found.
func TestUpdateFaults(t *testing.T) {
	t.Parallel()
	patch := func(f hstest.Fault) hstest.Fault { f.Method = http.MethodPatch; return f }
	tests := []struct {
		name       string
		fault      hstest.Fault
		kind       connector.Kind
		code       string
		retryAfter time.Duration
	}{
		{"429 secondly", patch(hstest.RateLimited("SECONDLY", 2*time.Second)), connector.KindRateLimited, "SECONDLY", 2 * time.Second},
		{"503", patch(hstest.ServerError(503)), connector.KindUnavailable, "INTERNAL_ERROR", 0},
		{"validation error", patch(hstest.Fault{Status: 400, Category: "VALIDATION_ERROR", Message: "Property values were not valid"}),
			connector.KindInvalidInput, "VALIDATION_ERROR", 0},
		{"missing scope", patch(hstest.Fault{Status: 403, Category: "MISSING_SCOPES",
			Message: "This app hasn't been granted all required scopes to make this call.", Times: 2}), connector.KindDenied, "MISSING_SCOPES", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := hstest.New(t)
			c := newClient(t, srv)
			srv.Fail(tc.fault)
			_, err := c.UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Phone: "+44 7700 900012"})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != tc.kind || ce.Code != tc.code || ce.RetryAfter != tc.retryAfter || ce.Tool != "hubspot" {
				t.Fatalf("err = %#v (%v); want kind %s code %q retry after %s", ce, err, tc.kind, tc.code, tc.retryAfter)
			}
			if strings.Contains(err.Error(), "ada@example.com") || strings.Contains(err.Error(), "7700") {
				t.Errorf("error %q quotes the customer's data", err)
			}
			if got, _ := c.FindCustomerByEmail(ctx(t), "ada@example.com"); got.Phone != connectortest.AdaCustomer().Phone {
				t.Errorf("a refused PATCH changed the phone to %q", got.Phone)
			}
		})
	}

	t.Run("contact deleted after the search", func(t *testing.T) {
		t.Parallel()
		srv := hstest.New(t)
		c := newClient(t, srv)
		srv.OnPatch(srv.Delete)
		_, err := c.UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Phone: "+44 7700 900013"})
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != connector.KindNotFound || ce.StatusCode != 404 || ce.Code != "OBJECT_NOT_FOUND" {
			t.Errorf("err = %#v (%v), want not found (404 OBJECT_NOT_FOUND)", ce, err)
		}
	})

	t.Run("a 401 on the PATCH re-reads the token and replays once", func(t *testing.T) {
		t.Parallel()
		srv := hstest.New(t)
		r := &rotating{srv: srv, cur: srv.Secret()}
		c := newClient(t, srv, func(o *hubspot.Options) { o.Secrets = r })
		f := hstest.InvalidToken()
		f.Method = http.MethodPatch
		srv.Fail(f)
		got, err := c.UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Phone: "+44 7700 900014"})
		if err != nil || got.Phone != "+44 7700 900014" {
			t.Fatalf("UpdateCustomer = %+v, %v", got, err)
		}
		if r.n != 1 {
			t.Errorf("the secret was re-read %d times, want 1", r.n)
		}
		if n := len(srv.Patches()); n != 1 {
			t.Errorf("%d PATCHes reached the contact, want 1", n)
		}
	})
}
