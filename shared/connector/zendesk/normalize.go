package zendesk

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// Wire types: Zendesk's JSON as documented, with the fields Switchboard reads. Unknown
// fields are ignored; a field of the wrong JSON type fails decoding with its name.

// Ticket is a Zendesk ticket (Tickets API).
type Ticket struct {
	ID          int64   `json:"id"`
	URL         string  `json:"url"`
	ExternalID  string  `json:"external_id"`
	Subject     string  `json:"subject"`
	Description string  `json:"description"`
	Status      string  `json:"status"`
	Priority    string  `json:"priority"`
	RequesterID int64   `json:"requester_id"`
	Tags        tagList `json:"tags"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

// User is a Zendesk user (Users API).
type User struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// Article is a Help Center article as returned by the article search, with its two
// search-only properties result_type and snippet.
type Article struct {
	ID         int64  `json:"id"`
	URL        string `json:"url"`
	HTMLURL    string `json:"html_url"`
	Title      string `json:"title"`
	Body       string `json:"body"`
	Snippet    string `json:"snippet"`
	Locale     string `json:"locale"`
	ResultType string `json:"result_type"`
	Draft      bool   `json:"draft"`
}

// CursorMeta and CursorLinks are the cursor-pagination members of a list answer.
type CursorMeta struct {
	HasMore      bool   `json:"has_more"`
	AfterCursor  string `json:"after_cursor"`
	BeforeCursor string `json:"before_cursor"`
}

// CursorLinks holds the cursor-pagination links.
type CursorLinks struct {
	Next string `json:"next"`
	Prev string `json:"prev"`
}

// Paging is what a list answer says about the next page: cursor pagination (meta,
// links) where the endpoint supports it, offset pagination (next_page) otherwise.
type Paging struct {
	Meta     *CursorMeta  `json:"meta"`
	Links    *CursorLinks `json:"links"`
	NextPage string       `json:"next_page"`
}

// Next is the link to the next page, "" on the last one.
func (p Paging) Next() string {
	if p.Meta != nil {
		if !p.Meta.HasMore || p.Links == nil {
			return ""
		}
		return p.Links.Next
	}
	return p.NextPage
}

// TicketPage is a page of a ticket list, with sideloaded users when include=users.
type TicketPage struct {
	Tickets *[]Ticket `json:"tickets"`
	Users   []User    `json:"users"`
	Paging
}

// TicketEnvelope is the answer of creating or showing one ticket.
type TicketEnvelope struct {
	Ticket *Ticket `json:"ticket"`
}

// UserPage is a page of users (user search).
type UserPage struct {
	Users *[]User `json:"users"`
	Paging
}

// UserEnvelope is the answer of showing one user (users/me).
type UserEnvelope struct {
	User *User `json:"user"`
}

// ArticlePage is a page of Help Center article search results (offset pagination).
type ArticlePage struct {
	Results   *[]Article `json:"results"`
	Count     int        `json:"count"`
	Page      int        `json:"page"`
	PageCount int        `json:"page_count"`
	PerPage   int        `json:"per_page"`
	NextPage  string     `json:"next_page"`
}

// Error is Zendesk's error body. "error" is usually a code string ("RecordInvalid",
// "RecordNotFound", "Couldn't authenticate you"), on some endpoints an object with a
// title and message; OAuth failures use error_description.
type Error struct {
	Code        string
	Description string
	// Details maps the offending fields to their problems (422 RecordInvalid).
	Details map[string][]ErrorDetail
}

// ErrorDetail is one problem with one field.
type ErrorDetail struct {
	Error       string `json:"error"`
	Description string `json:"description"`
}

// parseError reads an error body leniently: whatever cannot be read is left empty, so
// a proxy's HTML error page still yields a status-based error.
func parseError(raw []byte) Error {
	var w struct {
		Error            json.RawMessage `json:"error"`
		Description      json.RawMessage `json:"description"`
		ErrorDescription string          `json:"error_description"`
		Details          json.RawMessage `json:"details"`
	}
	var e Error
	if json.Unmarshal(raw, &w) != nil {
		return e
	}
	var s string
	var obj struct {
		Title   string `json:"title"`
		Message string `json:"message"`
	}
	switch {
	case json.Unmarshal(w.Error, &s) == nil:
		e.Code = s
	case json.Unmarshal(w.Error, &obj) == nil:
		e.Code, e.Description = obj.Title, obj.Message
	}
	if json.Unmarshal(w.Description, &s) == nil && s != "" {
		e.Description = s
	}
	if e.Description == "" {
		e.Description = w.ErrorDescription
	}
	var details map[string]json.RawMessage
	if json.Unmarshal(w.Details, &details) == nil {
		e.Details = map[string][]ErrorDetail{}
		for k, v := range details {
			var list []ErrorDetail
			if json.Unmarshal(v, &list) != nil {
				var one ErrorDetail
				_ = json.Unmarshal(v, &one)
				list = []ErrorDetail{one}
			}
			e.Details[k] = list
		}
	}
	if len(e.Code) > 100 {
		e.Code = e.Code[:100]
	}
	return e
}

// Field is the first offending field named in details, "" when none.
func (e Error) Field() string {
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// cause is the error's printable cause: Zendesk's code and detail codes, never its
// descriptions (they can echo what the customer typed).
func (e Error) cause() error {
	var b strings.Builder
	b.WriteString("zendesk error")
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", strconv.Quote(e.Code))
	}
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		codes := make([]string, 0, len(e.Details[k]))
		for _, d := range e.Details[k] {
			if d.Error != "" {
				codes = append(codes, d.Error)
			}
		}
		fmt.Fprintf(&b, "; %s: %s", k, strings.Join(codes, ","))
	}
	return errors.New(b.String())
}

// Status maps a Zendesk ticket status onto the normalized one. Zendesk's "deleted"
// (a soft-deleted ticket) counts as closed: it needs no more work.
func Status(s string) (connector.TicketStatus, bool) {
	switch strings.ToLower(s) {
	case "new":
		return connector.TicketNew, true
	case "open":
		return connector.TicketOpen, true
	case "pending":
		return connector.TicketPending, true
	case "hold":
		return connector.TicketHold, true
	case "solved":
		return connector.TicketSolved, true
	case "closed", "deleted":
		return connector.TicketClosed, true
	}
	return "", false
}

// Priority maps a Zendesk priority onto the normalized one. A ticket without a priority
// (null) is normal, Zendesk's own default for routing.
func Priority(s string) (connector.Priority, bool) {
	switch strings.ToLower(s) {
	case "", "normal":
		return connector.PriorityNormal, true
	case "low":
		return connector.PriorityLow, true
	case "high":
		return connector.PriorityHigh, true
	case "urgent":
		return connector.PriorityUrgent, true
	}
	return "", false
}

// normalizeTicket maps a Zendesk ticket onto connector.Ticket. requesterEmail is the
// requester's address (tickets carry only requester_id); requestURL + id is the link
// given to the customer.
func normalizeTicket(op string, w *Ticket, requesterEmail, requestURL string) (connector.Ticket, error) {
	if w == nil {
		return connector.Ticket{}, connector.InvalidResponse(tool, op, "ticket", errors.New("missing"))
	}
	if w.ID <= 0 {
		return connector.Ticket{}, connector.InvalidResponse(tool, op, "ticket.id", errors.New("missing"))
	}
	status, ok := Status(w.Status)
	if !ok {
		return connector.Ticket{}, connector.InvalidResponse(tool, op, "ticket.status", fmt.Errorf("unknown status %q", clip(w.Status)))
	}
	prio, ok := Priority(w.Priority)
	if !ok {
		return connector.Ticket{}, connector.InvalidResponse(tool, op, "ticket.priority", fmt.Errorf("unknown priority %q", clip(w.Priority)))
	}
	t := connector.Ticket{
		ID:             strconv.FormatInt(w.ID, 10),
		Subject:        w.Subject,
		Description:    w.Description,
		Status:         status,
		Priority:       prio,
		RequesterEmail: strings.ToLower(requesterEmail),
		ExternalID:     w.ExternalID,
		URL:            requestURL + strconv.FormatInt(w.ID, 10),
		// The tag written when the ticket was filed; the description's first line is
		// the same mark for a ticket filed before tags were written.
		Unverified: slices.Contains([]string(w.Tags), connector.UnverifiedTag) || connector.FiledUnverified(w.Description),
	}
	if w.CreatedAt != "" {
		ts, err := time.Parse(time.RFC3339, w.CreatedAt)
		if err != nil {
			return connector.Ticket{}, connector.InvalidResponse(tool, op, "ticket.created_at", fmt.Errorf("not an ISO 8601 time"))
		}
		t.CreatedAt = ts.UTC()
	}
	return t, nil
}

// normalizeArticle maps a search result onto connector.Article. ok is false for a
// result that is not an article (Zendesk marks those with result_type). base is the
// account URL, for an article without html_url.
func normalizeArticle(op string, w Article, base string, maxSnippet int) (a connector.Article, ok bool, err error) {
	if w.ResultType != "" && w.ResultType != "article" {
		return a, false, nil
	}
	if w.ID <= 0 {
		return a, false, connector.InvalidResponse(tool, op, "results.id", errors.New("missing"))
	}
	title := oneLine(w.Title)
	if title == "" {
		return a, false, connector.InvalidResponse(tool, op, "results.title", errors.New("missing"))
	}
	link := w.HTMLURL
	if link == "" {
		// Help Center serves every article at /hc/<locale>/articles/<id>.
		link = base + "/hc/"
		if w.Locale != "" {
			link += url.PathEscape(w.Locale) + "/"
		}
		link += "articles/" + strconv.FormatInt(w.ID, 10)
	}
	u, perr := url.Parse(link)
	if perr != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") {
		return a, false, connector.InvalidResponse(tool, op, "results.html_url", errors.New("not an absolute http(s) URL"))
	}
	snippet := PlainSnippet(w.Snippet, maxSnippet)
	if snippet == "" {
		snippet = PlainSnippet(w.Body, maxSnippet)
	}
	return connector.Article{
		ID:      strconv.FormatInt(w.ID, 10),
		Title:   title,
		Snippet: snippet,
		URL:     u.String(),
	}, true, nil
}

// inlineTags are the HTML elements removed without leaving a space: a highlight inside
// a word must not split it.
var inlineTags = map[string]bool{
	"em": true, "strong": true, "b": true, "i": true, "u": true, "span": true, "a": true,
	"mark": true, "code": true, "small": true, "sub": true, "sup": true, "abbr": true,
}

// PlainSnippet turns Zendesk's snippet (matching words wrapped in <em></em>, HTML
// entities escaped) or an article's HTML body into one line of plain text of at most
// max runes: tags removed, entities decoded, whitespace collapsed, and angle brackets
// dropped so that nothing a chat widget could render as markup is left.
func PlainSnippet(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' {
			if end, name, ok := tagAt(s, i); ok {
				if !inlineTags[name] {
					b.WriteByte(' ')
				}
				i = end
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	text := html.UnescapeString(b.String())
	var out strings.Builder
	space := false
	for _, r := range text {
		switch {
		case r == '<' || r == '>':
			continue
		case r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r):
			space = out.Len() > 0
			continue
		}
		if space {
			out.WriteByte(' ')
			space = false
		}
		out.WriteRune(r)
	}
	return truncate(out.String(), max)
}

// tagAt reports whether s[i:] starts an HTML tag (<name …>, </name>, <!-- … -->) and
// returns the index after it and the lower-cased element name.
func tagAt(s string, i int) (end int, name string, ok bool) {
	if strings.HasPrefix(s[i:], "<!--") {
		if j := strings.Index(s[i+4:], "-->"); j >= 0 {
			return i + 4 + j + 3, "!--", true
		}
		return len(s), "!--", true
	}
	j := i + 1
	if j < len(s) && s[j] == '/' {
		j++
	}
	k := j
	for k < len(s) && (s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || k > j && s[k] >= '0' && s[k] <= '9') {
		k++
	}
	if k == j {
		return 0, "", false // "a < b": a literal angle bracket, not a tag
	}
	close := strings.IndexByte(s[k:], '>')
	if close < 0 {
		return len(s), strings.ToLower(s[j:k]), true
	}
	return k + close + 1, strings.ToLower(s[j:k]), true
}

// truncate cuts s to at most max runes, at a word boundary when one is near, marking
// the cut with an ellipsis.
func truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	cut := max - 1
	for i := cut; i > cut-20 && i > 0; i-- {
		if runes[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(runes[:cut]), " ,;:.-") + "…"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip bounds a value quoted in an error message to its first 40 bytes. Unlike
// jsonshape.Clip it does not mark the cut with "…"; kept as is so zendesk's error
// texts do not change.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// tagList is a ticket's tags. A tags member that is not a list of strings reads as no
// tags: tags only ever add a provenance mark, never a reason to drop the ticket.
type tagList []string

func (l *tagList) UnmarshalJSON(b []byte) error {
	var v []string
	if json.Unmarshal(b, &v) == nil {
		*l = v
	}
	return nil
}
