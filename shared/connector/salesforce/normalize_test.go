package salesforce

import (
	"errors"
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
	if !got.CreatedAt.Equal(want.CreatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, want.CreatedAt)
	}
}

func TestNormalizeDocumentedShapes(t *testing.T) {
	t.Parallel()
	def := fieldMap{Plan: DefaultPlanField, Status: DefaultStatusField}
	tests := []struct {
		file     string
		fields   fieldMap
		done     bool
		next     string
		want     []connector.Customer
		modified time.Time
	}{
		{"query_ada.json", def, true, "", []connector.Customer{{
			ID: "003D000000QV9n2IAD", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
			Company: "Analytical Engines Ltd", Phone: "+44 20 7946 0018", Plan: "Enterprise", Status: "active",
			CreatedAt: time.Date(2023, 3, 14, 9, 30, 0, 0, time.UTC),
		}}, time.Date(2024, 11, 2, 16, 5, 41, 0, time.UTC)},
		{"query_no_account.json", def, true, "", []connector.Customer{{
			ID: "003D000000QV9n3IAD", Email: "katherine.johnson@example.com", FirstName: "Katherine", LastName: "Johnson",
			Phone: "+1 757 555 0101", CreatedAt: time.Date(2024, 1, 4, 12, 0, 0, 0, time.UTC),
		}}, time.Date(2024, 1, 4, 12, 0, 0, 0, time.UTC)},
		{"query_first_page.json", def, false, "/services/data/v61.0/query/01gRO0000016PIAYA2-2000", []connector.Customer{{
			ID: "003RO000001abcdYAA", Email: "Grace.Hopper@Example.com", FirstName: "Grace", LastName: "Hopper",
			Company: "Cobol Systems Inc", Phone: "+1 202 555 0143", Plan: "Pro", Status: "trial",
			CreatedAt: time.Date(2024, 1, 2, 12, 0, 0, 0, time.UTC),
		}}, time.Time{}},
		{"query_ada.json", fieldMap{}, true, "", []connector.Customer{{
			ID: "003D000000QV9n2IAD", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
			Company: "Analytical Engines Ltd", Phone: "+44 20 7946 0018",
			CreatedAt: time.Date(2023, 3, 14, 9, 30, 0, 0, time.UTC),
		}}, time.Date(2024, 11, 2, 16, 5, 41, 0, time.UTC)},
		{"query_empty.json", def, true, "", nil, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			p, err := parsePage("test", readFixture(t, tc.file))
			if err != nil {
				t.Fatalf("parsePage: %v", err)
			}
			if p.Done != tc.done || p.NextRecordsURL != tc.next {
				t.Errorf("done, next = %v, %q; want %v, %q", p.Done, p.NextRecordsURL, tc.done, tc.next)
			}
			if len(p.Records) != len(tc.want) {
				t.Fatalf("%d records, want %d", len(p.Records), len(tc.want))
			}
			for i, raw := range p.Records {
				c, err := normalize("test", "records[0]", raw, tc.fields, "fallback@example.com")
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
	def := fieldMap{Plan: DefaultPlanField, Status: DefaultStatusField}
	tests := []struct {
		name string
		rec  string
		want connector.Customer
	}{
		{"missing optional fields", `{"Id":"003A"}`, connector.Customer{ID: "003A", Email: "fallback@example.com"}},
		{"null email falls back", `{"Id":"003A","Email":null,"LastName":"Solo"}`, connector.Customer{ID: "003A", Email: "fallback@example.com", LastName: "Solo"}},
		{"lower-case keys", `{"id":"003A","email":"a@b.c","account":{"name":"Co","plan__c":"Pro"}}`, connector.Customer{ID: "003A", Email: "a@b.c", Company: "Co", Plan: "Pro"}},
		{"unknown fields ignored", `{"Id":"003A","Email":"a@b.c","Foo":[1,2],"Account":{"Bar":{"x":1}}}`, connector.Customer{ID: "003A", Email: "a@b.c"}},
		{"phone wins over mobile", `{"Id":"003A","Email":"a@b.c","Phone":"1","MobilePhone":"2"}`, connector.Customer{ID: "003A", Email: "a@b.c", Phone: "1"}},
		{"whitespace trimmed", `{"Id":" 003A ","Email":" a@b.c ","Account":{"Status__c":"  Churned "}}`, connector.Customer{ID: "003A", Email: "a@b.c", Status: "churned"}},
		{"RFC 3339 date", `{"Id":"003A","Email":"a@b.c","CreatedDate":"2023-03-14T10:30:00+01:00"}`, connector.Customer{ID: "003A", Email: "a@b.c", CreatedAt: time.Date(2023, 3, 14, 9, 30, 0, 0, time.UTC)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := normalize("test", "records[0]", []byte(tc.rec), def, "fallback@example.com")
			if err != nil {
				t.Fatalf("normalize: %v", err)
			}
			checkCustomer(t, c.Customer, tc.want)
		})
	}
}

func TestNormalizeWrongTypes(t *testing.T) {
	t.Parallel()
	def := fieldMap{Plan: DefaultPlanField, Status: DefaultStatusField}
	tests := []struct {
		name, rec, field string
	}{
		{"number email", `{"Id":"003A","Email":42}`, "records[7].Email"},
		{"object first name", `{"Id":"003A","FirstName":{}}`, "records[7].FirstName"},
		{"account not an object", `{"Id":"003A","Account":"Acme"}`, "records[7].Account.Name"},
		{"number account name", `{"Id":"003A","Account":{"Name":42}}`, "records[7].Account.Name"},
		{"boolean plan", `{"Id":"003A","Account":{"Plan__c":true}}`, "records[7].Account.Plan__c"},
		{"bad created date", `{"Id":"003A","CreatedDate":"yesterday"}`, "records[7].CreatedDate"},
		{"number created date", `{"Id":"003A","CreatedDate":1678786200}`, "records[7].CreatedDate"},
		{"missing id", `{"Email":"a@b.c"}`, "records[7].Id"},
		{"record not an object", `[1]`, "records[7]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := normalize("test", "records[7]", []byte(tc.rec), def, "")
			checkInvalid(t, err, tc.field)
		})
	}
}

func TestParsePageWrongTypes(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, field string }{
		{"not JSON", `<html>maintenance</html>`, "body"},
		{"array", `[{"errorCode":"X"}]`, "body"},
		{"done as string", `{"done":"yes","records":[]}`, "done"},
		{"records as object", `{"done":true,"records":{}}`, "records"},
		{"totalSize negative", `{"totalSize":-1,"done":true}`, "totalSize"},
		{"nextRecordsUrl number", `{"done":false,"nextRecordsUrl":5}`, "nextRecordsUrl"},
		{"not done without next", `{"done":false,"records":[]}`, "nextRecordsUrl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parsePage("test", []byte(tc.body))
			checkInvalid(t, err, tc.field)
		})
	}
	t.Run("documented wrong-type fixture", func(t *testing.T) {
		p, err := parsePage("test", readFixture(t, "query_wrongtype.json"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = normalize("test", "records[0]", p.Records[0], fieldMap{}, "")
		checkInvalid(t, err, "records[0].Account.Name")
	})
}

func TestParsePageTolerance(t *testing.T) {
	t.Parallel()
	p, err := parsePage("test", []byte(`{"records":null}`))
	if err != nil || !p.Done || len(p.Records) != 0 {
		t.Errorf("parsePage({records:null}) = %+v, %v; want done, no records", p, err)
	}
	p, err = parsePage("test", []byte(`{"nextRecordsUrl":"/services/data/v61.0/query/01g-2","records":[]}`))
	if err != nil || p.Done {
		t.Errorf("without done but with a nextRecordsUrl: %+v, %v; want not done", p, err)
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

func TestChooseAmongDuplicates(t *testing.T) {
	t.Parallel()
	at := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	mk := func(id string, acct bool, mod time.Time) contact {
		return contact{Customer: connector.Customer{ID: id}, hasAccount: acct, modified: mod}
	}
	tests := []struct {
		name string
		in   []contact
		want string
	}{
		{"one", []contact{mk("a", false, at(1))}, "a"},
		{"account wins over newer", []contact{mk("a", false, at(9)), mk("b", true, at(1))}, "b"},
		{"newest with account", []contact{mk("a", true, at(1)), mk("b", true, at(5)), mk("c", false, at(9))}, "b"},
		{"tie by lowest id", []contact{mk("z", true, at(1)), mk("m", true, at(1))}, "m"},
	}
	for _, tc := range tests {
		if got := choose(tc.in).ID; got != tc.want {
			t.Errorf("%s: choose = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// FuzzParseQueryResponse feeds arbitrary bodies to the page parser and the normalizer:
// they must never panic, and every failure must be an invalid response naming a field.
func FuzzParseQueryResponse(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzParseQueryResponse holds the fixtures in testdata,
	// compacted (minimising what the fuzzer finds is quadratic in its length).
	f.Add([]byte(`{"done":false}`))
	f.Add([]byte(`{"records":[{"Id":"1","Account":{"Name":null}}]}`))
	def := fieldMap{Plan: DefaultPlanField, Status: DefaultStatusField}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parsePage("fuzz", body)
		if err != nil {
			mustBeInvalid(t, err)
			return
		}
		if !p.Done && p.NextRecordsURL == "" {
			t.Fatalf("not done without a nextRecordsUrl")
		}
		for _, raw := range p.Records {
			c, err := normalize("fuzz", "records[0]", raw, def, "x@example.com")
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
