package salesforce_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce/sftest"
)

func TestContractUpdater(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	connectortest.TestCustomerUpdater(t, newClient(t, srv), fixtures)
}

func TestContractUpdaterPaginated(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	srv.SetPageSize(1)
	connectortest.TestCustomerUpdater(t, newClient(t, srv), fixtures)
}

// lastPatch returns the stand-in's last PATCH, failing when there is none.
func lastPatch(t *testing.T, srv *sftest.Server) sftest.Patch {
	t.Helper()
	ps := srv.Patches()
	if len(ps) == 0 {
		t.Fatal("no PATCH reached the stand-in")
	}
	return ps[len(ps)-1]
}

// TestUpdatePatchBody: the PATCH names only the fields the change sets, Phone and the
// five Mailing fields, an empty address field as null; Email is never sent.
func TestUpdatePatchBody(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	c := newClient(t, srv)
	ada, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}

	got, err := c.UpdateCustomer(ctx(t), "ADA@example.com", connector.ContactChange{Phone: "+44 7700 900001"})
	if err != nil {
		t.Fatal(err)
	}
	p := lastPatch(t, srv)
	if p.ID != ada.ID || !reflect.DeepEqual(p.Fields, map[string]any{"Phone": "+44 7700 900001"}) {
		t.Errorf("PATCH = %+v, want Phone alone on %s", p, ada.ID)
	}
	if got.Phone != "+44 7700 900001" || got.Address != connectortest.AdaAddress() {
		t.Errorf("after the phone change = %+v", got)
	}

	addr := connector.Address{Street: "1 Main St\u00a0Rear", City: "Springfield", Country: "US"}
	got, err = c.UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Address: &addr})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"MailingStreet": addr.Street, "MailingCity": "Springfield", "MailingState": nil,
		"MailingPostalCode": nil, "MailingCountry": "US"}
	if p := lastPatch(t, srv); !reflect.DeepEqual(p.Fields, want) {
		t.Errorf("PATCH fields = %v, want %v", p.Fields, want)
	}
	stored, _ := srv.Contact(ada.ID)
	if stored.MailingState != "" || stored.MailingPostalCode != "" || stored.Email != "ada@example.com" || stored.Phone != "+44 7700 900001" {
		t.Errorf("the org holds %+v; want the state and postal code cleared, email and phone kept", stored)
	}
	if got.Address != addr || got.Phone != "+44 7700 900001" {
		t.Errorf("after the address change = %+v", got)
	}
	if n := len(srv.Patches()); n != 2 {
		t.Errorf("%d PATCHes, want 2", n)
	}
}

// TestUpdateChoosesTheLookupsContact: among duplicate contacts the one the lookup
// answers with is the one changed, and the lookup still answers with it.
func TestUpdateChoosesTheLookupsContact(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
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

// TestUpdateFaults: failures of the PATCH are typed as the lookup's are; a contact
// deleted after the lookup is not found; an expired session is refreshed and the PATCH
// replayed once (a refused session applied nothing).
func TestUpdateFaults(t *testing.T) {
	t.Parallel()
	patch := func(f sftest.Fault) sftest.Fault { f.Method = http.MethodPatch; return f }
	tests := []struct {
		name       string
		fault      sftest.Fault
		kind       connector.Kind
		code       string
		retryAfter time.Duration
	}{
		{"request limit exceeded", patch(sftest.RequestLimitExceeded()), connector.KindRateLimited, "REQUEST_LIMIT_EXCEEDED", 0},
		{"429 with Retry-After", patch(sftest.TooManyRequests(7 * time.Second)), connector.KindRateLimited, "REQUEST_LIMIT_EXCEEDED", 7 * time.Second},
		{"503", patch(sftest.ServerError(503)), connector.KindUnavailable, "SERVER_UNAVAILABLE", 0},
		{"deleted meanwhile", patch(sftest.Fault{Status: 404, ErrorCode: "ENTITY_IS_DELETED", Message: "entity is deleted"}),
			connector.KindNotFound, "ENTITY_IS_DELETED", 0},
		{"no edit permission", patch(sftest.Fault{Status: 403, ErrorCode: "INSUFFICIENT_ACCESS_OR_READONLY",
			Message: "insufficient access rights on object id"}), connector.KindDenied, "INSUFFICIENT_ACCESS_OR_READONLY", 0},
		{"state picklist refuses the value", patch(sftest.Fault{Status: 400, ErrorCode: "FIELD_INTEGRITY_EXCEPTION",
			Message: "There's a problem with this state, even though it may appear correct."}), connector.KindInvalidInput, "FIELD_INTEGRITY_EXCEPTION", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := sftest.New(t)
			c := newClient(t, srv)
			srv.Fail(tc.fault)
			_, err := c.UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Phone: "+44 7700 900002"})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != tc.kind || ce.Code != tc.code || ce.RetryAfter != tc.retryAfter || ce.Tool != "salesforce" {
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

	t.Run("contact deleted after the lookup", func(t *testing.T) {
		t.Parallel()
		srv := sftest.New(t)
		c := newClient(t, srv)
		srv.OnPatch(srv.Delete) // a user deletes the contact as the PATCH arrives
		_, err := c.UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Phone: "+44 7700 900003"})
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != connector.KindNotFound || ce.Code != "NOT_FOUND" || ce.StatusCode != 404 {
			t.Errorf("err = %#v (%v), want not found (404 NOT_FOUND)", ce, err)
		}
	})

	t.Run("contact gone before the lookup: nothing is sent", func(t *testing.T) {
		t.Parallel()
		srv := sftest.New(t)
		c := newClient(t, srv)
		ada, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		srv.Delete(ada.ID)
		_, err = c.UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Phone: "+44 7700 900003"})
		if !errors.Is(err, connector.ErrNotFound) {
			t.Errorf("err = %v, want not found", err)
		}
		if n := len(srv.Patches()); n != 0 {
			t.Errorf("%d PATCHes for a contact that is gone, want 0", n)
		}
	})

	t.Run("expired session is refreshed and the PATCH replayed", func(t *testing.T) {
		t.Parallel()
		srv := sftest.New(t)
		c := newClient(t, srv)
		f := sftest.InvalidSession()
		f.Method = http.MethodPatch
		srv.Fail(f)
		got, err := c.UpdateCustomer(ctx(t), "ada@example.com", connector.ContactChange{Phone: "+44 7700 900004"})
		if err != nil || got.Phone != "+44 7700 900004" {
			t.Fatalf("UpdateCustomer = %+v, %v", got, err)
		}
		if n := srv.TokenRequests(); n != 2 {
			t.Errorf("%d token requests, want 2", n)
		}
		if n := len(srv.Patches()); n != 1 {
			t.Errorf("%d PATCHes applied, want 1 (the refused one never reached the record)", n)
		}
	})
}

// TestStandInPatch holds the stand-in's PATCH to the sObject Rows resource as
// Salesforce documents it: 204 with no body, and the [{"message","errorCode","fields"}]
// errors.
func TestStandInPatch(t *testing.T) {
	t.Parallel()
	srv := sftest.New(t)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {srv.Secret()["client_id"]},
		"client_secret": {srv.Secret()["client_secret"]}}
	resp, err := http.PostForm(srv.TokenURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	c := newClient(t, srv)
	ada, err := c.FindCustomerByEmail(ctx(t), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, id, ctype, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL()+"/services/data/v61.0/sobjects/Contact/"+id, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const js = "application/json"
	tests := []struct {
		name, method, id, ctype, body string
		status                        int
		code                          string
		fields                        []string
	}{
		{"update", "PATCH", ada.ID, js, `{"MailingCity":"Paris","Phone":null}`, 204, "", nil},
		{"15-character id", "PATCH", ada.ID[:15], js, `{"MailingCity":"Lyon"}`, 204, "", nil},
		{"unknown id", "PATCH", "003000000000999AAA", js, `{"Phone":"1"}`, 404, "NOT_FOUND", nil},
		{"malformed id", "PATCH", "not-an-id", js, `{"Phone":"1"}`, 404, "NOT_FOUND", nil},
		{"not an object", "PATCH", ada.ID, js, `["Phone"]`, 400, "JSON_PARSER_ERROR", nil},
		{"number for a string", "PATCH", ada.ID, js, `{"Phone":5}`, 400, "JSON_PARSER_ERROR", nil},
		{"unknown field", "PATCH", ada.ID, js, `{"Fax__c":"1"}`, 400, "INVALID_FIELD", nil},
		{"read-only field", "PATCH", ada.ID, js, `{"CreatedDate":"2020-01-01T00:00:00.000+0000"}`, 400, "INVALID_FIELD_FOR_INSERT_UPDATE", []string{"CreatedDate"}},
		{"too long", "PATCH", ada.ID, js, `{"MailingPostalCode":"123456789012345678901"}`, 400, "STRING_TOO_LONG", []string{"MailingPostalCode"}},
		{"last name cleared", "PATCH", ada.ID, js, `{"LastName":null}`, 400, "REQUIRED_FIELD_MISSING", []string{"LastName"}},
		{"form body", "PATCH", ada.ID, "application/x-www-form-urlencoded", `Phone=1`, 415, "UNSUPPORTED_MEDIA_TYPE", nil},
		{"POST on a row", "POST", ada.ID, js, `{}`, 405, "METHOD_NOT_ALLOWED", nil},
	}
	for _, tc := range tests {
		status, body := do(tc.method, tc.id, tc.ctype, tc.body)
		if status != tc.status {
			t.Errorf("%s: status %d (%s), want %d", tc.name, status, body, tc.status)
			continue
		}
		if tc.status == 204 {
			if body != "" {
				t.Errorf("%s: 204 with body %q", tc.name, body)
			}
			continue
		}
		var errs []struct {
			Message   string   `json:"message"`
			ErrorCode string   `json:"errorCode"`
			Fields    []string `json:"fields"`
		}
		if err := json.Unmarshal([]byte(body), &errs); err != nil || len(errs) != 1 || errs[0].ErrorCode != tc.code ||
			errs[0].Message == "" || (tc.fields != nil && !reflect.DeepEqual(errs[0].Fields, tc.fields)) {
			t.Errorf("%s: body %s, want [{message, errorCode %s, fields %v}]", tc.name, body, tc.code, tc.fields)
		}
	}
	stored, _ := srv.Contact(ada.ID)
	if stored.MailingCity != "Lyon" || stored.Phone != "" || stored.LastName != "Lovelace" {
		t.Errorf("after the PATCHes the contact is %+v; want city Lyon, phone cleared, the refused ones unapplied", stored)
	}
	if !stored.LastModifiedDate.After(connectortest.AdaCustomer().CreatedAt.Add(24 * time.Hour)) {
		t.Errorf("LastModifiedDate = %s, want it moved by the update", stored.LastModifiedDate)
	}
}
