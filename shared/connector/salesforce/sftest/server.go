// Package sftest is an in-process stand-in for the parts of the Salesforce REST API
// the salesforce connector uses: the OAuth 2.0 client-credentials token endpoint, the
// query resource with a real (subset) SOQL parser, nextRecordsUrl pagination, and the
// sObject Rows resource's PATCH on Contact (update a record: 204 No Content). It
// answers with Salesforce's documented bodies — [{"message","errorCode","fields"}] for
// errors — and misbehaves on cue (Fail) for fault tests. It seeds AdaCustomer so the
// connector contract suite can run against it.
package sftest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Contact is a Contact record. Extra holds further Contact fields (custom fields such
// as Tier__c) with JSON-encodable values.
type Contact struct {
	ID                                             string
	Email, FirstName, LastName, Phone, MobilePhone string
	// The mailing address (compound field Mailing, writable by its components).
	MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry string
	CreatedDate, LastModifiedDate                                               time.Time
	Account                                                                     *Account
	Extra                                                                       map[string]any
}

// Account is the Contact's parent Account. Fields holds custom fields; the stand-in
// knows Plan__c and Status__c on every Account.
type Account struct {
	ID     string
	Name   string
	Fields map[string]any
}

// Fault is a misbehaviour applied to the next Times API calls (queries,
// nextRecordsUrl fetches and PATCHes; not the token endpoint). Times 0 means once;
// Always means until Reset.
type Fault struct {
	// Method, when set, limits the fault to calls with this HTTP method
	// (http.MethodPatch: the update, not the lookup before it); calls with another
	// method pass it by.
	Method string
	// Delay holds the answer back (honouring the client's cancellation).
	Delay time.Duration
	// Status, when non-zero, replaces the answer: with Body as is when Body is set,
	// else [{"message": Message, "errorCode": ErrorCode}].
	Status     int
	ErrorCode  string
	Message    string
	Body       string
	RetryAfter time.Duration
	// RevokeSession invalidates the token the request carried.
	RevokeSession bool
	Times         int
}

// Always makes a Fault apply until Reset.
const Always = -1

// InvalidSession answers 401 INVALID_SESSION_ID once and revokes the caller's token,
// as an expired session does.
func InvalidSession() Fault {
	return Fault{Status: http.StatusUnauthorized, ErrorCode: "INVALID_SESSION_ID",
		Message: "Session expired or invalid", RevokeSession: true}
}

// RequestLimitExceeded answers 403 REQUEST_LIMIT_EXCEEDED, Salesforce's answer when the
// org's 24-hour API request allocation is used up.
func RequestLimitExceeded() Fault {
	return Fault{Status: http.StatusForbidden, ErrorCode: "REQUEST_LIMIT_EXCEEDED", Message: "TotalRequests Limit exceeded."}
}

// TooManyRequests answers 429 with Retry-After, as a gateway in front of the API does.
func TooManyRequests(retryAfter time.Duration) Fault {
	return Fault{Status: http.StatusTooManyRequests, ErrorCode: "REQUEST_LIMIT_EXCEEDED",
		Message: "Too many requests", RetryAfter: retryAfter}
}

// ServerError answers status (5xx) with Salesforce's error body.
func ServerError(status int) Fault {
	code := "UNKNOWN_EXCEPTION"
	if status == http.StatusServiceUnavailable {
		code = "SERVER_UNAVAILABLE"
	}
	return Fault{Status: status, ErrorCode: code, Message: "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)"}
}

// Malformed answers 200 with body.
func Malformed(body string) Fault { return Fault{Status: http.StatusOK, Body: body} }

// Slow delays the answer by d.
func Slow(d time.Duration) Fault { return Fault{Delay: d} }

// Server is the stand-in. Its URL is both the login (token) host and the instance_url
// the token answer names.
type Server struct {
	srv *httptest.Server

	mu            sync.Mutex
	clientID      string
	clientSecret  string
	tokens        map[string]bool
	contacts      []*Contact
	cursors       map[string][]*Contact
	cursorFields  map[string][]string
	pageSize      int
	faults        []Fault
	tokenFaults   []Fault
	queries       []string
	tokenRequests int
	apiRequests   int
	stock         bool // StockOrg: no custom fields
	nextID        int
	patches       []Patch
	onPatch       func(id string)
}

// New starts a stand-in seeded with Seed() and closes it when t ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		clientID:     "3MVG9sftest." + randHex(8),
		clientSecret: randHex(16),
		tokens:       map[string]bool{},
		cursors:      map[string][]*Contact{},
		cursorFields: map[string][]string{},
	}
	for _, c := range Seed() {
		s.Add(c)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the My Domain / instance URL.
func (s *Server) URL() string { return s.srv.URL }

// TokenURL is the client-credentials token endpoint.
func (s *Server) TokenURL() string { return s.srv.URL + "/services/oauth2/token" }

// Secret is the credentials secret the connector reads: client_id and client_secret.
func (s *Server) Secret() secrets.Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	return secrets.Secret{"client_id": s.clientID, "client_secret": s.clientSecret}
}

// RotateSecret gives the connected app a new client secret and revokes every token,
// as an administrator's rotation does. It returns the new secret.
func (s *Server) RotateSecret() secrets.Secret {
	s.mu.Lock()
	s.clientSecret = randHex(16)
	s.tokens = map[string]bool{}
	s.mu.Unlock()
	return s.Secret()
}

// ExpireSessions revokes every issued token (session timeout).
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	s.tokens = map[string]bool{}
	s.mu.Unlock()
}

// Add stores c, giving it an 18-character Contact id when it has none, and returns
// the id.
func (s *Server) Add(c Contact) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	if c.ID == "" {
		c.ID = fmt.Sprintf("003%012dAAA", s.nextID)
	}
	if c.Account != nil && c.Account.ID == "" {
		a := *c.Account
		a.ID = fmt.Sprintf("001%012dAAA", s.nextID)
		c.Account = &a
	}
	if c.LastModifiedDate.IsZero() {
		c.LastModifiedDate = c.CreatedDate
	}
	s.contacts = append(s.contacts, &c)
	return c.ID
}

// SetPageSize makes query batches hold at most n records (Salesforce's own minimum is
// 200; tests use less to exercise nextRecordsUrl). 0 restores the default.
func (s *Server) SetPageSize(n int) { s.mu.Lock(); s.pageSize = n; s.mu.Unlock() }

// Fail queues f for the next API calls.
func (s *Server) Fail(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// FailToken queues f for the next token requests (Status with ErrorCode answers
// {"error": ErrorCode, "error_description": Message}, as the token endpoint does).
func (s *Server) FailToken(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.tokenFaults = append(s.tokenFaults, f)
	s.mu.Unlock()
}

// Reset drops queued faults.
func (s *Server) Reset() { s.mu.Lock(); s.faults, s.tokenFaults = nil, nil; s.mu.Unlock() }

// next pops the first fault of q that applies to method, if any; s.mu is held.
func next(q *[]Fault, method string) *Fault {
	for i := range *q {
		if m := (*q)[i].Method; m != "" && m != method {
			continue
		}
		f := (*q)[i]
		if (*q)[i].Times > 0 {
			(*q)[i].Times--
			if (*q)[i].Times == 0 {
				*q = append((*q)[:i:i], (*q)[i+1:]...)
			}
		}
		return &f
	}
	return nil
}

// Queries returns the SOQL texts received, in order.
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

// TokenRequests counts token grants requested; APIRequests counts API calls.
func (s *Server) TokenRequests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.tokenRequests }

// APIRequests counts calls to /services/data.
func (s *Server) APIRequests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.apiRequests }

// Seed returns the stand-in's default contacts: AdaCustomer at AdaAddress (with Account
// fields Plan__c "Enterprise" and Status__c "Active"), Grace Hopper, a contact with an
// apostrophe in the email, one without an Account, and three duplicates of
// dup@example.com of which the one with an Account modified last is the answer.
func Seed() []Contact {
	ada, addr := connectortest.AdaCustomer(), connectortest.AdaAddress()
	day := func(d int) time.Time { return time.Date(2024, time.January, d, 12, 0, 0, 0, time.UTC) }
	return []Contact{
		{Email: ada.Email, FirstName: ada.FirstName, LastName: ada.LastName, Phone: ada.Phone,
			MailingStreet: addr.Street, MailingCity: addr.City, MailingState: addr.Region,
			MailingPostalCode: addr.PostalCode, MailingCountry: addr.Country,
			CreatedDate: ada.CreatedAt, LastModifiedDate: ada.CreatedAt.Add(24 * time.Hour),
			Account: &Account{Name: ada.Company, Fields: map[string]any{"Plan__c": ada.Plan, "Status__c": "Active"}}},
		{Email: "grace.hopper@example.com", FirstName: "Grace", LastName: "Hopper", Phone: "+1 202 555 0143",
			CreatedDate: day(2), Account: &Account{Name: "Cobol Systems Inc", Fields: map[string]any{"Plan__c": "Pro", "Status__c": "Trial"}}},
		{Email: "roisin.o'brien@example.com", FirstName: "Róisín", LastName: "O'Brien", MobilePhone: "+353 1 555 0199",
			CreatedDate: day(3), Account: &Account{Name: "O'Brien & Daughters", Fields: map[string]any{"Plan__c": "Free", "Status__c": "Active"}}},
		{Email: "katherine.johnson@example.com", FirstName: "Katherine", LastName: "Johnson", CreatedDate: day(4)},
		{Email: "dup@example.com", FirstName: "Dup", LastName: "NoAccount", CreatedDate: day(5), LastModifiedDate: day(20)},
		{Email: "dup@example.com", FirstName: "Dup", LastName: "Older", CreatedDate: day(6), LastModifiedDate: day(10),
			Account: &Account{Name: "Dup Old Co", Fields: map[string]any{"Plan__c": "Pro", "Status__c": "Churned"}}},
		{Email: "DUP@example.com", FirstName: "Dup", LastName: "Newest", CreatedDate: day(7), LastModifiedDate: day(15),
			Account: &Account{Name: "Dup New Co", Fields: map[string]any{"Plan__c": "Enterprise", "Status__c": "Active"}}},
	}
}

var (
	queryPath = regexp.MustCompile(`^/services/data/(v[0-9]{2,3}\.[0-9])/query/?$`)
	morePath  = regexp.MustCompile(`^/services/data/(v[0-9]{2,3}\.[0-9])/query/([0-9A-Za-z]+)-([0-9]+)$`)
	rowPath   = regexp.MustCompile(`^/services/data/(v[0-9]{2,3}\.[0-9])/sobjects/([A-Za-z_]+)/([^/]+)$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/services/oauth2/token" {
		s.token(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/services/data/") {
		writeErrors(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist", 0)
		return
	}
	s.mu.Lock()
	s.apiRequests++
	f := next(&s.faults, r.Method)
	s.mu.Unlock()
	if f != nil {
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.RevokeSession {
			s.mu.Lock()
			delete(s.tokens, bearer(r))
			s.mu.Unlock()
		}
		if f.Status != 0 {
			if f.Body != "" {
				if f.RetryAfter > 0 {
					w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter/time.Second)))
				}
				w.Header().Set("Content-Type", "application/json;charset=UTF-8")
				w.WriteHeader(f.Status)
				_, _ = w.Write([]byte(f.Body))
				return
			}
			writeErrors(w, f.Status, f.ErrorCode, f.Message, f.RetryAfter)
			return
		}
	}
	s.mu.Lock()
	ok := s.tokens[bearer(r)]
	s.mu.Unlock()
	if !ok {
		writeErrors(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid", 0)
		return
	}
	if m := rowPath.FindStringSubmatch(r.URL.Path); m != nil {
		if r.Method != http.MethodPatch {
			writeErrors(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
				"HTTP Method '"+r.Method+"' not allowed. Allowed are HEAD,GET,PATCH,DELETE", 0)
			return
		}
		s.patch(w, r, m[2], m[3])
		return
	}
	if r.Method != http.MethodGet {
		writeErrors(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "HTTP Method '"+r.Method+"' not allowed. Allowed are GET,HEAD", 0)
		return
	}
	if m := queryPath.FindStringSubmatch(r.URL.Path); m != nil {
		s.query(w, r, m[1])
		return
	}
	if m := morePath.FindStringSubmatch(r.URL.Path); m != nil {
		off, _ := strconv.Atoi(m[3])
		s.more(w, r, m[1], m[2], off)
		return
	}
	writeErrors(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist", 0)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenRequests++
	f := next(&s.tokenFaults, r.Method)
	s.mu.Unlock()
	if f != nil {
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Status != 0 {
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			w.WriteHeader(f.Status)
			if f.Body != "" {
				_, _ = w.Write([]byte(f.Body))
			} else {
				_ = json.NewEncoder(w).Encode(map[string]string{"error": f.ErrorCode, "error_description": f.Message})
			}
			return
		}
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "malformed request body")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeOAuthError(w, "unsupported_grant_type", "grant type not supported")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	s.mu.Lock()
	good := id == s.clientID && secret == s.clientSecret
	tok := "00Dsftest0000001!AR" + randHex(24)
	if good {
		s.tokens[tok] = true
	}
	s.mu.Unlock()
	if !good {
		writeOAuthError(w, "invalid_client", "invalid client credentials")
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"access_token": tok,
		"signature":    randHex(16),
		"scope":        "api",
		"instance_url": s.srv.URL,
		"id":           s.srv.URL + "/id/00Dsftest0000001AAA/005sftest0000001AAA",
		"token_type":   "Bearer",
		"issued_at":    strconv.FormatInt(time.Now().UnixMilli(), 10),
	})
}

// Standard fields the stand-in knows; any Extra/Fields key seeded is known too.
var (
	contactFields = []string{"Id", "Email", "FirstName", "LastName", "Name", "Phone", "MobilePhone", "CreatedDate", "LastModifiedDate", "AccountId",
		"MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry"}
	accountFields = []string{"Id", "Name", "Plan__c", "Status__c"}
)

func (s *Server) query(w http.ResponseWriter, r *http.Request, version string) {
	q := r.URL.Query().Get("q")
	s.mu.Lock()
	s.queries = append(s.queries, q)
	s.mu.Unlock()
	if q == "" {
		writeErrors(w, http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified", 0)
		return
	}
	pq, err := ParseSOQL(q)
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "MALFORMED_QUERY", err.Error(), 0)
		return
	}
	if !strings.EqualFold(pq.From, "Contact") {
		writeErrors(w, http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported.", pq.From), 0)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names := append([]string{}, pq.Fields...)
	for _, c := range pq.Comparisons() {
		names = append(names, c.Field)
	}
	for _, o := range pq.Order {
		names = append(names, o.Field)
	}
	for _, f := range names {
		if !s.knownField(f) {
			writeErrors(w, http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on entity 'Contact'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.", f), 0)
			return
		}
	}
	var hits []*Contact
	for _, c := range s.contacts {
		if pq.Where == nil || pq.Where.eval(c.getter()) {
			hits = append(hits, c)
		}
	}
	if len(pq.Order) > 0 {
		sort.SliceStable(hits, func(i, j int) bool {
			for _, o := range pq.Order {
				a, _ := hits[i].getter()(o.Field)
				b, _ := hits[j].getter()(o.Field)
				as, bs := fmt.Sprint(a), fmt.Sprint(b)
				if as != bs {
					return (as < bs) != o.Desc
				}
			}
			return false
		})
	}
	if pq.Limit > 0 && len(hits) > pq.Limit {
		hits = hits[:pq.Limit]
	}
	locator := "01gsftest" + randHex(6)
	s.cursors[locator] = hits
	s.cursorFields[locator] = pq.Fields
	s.writePage(w, r, version, locator, 0)
}

func (s *Server) more(w http.ResponseWriter, r *http.Request, version, locator string, off int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cursors[locator]; !ok {
		writeErrors(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator", 0)
		return
	}
	s.writePage(w, r, version, locator, off)
}

// writePage answers one batch; s.mu is held.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, version, locator string, off int) {
	hits, fields := s.cursors[locator], s.cursorFields[locator]
	size := 2000
	if v := r.Header.Get("Sforce-Query-Options"); strings.HasPrefix(v, "batchSize=") {
		if n, err := strconv.Atoi(strings.TrimPrefix(v, "batchSize=")); err == nil {
			size = min(max(n, 200), 2000)
		}
	}
	if s.pageSize > 0 && s.pageSize < size {
		size = s.pageSize
	}
	if off > len(hits) {
		off = len(hits)
	}
	end := min(off+size, len(hits))
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"totalSize":%d,"done":%t,`, len(hits), end == len(hits))
	if end < len(hits) {
		fmt.Fprintf(&b, `"nextRecordsUrl":"/services/data/%s/query/%s-%d",`, version, locator, end)
	} else {
		delete(s.cursors, locator)
		delete(s.cursorFields, locator)
	}
	b.WriteString(`"records":[`)
	for i, c := range hits[off:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		c.render(&b, version, fields)
	}
	b.WriteString("]}")
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_, _ = w.Write(b.Bytes())
}

// StockOrg makes the org a stock one, without the custom fields Plan__c and
// Status__c on Account: querying them fails with INVALID_FIELD.
func (s *Server) StockOrg() { s.mu.Lock(); s.stock = true; s.mu.Unlock() }

func (s *Server) knownField(path string) bool {
	if s.stock && (strings.EqualFold(path, "Account.Plan__c") || strings.EqualFold(path, "Account.Status__c")) {
		return false
	}
	obj, field, rel := "", path, false
	if i := strings.IndexByte(path, '.'); i >= 0 {
		obj, field, rel = path[:i], path[i+1:], true
	}
	if rel {
		if !strings.EqualFold(obj, "Account") || strings.Contains(field, ".") {
			return false
		}
		if containsFold(accountFields, field) {
			return true
		}
		for _, c := range s.contacts {
			if c.Account != nil && hasKeyFold(c.Account.Fields, field) {
				return true
			}
		}
		return false
	}
	if containsFold(contactFields, field) {
		return true
	}
	for _, c := range s.contacts {
		if hasKeyFold(c.Extra, field) {
			return true
		}
	}
	return false
}

// getter resolves a field path on the contact: nil for null values.
func (c *Contact) getter() fieldGetter {
	return func(path string) (any, bool) {
		if i := strings.IndexByte(path, '.'); i >= 0 {
			if c.Account == nil {
				return nil, true
			}
			return c.Account.get(path[i+1:])
		}
		return c.get(path)
	}
}

func (c *Contact) get(f string) (any, bool) {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	switch strings.ToLower(f) {
	case "id":
		return c.ID, true
	case "email":
		return str(c.Email), true
	case "firstname":
		return str(c.FirstName), true
	case "lastname":
		return str(c.LastName), true
	case "name":
		return strings.TrimSpace(c.FirstName + " " + c.LastName), true
	case "phone":
		return str(c.Phone), true
	case "mobilephone":
		return str(c.MobilePhone), true
	case "mailingstreet":
		return str(c.MailingStreet), true
	case "mailingcity":
		return str(c.MailingCity), true
	case "mailingstate":
		return str(c.MailingState), true
	case "mailingpostalcode":
		return str(c.MailingPostalCode), true
	case "mailingcountry":
		return str(c.MailingCountry), true
	case "createddate":
		return sfTime(c.CreatedDate), true
	case "lastmodifieddate":
		return sfTime(c.LastModifiedDate), true
	case "accountid":
		if c.Account == nil {
			return nil, true
		}
		return c.Account.ID, true
	}
	for k, v := range c.Extra {
		if strings.EqualFold(k, f) {
			return v, true
		}
	}
	return nil, false
}

func (a *Account) get(f string) (any, bool) {
	switch strings.ToLower(f) {
	case "id":
		return a.ID, true
	case "name":
		return a.Name, true
	}
	for k, v := range a.Fields {
		if strings.EqualFold(k, f) {
			return v, true
		}
	}
	return nil, true
}

// render writes the record as the query resource does: attributes first, selected
// fields in order, relationship fields nested under the relationship (null when the
// contact has no Account).
func (c *Contact) render(b *bytes.Buffer, version string, fields []string) {
	fmt.Fprintf(b, `{"attributes":{"type":"Contact","url":"/services/data/%s/sobjects/Contact/%s"}`, version, c.ID)
	var accFields []string
	for _, f := range fields {
		if i := strings.IndexByte(f, '.'); i >= 0 {
			accFields = append(accFields, f[i+1:])
			continue
		}
		v, _ := c.get(f)
		fmt.Fprintf(b, `,%s:%s`, jsonOf(canonical(f)), jsonOf(v))
	}
	if len(accFields) > 0 {
		b.WriteString(`,"Account":`)
		if c.Account == nil {
			b.WriteString("null")
		} else {
			fmt.Fprintf(b, `{"attributes":{"type":"Account","url":"/services/data/%s/sobjects/Account/%s"}`, version, c.Account.ID)
			seen := map[string]bool{}
			for _, f := range accFields {
				if seen[strings.ToLower(f)] {
					continue
				}
				seen[strings.ToLower(f)] = true
				v, _ := c.Account.get(f)
				fmt.Fprintf(b, `,%s:%s`, jsonOf(canonical(f)), jsonOf(v))
			}
			b.WriteByte('}')
		}
	}
	b.WriteByte('}')
}

// canonical spells a standard field as Salesforce's metadata does, whatever the
// query's spelling.
func canonical(f string) string {
	for _, list := range [][]string{contactFields, accountFields} {
		for _, k := range list {
			if strings.EqualFold(k, f) {
				return k
			}
		}
	}
	return f
}

func sfTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000+0000")
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func writeErrors(w http.ResponseWriter, status int, code, msg string, retryAfter time.Duration) {
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode([]map[string]any{{"message": msg, "errorCode": code}})
}

func writeOAuthError(w http.ResponseWriter, code, desc string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return h[7:]
	}
	return ""
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func hasKeyFold(m map[string]any, s string) bool {
	for k := range m {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
