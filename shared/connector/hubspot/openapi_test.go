package hubspot_test

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// TestOpenAPI holds the production client and the stand-in to HubSpot's published
// OpenAPI files (testdata/openapi): Stoplight Prism proxies every call
// the connector makes to hstest and reports any request or answer that breaks the
// definition (docs/connectors/openapi.md). The last subtests plant violations to
// prove the check can fail.
func TestOpenAPI(t *testing.T) {
	srv := hstest.New(t)
	prism := testenv.StartPrism(t, srv.URL(),
		testenv.PrismSpec{Prefix: "/crm/v3/objects/contacts", File: testenv.VendorSpec(t, "contacts-v3.json")},
		testenv.PrismSpec{Prefix: "/crm/v3/properties/", File: testenv.VendorSpec(t, "properties-v3.json")})
	client := func(t *testing.T, mod ...func(*hubspot.Options)) *hubspot.Client {
		return newClient(t, srv, append([]func(*hubspot.Options){func(o *hubspot.Options) { o.BaseURL = prism.URL }}, mod...)...)
	}
	// run runs one subtest and fails it with every violation Prism reported meanwhile.
	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			before := prism.Exchanges()
			f(t)
			prism.Check(t)
			if prism.Exchanges() == before {
				t.Error("no call went through Prism")
			}
		})
	}

	run("search contacts", func(t *testing.T) {
		got, err := client(t).FindCustomerByEmail(ctx(t), "Ada@Example.com")
		if err != nil || got.ID == "" || got.Plan != "Enterprise" {
			t.Errorf("FindCustomerByEmail = %+v, %v", got, err)
		}
	})
	run("search contacts following paging.next.after", func(t *testing.T) {
		before := len(srv.Searches())
		got, err := client(t, func(o *hubspot.Options) { o.PageSize = 1 }).FindCustomerByEmail(ctx(t), "dup@example.com")
		if err != nil || got.LastName != "Newest" {
			t.Errorf("FindCustomerByEmail = %+v, %v; want the Newest duplicate", got, err)
		}
		var afters []string
		for _, s := range srv.Searches()[before:] {
			afters = append(afters, s.After)
		}
		if strings.Join(afters, ",") != "0,1,2" {
			t.Errorf("cursors sent %q, want 0,1,2", afters)
		}
	})
	run("search without a match", func(t *testing.T) {
		if _, err := client(t).FindCustomerByEmail(ctx(t), "nobody@example.com"); !errors.Is(err, connector.ErrNotFound) {
			t.Errorf("err = %v, want not found", err)
		}
	})
	run("update contact: PATCH then GET by id", func(t *testing.T) {
		before := len(srv.Patches())
		addr := connector.Address{Street: "4 O'Neill's Yard", City: "Zürich", PostalCode: "8001", Country: "Switzerland"}
		got, err := client(t).UpdateCustomer(ctx(t), "Ada@Example.com", connector.ContactChange{Phone: "+41 44 555 0100", Address: &addr})
		if err != nil || got.Phone != "+41 44 555 0100" || got.Address != addr || got.Plan != "Enterprise" {
			t.Errorf("UpdateCustomer = %+v, %v", got, err)
		}
		if n := len(srv.Patches()) - before; n != 1 {
			t.Errorf("%d PATCHes went through Prism, want 1", n)
		}
	})
	run("documented error: 404 for a contact deleted before the PATCH", func(t *testing.T) {
		srv.OnPatch(srv.Delete)
		defer srv.OnPatch(nil)
		_, err := client(t).UpdateCustomer(ctx(t), "grace.hopper@example.com", connector.ContactChange{Phone: "+1 202 555 0100"})
		if !errors.Is(err, connector.ErrNotFound) {
			t.Errorf("err = %v, want not found", err)
		}
	})
	run("ping lists contacts and reads the properties", func(t *testing.T) {
		if err := client(t).Ping(ctx(t)); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
	run("documented error: 404 for a missing property", func(t *testing.T) {
		err := client(t, func(o *hubspot.Options) { o.PlanProperty = "tier" }).Ping(ctx(t))
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.StatusCode != http.StatusNotFound || ce.Field != "tier" {
			t.Errorf("Ping = %v, want 404 naming tier", err)
		}
	})
	run("documented error: 429 with Retry-After", func(t *testing.T) {
		srv.Fail(hstest.RateLimited("SECONDLY", 2*time.Second))
		_, err := client(t).FindCustomerByEmail(ctx(t), "ada@example.com")
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != connector.KindRateLimited || ce.RetryAfter != 2*time.Second || ce.Code != "SECONDLY" {
			t.Errorf("err = %v, want rate limited SECONDLY after 2s", err)
		}
	})
	run("documented error: 401 for a bad token", func(t *testing.T) {
		srv.Fail(hstest.InvalidToken())
		srv.Fail(hstest.InvalidToken())
		_, err := client(t).FindCustomerByEmail(ctx(t), "ada@example.com")
		if connector.KindOf(err) != connector.KindUnauthorized {
			t.Errorf("err = %v, want unauthorized", err)
		}
	})

	// The check can fail: a planted answer without the required total, and a
	// request that breaks the search body's schema, are both reported, naming the rule.
	t.Run("planted: answer without total", func(t *testing.T) {
		srv.Fail(hstest.Malformed(`{"results":[]}`))
		_, err := client(t).FindCustomerByEmail(ctx(t), "ada@example.com")
		if err == nil {
			t.Error("Prism let an invalid answer through")
		}
		testenv.WantViolation(t, prism.Violations(), "response.body", "required", "total")
	})
	t.Run("planted: PATCH body with a value that is not a string", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx(t), http.MethodPatch, prism.URL+"/crm/v3/objects/contacts/101",
			bytes.NewReader([]byte(`{"properties":{"phone":5551234}}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+srv.Secret()["token"])
		testenv.SendPlanted(t, req)
		testenv.WantViolation(t, prism.Violations(), "request.body.properties.phone", "type", "string")
	})
	t.Run("planted: PATCH answer without updatedAt", func(t *testing.T) {
		srv.Fail(hstest.Fault{Method: http.MethodPatch, Status: http.StatusOK,
			Body: `{"id":"101","properties":{},"createdAt":"2023-03-14T09:30:00.000Z","archived":false}`})
		_, _ = client(t).UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Phone: "+44 20 7946 0018"})
		testenv.WantViolation(t, prism.Violations(), "response.body", "required", "updatedAt")
	})
	t.Run("planted: search body breaking the schema", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx(t), http.MethodPost, prism.URL+"/crm/v3/objects/contacts/search",
			bytes.NewReader([]byte(`{"filterGroups":[],"properties":[],"limit":"ten","after":"0","sorts":[]}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+srv.Secret()["token"])
		testenv.SendPlanted(t, req)
		testenv.WantViolation(t, prism.Violations(), "request.body.limit", "type", "integer")
	})
}
