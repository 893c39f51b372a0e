package hubspot

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkCustomer compares field by field so a failure names the field.
func checkCustomer(t *testing.T, got, want connector.Customer) {
	t.Helper()
	for _, f := range []struct{ name, got, want string }{
		{"ID", got.ID, want.ID}, {"Email", got.Email, want.Email}, {"FirstName", got.FirstName, want.FirstName},
		{"LastName", got.LastName, want.LastName}, {"Company", got.Company, want.Company}, {"Phone", got.Phone, want.Phone},
		{"Plan", got.Plan, want.Plan}, {"Status", got.Status, want.Status},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	if !got.CreatedAt.Equal(want.CreatedAt) || (!got.CreatedAt.IsZero() && got.CreatedAt.Location() != time.UTC) {
		t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, want.CreatedAt)
	}
}

var defProps = props{Plan: DefaultPlanProperty, Status: DefaultStatusProperty}

func TestNormalizeDocumentedShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		props    props
		after    string
		total    int
		want     []connector.Customer
		modified time.Time
	}{
		{"search_ada.json", defProps, "", 1, []connector.Customer{{
			ID: "512", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines Ltd",
			Phone: "+44 20 7946 0018", Plan: "Enterprise", Status: "active", CreatedAt: time.Date(2023, 3, 14, 9, 30, 0, 0, time.UTC),
		}}, time.Date(2024, 11, 2, 16, 5, 41, 118e6, time.UTC)},
		{"search_paged.json", defProps, "1", 2, []connector.Customer{{
			ID: "18451", Email: "grace.hopper@example.com", FirstName: "Grace", LastName: "Hopper", Company: "Cobol Systems Inc",
			Phone: "+1 202 555 0143", Plan: "Pro", Status: "trial", CreatedAt: time.Date(2024, 1, 2, 12, 0, 0, 0, time.UTC),
		}}, time.Date(2024, 1, 2, 12, 0, 0, 0, time.UTC)},
		{"search_nulls.json", defProps, "", 1, []connector.Customer{{
			ID: "901", Email: "katherine.johnson@example.com", FirstName: "Katherine", LastName: "Johnson",
			Phone: "+1 757 555 0101", CreatedAt: time.Date(2024, 1, 4, 12, 0, 0, 0, time.UTC),
		}}, time.Date(2024, 1, 4, 12, 0, 0, 0, time.UTC)},
		{"search_ada.json", props{}, "", 1, []connector.Customer{{
			ID: "512", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines Ltd",
			Phone: "+44 20 7946 0018", CreatedAt: time.Date(2023, 3, 14, 9, 30, 0, 0, time.UTC),
		}}, time.Date(2024, 11, 2, 16, 5, 41, 118e6, time.UTC)},
		{"search_empty.json", defProps, "", 0, nil, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			p, err := parsePage("test", readFixture(t, tc.file))
			if err != nil {
				t.Fatalf("parsePage: %v", err)
			}
			if p.After != tc.after || p.Total != tc.total {
				t.Errorf("after, total = %q, %d; want %q, %d", p.After, p.Total, tc.after, tc.total)
			}
			if len(p.Results) != len(tc.want) {
				t.Fatalf("%d results, want %d", len(p.Results), len(tc.want))
			}
			for i, raw := range p.Results {
				c, err := normalize("test", "results[0]", raw, tc.props, "fallback@example.com")
				if err != nil {
					t.Fatalf("normalize: %v", err)
				}
				checkCustomer(t, c.Customer, tc.want[i])
				if !c.modified.Equal(tc.modified) {
					t.Errorf("modified = %v, want %v", c.modified, tc.modified)
				}
			}
		})
	}
}

func TestNormalizeTolerance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, rec string
		want      connector.Customer
	}{
		{"no properties", `{"id":"7"}`, connector.Customer{ID: "7", Email: "fallback@example.com"}},
		{"numeric id", `{"id":7,"properties":{"email":"a@b.c"}}`, connector.Customer{ID: "7", Email: "a@b.c"}},
		{"id from hs_object_id", `{"properties":{"hs_object_id":"9","email":"a@b.c"}}`, connector.Customer{ID: "9", Email: "a@b.c"}},
		{"unknown fields", `{"id":"7","properties":{"email":"a@b.c","x":{"y":1}},"associations":{},"propertiesWithHistory":[]}`, connector.Customer{ID: "7", Email: "a@b.c"}},
		{"epoch milliseconds", `{"id":"7","properties":{"email":"a@b.c","createdate":"1678786200000"}}`, connector.Customer{ID: "7", Email: "a@b.c", CreatedAt: time.Date(2023, 3, 14, 9, 30, 0, 0, time.UTC)}},
		{"createdAt fallback", `{"id":"7","properties":{"email":"a@b.c"},"createdAt":"2023-03-14T09:30:00Z"}`, connector.Customer{ID: "7", Email: "a@b.c", CreatedAt: time.Date(2023, 3, 14, 9, 30, 0, 0, time.UTC)}},
		{"status lower-cased", `{"id":"7","properties":{"email":"a@b.c","customer_status":" Churned "}}`, connector.Customer{ID: "7", Email: "a@b.c", Status: "churned"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := normalize("test", "results[0]", []byte(tc.rec), defProps, "fallback@example.com")
			if err != nil {
				t.Fatalf("normalize: %v", err)
			}
			checkCustomer(t, c.Customer, tc.want)
		})
	}
}

func TestNormalizeWrongTypes(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, rec, field string }{
		{"number email", `{"id":"7","properties":{"email":42}}`, "results[3].properties.email"},
		{"array first name", `{"id":"7","properties":{"firstname":["Ada"]}}`, "results[3].properties.firstname"},
		{"boolean plan", `{"id":"7","properties":{"plan":true}}`, "results[3].properties.plan"},
		{"properties array", `{"id":"7","properties":[]}`, "results[3].properties"},
		{"id object", `{"id":{},"properties":{}}`, "results[3].id"},
		{"missing id", `{"properties":{"email":"a@b.c"}}`, "results[3].id"},
		{"bad createdate", `{"id":"7","properties":{"createdate":"last week"}}`, "results[3].properties.createdate"},
		{"bad createdAt", `{"id":"7","createdAt":"soon"}`, "results[3].createdAt"},
		{"createdAt number", `{"id":"7","createdAt":5}`, "results[3].createdAt"},
		{"result not an object", `"512"`, "results[3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := normalize("test", "results[3]", []byte(tc.rec), defProps, "")
			checkInvalid(t, err, tc.field)
		})
	}
	t.Run("documented wrong-type fixture", func(t *testing.T) {
		p, err := parsePage("test", readFixture(t, "search_wrongtype.json"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = normalize("test", "results[0]", p.Results[0], defProps, "")
		checkInvalid(t, err, "results[0].properties.firstname")
	})
}

func TestParsePageWrongTypes(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, field string }{
		{"not JSON", `<html>502</html>`, "body"},
		{"array", `[]`, "body"},
		{"total string", `{"total":"1","results":[]}`, "total"},
		{"results object", `{"results":{}}`, "results"},
		{"paging string", `{"results":[],"paging":"next"}`, "paging"},
		{"next array", `{"results":[],"paging":{"next":[]}}`, "paging.next"},
		{"after object", `{"results":[],"paging":{"next":{"after":{}}}}`, "paging.next.after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parsePage("test", []byte(tc.body))
			checkInvalid(t, err, tc.field)
		})
	}
	p, err := parsePage("test", []byte(`{"results":[],"paging":{"next":{"after":20}}}`))
	if err != nil || p.After != "20" {
		t.Errorf("numeric after: %+v, %v; want \"20\"", p, err)
	}
}

func checkInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.KindInvalidResponse {
		t.Fatalf("err = %v, want an invalid response", err)
	}
	if ce.Field != field {
		t.Errorf("Field = %q, want %q (err %v)", ce.Field, field, err)
	}
}

func TestStatusErrors(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name       string
		status     int
		hdr        http.Header
		body       string
		kind       connector.Kind
		code       string
		retryAfter time.Duration
	}{
		{"secondly with headers", 429, hdr("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"), string(readFixture(t, "error_ratelimit.json")),
			connector.KindRateLimited, "SECONDLY", 10 * time.Second},
		{"secondly with Retry-After", 429, hdr("Retry-After", "3", "X-HubSpot-RateLimit-Interval-Milliseconds", "10000"), string(readFixture(t, "error_ratelimit.json")),
			connector.KindRateLimited, "SECONDLY", 3 * time.Second},
		{"secondly bare", 429, hdr(), string(readFixture(t, "error_ratelimit.json")), connector.KindRateLimited, "SECONDLY", time.Second},
		{"daily", 429, hdr("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"),
			`{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"x","policyName":"DAILY"}`,
			connector.KindRateLimited, "DAILY", 6 * time.Hour},
		{"429 unreadable", 429, hdr("Retry-After", "2"), `Too Many Requests`, connector.KindRateLimited, "", 2 * time.Second},
		{"401", 401, hdr(), `{"status":"error","message":"Authentication credentials not found.","correlationId":"x","category":"INVALID_AUTHENTICATION"}`,
			connector.KindUnauthorized, "INVALID_AUTHENTICATION", 0},
		{"403 missing scopes", 403, hdr(), `{"status":"error","message":"This app hasn't been granted all required scopes","correlationId":"x","category":"MISSING_SCOPES"}`,
			connector.KindDenied, "MISSING_SCOPES", 0},
		{"400", 400, hdr(), `{"status":"error","message":"Invalid input JSON","correlationId":"x","category":"VALIDATION_ERROR"}`,
			connector.KindInvalidInput, "VALIDATION_ERROR", 0},
		{"502 html", 502, hdr(), `<html>bad gateway</html>`, connector.KindUnavailable, "", 0},
		{"503 with Retry-After", 503, hdr("Retry-After", "30"), `{"status":"error","message":"unavailable","correlationId":"x","category":"SERVICE_UNAVAILABLE"}`,
			connector.KindUnavailable, "SERVICE_UNAVAILABLE", 30 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := statusError("test", tc.status, tc.hdr, []byte(tc.body), now)
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != tc.kind || ce.Code != tc.code || ce.RetryAfter != tc.retryAfter || ce.StatusCode != tc.status {
				t.Errorf("statusError = %#v; want kind %s code %q retry after %s", err, tc.kind, tc.code, tc.retryAfter)
			}
		})
	}
}

func TestChooseAmongDuplicates(t *testing.T) {
	t.Parallel()
	at := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	mk := func(id string, mod time.Time) contact {
		return contact{Customer: connector.Customer{ID: id}, modified: mod}
	}
	if got := choose([]contact{mk("1", at(1)), mk("2", at(5)), mk("3", at(3))}).ID; got != "2" {
		t.Errorf("choose = %s, want the newest (2)", got)
	}
	if got := choose([]contact{mk("100", at(1)), mk("99", at(1))}).ID; got != "99" {
		t.Errorf("choose = %s, want the numerically lowest id on a tie (99)", got)
	}
}

// FuzzParseSearchResponse feeds arbitrary bodies to the page parser and the
// normalizer: they must never panic, and every failure must be an invalid response
// naming a field.
func FuzzParseSearchResponse(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzParseSearchResponse holds the fixtures in testdata,
	// compacted (minimising what the fuzzer finds is quadratic in its length).
	f.Add([]byte(`{"results":[{"id":1e400}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parsePage("fuzz", body)
		if err != nil {
			mustBeInvalid(t, err)
			return
		}
		for _, raw := range p.Results {
			c, err := normalize("fuzz", "results[0]", raw, defProps, "x@example.com")
			if err != nil {
				mustBeInvalid(t, err)
				continue
			}
			if c.ID == "" || (!c.CreatedAt.IsZero() && c.CreatedAt.Location() != time.UTC) {
				t.Fatalf("normalized %+v: want an ID and a UTC time", c)
			}
		}
	})
}

func mustBeInvalid(t *testing.T, err error) {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.KindInvalidResponse || ce.Field == "" {
		t.Fatalf("err = %v, want an invalid response naming a field", err)
	}
}
