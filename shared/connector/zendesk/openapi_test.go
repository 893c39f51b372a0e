package zendesk_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// TestOpenAPI holds the production client and the stand-in to Zendesk's published
// OpenAPI files (testdata/openapi, Support and Help Center): Stoplight
// Prism proxies every call the connector makes to zdtest and reports any request or
// answer that breaks the definition (docs/connectors/openapi.md). The last subtests
// plant violations to prove the check can fail.
func TestOpenAPI(t *testing.T) {
	srv := zdtest.New(t)
	// Zendesk's files list paths without the ".json" suffix the connector sends (and
	// Help Center wants); the live API accepts both (testdata/openapi/README.md,
	// known quirks). Prism gets copies in which each path also answers with ".json".
	prism := testenv.StartPrism(t, srv.URL(),
		testenv.PrismSpec{Prefix: "/api/v2/", File: testenv.SpecWithPathAliases(t, testenv.VendorSpec(t, "support-oas.yaml"), ".json")},
		testenv.PrismSpec{Prefix: "/api/v2/help_center/", File: testenv.SpecWithPathAliases(t, testenv.VendorSpec(t, "helpcenter-oas.yaml"), ".json")})
	// The links the stand-in answers (next pages) lead back through Prism, as
	// Zendesk's lead to the account's host.
	srv.SetPublicURL(prism.URL)
	client := func(t *testing.T, mod func(*zendesk.Options)) *zendesk.Client {
		return newClient(t, srv, nil, func(o *zendesk.Options) {
			o.BaseURL = prism.URL
			if mod != nil {
				mod(o)
			}
		})
	}
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

	run("create ticket, then find it by external_id", func(t *testing.T) {
		c := client(t, func(o *zendesk.Options) { o.Tags = []string{"switchboard"} })
		nt := connector.NewTicket{RequesterEmail: "Prism.Check@Example.com", RequesterName: "Prism Check",
			Subject: "Export fails", Description: "The export stops after a minute.", Priority: connector.PriorityHigh, ExternalID: "openapi-1"}
		tk, err := c.CreateTicket(ctx(t), nt)
		if err != nil || tk.ID == "" || tk.ExternalID != "openapi-1" {
			t.Fatalf("CreateTicket = %+v, %v", tk, err)
		}
		again, err := c.CreateTicket(ctx(t), nt)
		if err != nil || again.ID != tk.ID {
			t.Errorf("repeated CreateTicket = %+v, %v; want ticket %s again", again, err, tk.ID)
		}
		found, ok, err := c.FindTicketByExternalID(ctx(t), "openapi-1", "prism.check@example.com")
		if err != nil || !ok || found.ID != tk.ID {
			t.Errorf("FindTicketByExternalID = %+v, %v, %v", found, ok, err)
		}
		if _, ok, err := c.FindTicketByExternalID(ctx(t), "openapi-none", "prism.check@example.com"); err != nil || ok {
			t.Errorf("FindTicketByExternalID(unknown) = %v, %v; want not found", ok, err)
		}
	})
	run("open tickets following cursor links", func(t *testing.T) {
		base := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
		for i := range 5 {
			srv.AddTicket("prism.pages@example.com", fmt.Sprintf("paged %d", i), []string{"open", "pending", "closed", "new", "hold"}[i], "normal", base.Add(time.Duration(i)*time.Hour))
		}
		ts, err := client(t, func(o *zendesk.Options) { o.PageSize = 2 }).OpenTickets(ctx(t), "prism.pages@example.com")
		if err != nil || len(ts) != 4 || ts[0].Subject != "paged 4" {
			t.Errorf("OpenTickets = %+v, %v; want the 4 open, newest first", ts, err)
		}
		pages := 0
		for _, r := range srv.Requests() {
			if strings.HasSuffix(r.Path, "/tickets/requested.json") && r.Query.Get("page[size]") == "2" {
				pages++
			}
		}
		if pages != 3 {
			t.Errorf("read %d pages, want 3 (5 tickets at 2 a page)", pages)
		}
	})
	run("open tickets of a requester without any", func(t *testing.T) {
		if ts, err := client(t, nil).OpenTickets(ctx(t), "nobody.here@example.com"); err != nil || len(ts) != 0 {
			t.Errorf("OpenTickets = %v, %v; want none", ts, err)
		}
	})
	run("help center article search", func(t *testing.T) {
		arts, err := client(t, func(o *zendesk.Options) { o.Locale = "en-us" }).SearchArticles(ctx(t), "how do I reset my password", 2)
		if err != nil || len(arts) == 0 || arts[0].Title != "How to reset your password" {
			t.Errorf("SearchArticles = %+v, %v", arts, err)
		}
	})
	run("ping", func(t *testing.T) {
		if err := client(t, nil).Ping(ctx(t)); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})

	// Zendesk's files declare only the success answer of each operation, so an error
	// answer (429, 404, 422) has no schema to hold the stand-in to: Prism checks the
	// request and says the status is undocumented, which is all this subtest accepts.
	t.Run("undocumented error: 429 with Retry-After", func(t *testing.T) {
		srv.Fail(zdtest.Fault{Kind: zdtest.RateLimited, RetryAfter: 7 * time.Second}.On("GET", "/api/v2/users/search"))
		_, err := client(t, nil).OpenTickets(ctx(t), "ada@example.com")
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != connector.KindRateLimited || ce.RetryAfter != 7*time.Second {
			t.Errorf("err = %v, want rate limited after 7s", err)
		}
		vs := prism.Violations()
		if len(vs) != 1 || vs[0].Status != http.StatusTooManyRequests || vs[0].Severity != "Warning" ||
			!strings.Contains(vs[0].Message, "Unable to match the returned status code") {
			t.Errorf("violations = %v; want only the warning that 429 is undocumented", vs)
		}
	})

	// The check can fail: a planted answer breaking the ticket schema, and a request
	// breaking the create body's schema, are both reported, naming the rule.
	t.Run("planted: ticket id that is not an integer", func(t *testing.T) {
		srv.Fail(zdtest.Fault{Kind: zdtest.Malformed, Body: `{"tickets":[{"id":"not-a-number","subject":"x"}]}`}.On("GET", "/api/v2/tickets"))
		_, _, err := client(t, nil).FindTicketByExternalID(ctx(t), "openapi-1", "prism.check@example.com")
		if err == nil {
			t.Error("Prism let an invalid answer through")
		}
		testenv.WantViolation(t, prism.Violations(), "response.body.tickets.0.id", "type", "integer")
	})
	t.Run("planted: ticket body breaking the schema", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx(t), http.MethodPost, prism.URL+"/api/v2/tickets.json",
			bytes.NewReader([]byte(`{"ticket":{"subject":"x","comment":{"body":"y"},"priority":"whenever"}}`)))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(zdtest.AgentEmail+"/token", zdtest.APIToken)
		testenv.SendPlanted(t, req)
		testenv.WantViolation(t, prism.Violations(), "request.body.ticket.priority", "enum", "allowed values")
	})
}
