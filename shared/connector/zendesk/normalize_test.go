package zendesk

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func checkTicket(t *testing.T, got, want connector.Ticket) {
	t.Helper()
	fields := []struct {
		name      string
		got, want any
	}{
		{"ID", got.ID, want.ID},
		{"Subject", got.Subject, want.Subject},
		{"Description", got.Description, want.Description},
		{"Status", got.Status, want.Status},
		{"Priority", got.Priority, want.Priority},
		{"RequesterEmail", got.RequesterEmail, want.RequesterEmail},
		{"ExternalID", got.ExternalID, want.ExternalID},
		{"URL", got.URL, want.URL},
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
	}
	for _, f := range fields {
		if f.got != f.want {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
}

const reqURL = "https://example.zendesk.com/hc/requests/"

func TestNormalizeTicketDocumentedShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		email string
		want  connector.Ticket
	}{
		{"ticket_show.json", "Printer.Owner@Company.com", connector.Ticket{
			ID: "35436", Subject: "Help, my printer is on fire!", Description: "The fire is very colorful.",
			Status: connector.TicketOpen, Priority: connector.PriorityHigh, RequesterEmail: "printer.owner@company.com",
			ExternalID: "ahg35h3jh", URL: reqURL + "35436", CreatedAt: time.Date(2009, 7, 20, 22, 55, 29, 0, time.UTC),
		}},
		{"ticket_created.json", "ada@example.com", connector.Ticket{
			ID: "1047", Subject: "Export of engine diagrams times out",
			Description: "Exporting the full set of engine diagrams as PDF stops after a minute.",
			Status:      connector.TicketNew, Priority: connector.PriorityNormal, RequesterEmail: "ada@example.com",
			ExternalID: "turn-7f3a", URL: reqURL + "1047", CreatedAt: time.Date(2025, 6, 20, 14, 3, 11, 0, time.UTC),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			var env TicketEnvelope
			if err := decode("test", readFixture(t, tc.file), &env); err != nil {
				t.Fatal(err)
			}
			got, err := normalizeTicket("test", env.Ticket, tc.email, reqURL)
			if err != nil {
				t.Fatal(err)
			}
			checkTicket(t, got, tc.want)
		})
	}
}

func TestNormalizeTicketPage(t *testing.T) {
	t.Parallel()
	var p TicketPage
	if err := decode("test", readFixture(t, "tickets_requested_cursor.json"), &p); err != nil {
		t.Fatal(err)
	}
	if p.Tickets == nil || len(*p.Tickets) != 3 {
		t.Fatalf("tickets = %v", p.Tickets)
	}
	if !strings.Contains(p.Next(), "page%5Bafter%5D=") {
		t.Errorf("Next() = %q, want the links.next cursor link", p.Next())
	}
	want := []struct {
		id     string
		status connector.TicketStatus
		prio   connector.Priority
		ext    string
	}{
		{"1002", connector.TicketSolved, connector.PriorityLow, ""},
		{"1010", connector.TicketOpen, connector.PriorityHigh, "turn-1"},
		{"1011", connector.TicketHold, connector.PriorityNormal, ""},
	}
	for i, w := range want {
		got, err := normalizeTicket("test", &(*p.Tickets)[i], "ada@example.com", reqURL)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != w.id || got.Status != w.status || got.Priority != w.prio || got.ExternalID != w.ext {
			t.Errorf("ticket %d = %+v, want id %s status %s priority %s external id %q", i, got, w.id, w.status, w.prio, w.ext)
		}
	}
	last := Paging{Meta: &CursorMeta{HasMore: false}, Links: &CursorLinks{Next: "https://x/next"}}
	if last.Next() != "" {
		t.Errorf("Next() with has_more false = %q, want none", last.Next())
	}
	if (Paging{NextPage: "https://x/?page=2"}).Next() != "https://x/?page=2" {
		t.Errorf("offset next_page not followed")
	}
}

func TestNormalizeArticles(t *testing.T) {
	t.Parallel()
	var p ArticlePage
	if err := decode("test", readFixture(t, "articles_search.json"), &p); err != nil {
		t.Fatal(err)
	}
	want := []connector.Article{
		{ID: "360012345678", Title: "How to reset your password",
			Snippet: "...open the sign-in page and choose Forgot password. We send you a reset link that is valid for 60 minutes & works once...",
			URL:     "https://example.zendesk.com/hc/en-us/articles/360012345678-How-to-reset-your-password"},
		// The documented minimal example: no html_url, no snippet.
		{ID: "35467", Title: "Printing orders", Snippet: "Printing Choose File Print. Done.",
			URL: "https://example.zendesk.com/hc/en/articles/35467"},
	}
	for i, w := range want {
		got, ok, err := normalizeArticle("test", (*p.Results)[i], "https://example.zendesk.com", MaxSnippet)
		if err != nil || !ok {
			t.Fatalf("article %d: ok %v err %v", i, ok, err)
		}
		for _, f := range []struct{ name, got, want string }{
			{"ID", got.ID, w.ID}, {"Title", got.Title, w.Title}, {"Snippet", got.Snippet, w.Snippet}, {"URL", got.URL, w.URL},
		} {
			if f.got != f.want {
				t.Errorf("article %d %s = %q, want %q", i, f.name, f.got, f.want)
			}
		}
	}
	if _, ok, err := normalizeArticle("test", Article{ID: 1, Title: "Post", ResultType: "post"}, "https://x", MaxSnippet); ok || err != nil {
		t.Errorf("a community post: ok %v err %v, want skipped", ok, err)
	}
}

func TestNormalizeRejects(t *testing.T) {
	t.Parallel()
	ticketTests := []struct {
		name  string
		w     *Ticket
		field string
	}{
		{"nil", nil, "ticket"},
		{"no id", &Ticket{Status: "open"}, "ticket.id"},
		{"unknown status", &Ticket{ID: 1, Status: "exploded"}, "ticket.status"},
		{"unknown priority", &Ticket{ID: 1, Status: "open", Priority: "meh"}, "ticket.priority"},
		{"bad time", &Ticket{ID: 1, Status: "open", CreatedAt: "yesterday"}, "ticket.created_at"},
	}
	for _, tc := range ticketTests {
		_, err := normalizeTicket("test", tc.w, "a@example.com", reqURL)
		checkInvalid(t, tc.name, err, tc.field)
	}
	articleTests := []struct {
		name  string
		w     Article
		field string
	}{
		{"no id", Article{Title: "x", HTMLURL: "https://x/a"}, "results.id"},
		{"no title", Article{ID: 1, Title: "  ", HTMLURL: "https://x/a"}, "results.title"},
		{"relative url", Article{ID: 1, Title: "x", HTMLURL: "/hc/articles/1"}, "results.html_url"},
		{"javascript url", Article{ID: 1, Title: "x", HTMLURL: "javascript:alert(1)"}, "results.html_url"},
	}
	for _, tc := range articleTests {
		_, _, err := normalizeArticle("test", tc.w, "https://x", MaxSnippet)
		checkInvalid(t, tc.name, err, tc.field)
	}
	decodeTests := []struct {
		name, body, field string
		out               any
	}{
		{"string id", `{"ticket":{"id":"35436"}}`, "ticket.id", &TicketEnvelope{}},
		{"tickets not a list", `{"tickets":{"id":1}}`, "tickets", &TicketPage{}},
		{"has_more not bool", `{"tickets":[],"meta":{"has_more":"yes"}}`, "meta.has_more", &TicketPage{}},
		{"title number", `{"results":[{"id":1,"title":7}]}`, "results.title", &ArticlePage{}},
		{"html", `<html>502 Bad Gateway</html>`, "body", &TicketPage{}},
		{"cut off", `{"tickets":[{"id":1`, "body", &TicketPage{}},
	}
	for _, tc := range decodeTests {
		checkInvalid(t, tc.name, decode("test", []byte(tc.body), tc.out), tc.field)
	}
}

func checkInvalid(t *testing.T, name string, err error, field string) {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.KindInvalidResponse || ce.Field != field {
		t.Errorf("%s: err = %v, want invalid response naming %q", name, err, field)
	}
}

func TestParseError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, code, field string
	}{
		{"record invalid", string(readFixture(t, "error_422.json")), "RecordInvalid", "priority"},
		{"not found", `{"error":"RecordNotFound","description":"Not found"}`, "RecordNotFound", ""},
		{"auth", `{"error":"Couldn't authenticate you"}`, "Couldn't authenticate you", ""},
		{"object error", `{"error":{"title":"Forbidden","message":"You do not have access to this page."}}`, "Forbidden", ""},
		{"oauth", `{"error":"invalid_token","error_description":"The access token provided is expired"}`, "invalid_token", ""},
		{"html", `<html>502</html>`, "", ""},
		{"single detail object", `{"error":"RecordInvalid","details":{"base":{"error":"X","description":"y"}}}`, "RecordInvalid", "base"},
	}
	for _, tc := range tests {
		e := parseError([]byte(tc.body))
		if e.Code != tc.code || e.Field() != tc.field {
			t.Errorf("%s: code %q field %q, want %q %q", tc.name, e.Code, e.Field(), tc.code, tc.field)
		}
		if msg := e.cause().Error(); strings.Contains(msg, "Email is invalid") || strings.Contains(msg, "expired") {
			t.Errorf("%s: cause %q carries Zendesk's description", tc.name, msg)
		}
	}
}

func TestStatusError(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		status int
		header string
		kind   connector.Kind
		retry  time.Duration
	}{
		{401, "", connector.KindUnauthorized, 0},
		{403, "", connector.KindDenied, 0},
		{404, "", connector.KindNotFound, 0},
		{409, "", connector.KindConflict, 0},
		{400, "", connector.KindInvalidInput, 0},
		{422, "", connector.KindInvalidInput, 0},
		{429, "17", connector.KindRateLimited, 17 * time.Second},
		{429, now.Add(time.Minute).Format(http.TimeFormat), connector.KindRateLimited, time.Minute},
		{500, "", connector.KindUnavailable, 0},
		{503, "30", connector.KindUnavailable, 30 * time.Second},
	}
	for _, tc := range tests {
		resp := &http.Response{StatusCode: tc.status, Header: http.Header{}}
		if tc.header != "" {
			resp.Header.Set("Retry-After", tc.header)
		}
		err := statusError("op", resp, []byte(`{"error":"X"}`), now)
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != tc.kind || ce.RetryAfter != tc.retry || ce.StatusCode != tc.status || ce.Tool != tool {
			t.Errorf("HTTP %d: err = %#v, want kind %s retry %s", tc.status, err, tc.kind, tc.retry)
		}
	}
}

func TestPlainSnippet(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"...choose <em>Forgot</em> <em>password</em>...", "...choose Forgot password..."},
		{"re<em>set</em>ting", "resetting"},
		{"<p>One</p><p>Two</p>", "One Two"},
		{"a &lt;script&gt;alert(1)&lt;/script&gt; b", "a scriptalert(1)/script b"},
		{"Tom &amp; Jerry &#39;quoted&#39;", "Tom & Jerry 'quoted'"},
		{"line\none\r\n\ttwo", "line one two"},
		{"a < b and c > d", "a b and c d"},
		{"<!-- hidden -->shown", "shown"},
		{"unclosed <em", "unclosed"},
		{"", ""},
		{strings.Repeat("word ", 60), strings.TrimSpace(strings.Repeat("word ", 32)) + "…"},
	}
	for _, tc := range tests {
		if got := PlainSnippet(tc.in, MaxSnippet); got != tc.want {
			t.Errorf("PlainSnippet(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRequesterEmail(t *testing.T) {
	t.Parallel()
	ok := map[string]string{"ada@example.com": "ada@example.com", " Ada@Example.COM ": "ada@example.com", "a.b+c@x.io": "a.b+c@x.io",
		// Every address the slot validator accepts, escaped rather than refused.
		"o'brien@example.com": "o'brien@example.com", "ada@example.com*": "ada@example.com*", "*@example.com": "*@example.com",
		"a{b}|c~d@x.io": "a{b}|c~d@x.io"}
	for in, want := range ok {
		if got, err := requesterEmail("op", in); err != nil || got != want {
			t.Errorf("requesterEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ada", "ada@example.com OR role:admin", `ada@example.com" OR "x`,
		"Ada <ada@example.com>", "a@b@c", "ada@example.com\nrole:admin", `a\"@x.com`, "ada@example.com,bob@example.com"} {
		_, err := requesterEmail("op", in)
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Kind != connector.KindInvalidInput || ce.Field != "requester_email" {
			t.Errorf("requesterEmail(%q) err = %v, want invalid input", in, err)
		}
	}
}

func TestSearchText(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"how do I reset my password": "how do I reset my password",
		"  reset\n\tpassword ":       "reset password",
		"((()))":                     "",
		"*":                          "",
		"\x00\x01\x02":               "",
		"%_\\":                       "",
		`" OR 1=1 --`:                `" OR 1=1 --`,
		strings.Repeat("a", 300):     strings.Repeat("a", maxQueryRunes),
	}
	for in, want := range tests {
		if got := searchText(in); got != want {
			t.Errorf("searchText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Fuzz targets: the parsers never panic, and what they return keeps its promises.
// Their seeds are testdata/fuzz/<target>: the fixtures in testdata, compacted
// (minimising what the fuzzer finds is quadratic in its length), and the literals
// below.

func FuzzDecodeTicketPage(f *testing.F) {
	f.Add([]byte(`{"tickets":[{"id":1,"status":"open","created_at":"2025-01-01T00:00:00Z"}],"next_page":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var p TicketPage
		if err := decode("fuzz", raw, &p); err != nil {
			if connector.KindOf(err) != connector.KindInvalidResponse {
				t.Fatalf("decode error of kind %s", connector.KindOf(err))
			}
			return
		}
		_ = p.Next()
		if p.Tickets == nil {
			return
		}
		for i := range *p.Tickets {
			tk, err := normalizeTicket("fuzz", &(*p.Tickets)[i], "a@example.com", reqURL)
			if err != nil {
				if connector.KindOf(err) != connector.KindInvalidResponse {
					t.Fatalf("normalize error of kind %s", connector.KindOf(err))
				}
				continue
			}
			if tk.ID == "" || tk.Status == "" || tk.Priority == "" {
				t.Fatalf("normalized ticket without id, status or priority: %+v", tk)
			}
		}
	})
}

func FuzzDecodeArticlePage(f *testing.F) {
	f.Add([]byte(`{"results":[{"id":1,"title":"t","snippet":"<em>x</em>","html_url":"https://x/a"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var p ArticlePage
		if err := decode("fuzz", raw, &p); err != nil || p.Results == nil {
			return
		}
		for _, w := range *p.Results {
			a, ok, err := normalizeArticle("fuzz", w, "https://example.zendesk.com", MaxSnippet)
			if err != nil || !ok {
				continue
			}
			if strings.ContainsAny(a.Snippet, "<>\r\n") || utf8.RuneCountInString(a.Snippet) > MaxSnippet {
				t.Fatalf("snippet %q is not one plain line of at most %d runes", a.Snippet, MaxSnippet)
			}
			if a.ID == "" || a.Title == "" || !strings.HasPrefix(a.URL, "http") {
				t.Fatalf("article %+v lacks id, title or an http(s) URL", a)
			}
		}
	})
}

func FuzzParseError(f *testing.F) {
	f.Add([]byte(`{"error":{"title":"Forbidden","message":"no"}}`))
	f.Add([]byte(`{"error":"invalid_token","error_description":"expired"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		e := parseError(raw)
		_ = e.Field()
		if e.cause() == nil || len(e.Code) > 100 {
			t.Fatalf("parseError(%q) = %+v", raw, e)
		}
	})
}

func FuzzPlainSnippet(f *testing.F) {
	for _, s := range []string{"...<em>reset</em> your <em>password</em>...", "<p>a &amp; b</p>", "a < b", "<!--", "&#x3c;em&#x3e;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := PlainSnippet(s, MaxSnippet)
		if strings.ContainsAny(got, "<>\r\n\t") || utf8.RuneCountInString(got) > MaxSnippet || got != strings.TrimSpace(got) {
			t.Fatalf("PlainSnippet(%q) = %q", s, got)
		}
	})
}
