// Package hstest is an in-process stand-in for the parts of HubSpot's CRM v3 API the
// hubspot connector uses: the contacts search (filterGroups, properties, limit, after
// cursor), the contacts list, reading and updating one contact (GET and PATCH
// /crm/v3/objects/contacts/{contactId}), and contact property definitions, behind a private-app
// bearer token. It answers with HubSpot's documented bodies
// ({"status":"error","message","correlationId","category"}) and rate-limit headers,
// and misbehaves on cue (Fail) for fault tests. It seeds AdaCustomer so the connector
// contract suite can run against it.
package hstest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector/connectortest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Contact is a contact record: property internal names to values (HubSpot keeps every
// value as a string). createdate, lastmodifieddate and hs_object_id are derived.
type Contact struct {
	ID         string
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Fault is a misbehaviour applied to the next Times API calls. Times 0 means once;
// Always means until Reset.
type Fault struct {
	// Method, when set, limits the fault to calls with this HTTP method
	// (http.MethodPatch: the update, not the search before it); calls with another
	// method pass it by.
	Method string
	// Delay holds the answer back (honouring the client's cancellation).
	Delay time.Duration
	// Status, when non-zero, replaces the answer: with Body as is when Body is set,
	// else HubSpot's error body with Category and Message (and PolicyName for 429).
	Status     int
	Category   string
	Message    string
	PolicyName string
	Body       string
	RetryAfter time.Duration
	Times      int
}

// Always makes a Fault apply until Reset.
const Always = -1

// InvalidToken answers 401 INVALID_AUTHENTICATION once, whatever the token.
func InvalidToken() Fault {
	return Fault{Status: http.StatusUnauthorized, Category: "INVALID_AUTHENTICATION",
		Message: "Authentication credentials not found. This API supports OAuth 2.0 authentication."}
}

// RateLimited answers 429 for policy ("SECONDLY", "TEN_SECONDLY_ROLLING" or "DAILY"),
// with Retry-After when retryAfter > 0.
func RateLimited(policy string, retryAfter time.Duration) Fault {
	msg := "You have reached your secondly limit."
	if policy == "DAILY" {
		msg = "You have reached your daily limit."
	}
	return Fault{Status: http.StatusTooManyRequests, Category: "RATE_LIMITS", PolicyName: policy, Message: msg, RetryAfter: retryAfter}
}

// ServerError answers status (5xx) with HubSpot's error body.
func ServerError(status int) Fault {
	return Fault{Status: status, Category: "INTERNAL_ERROR", Message: "internal error"}
}

// Malformed answers 200 with body.
func Malformed(body string) Fault { return Fault{Status: http.StatusOK, Body: body} }

// Slow delays the answer by d.
func Slow(d time.Duration) Fault { return Fault{Delay: d} }

// Server is the stand-in.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	token    string
	contacts []*Contact
	known    map[string]bool
	faults   []Fault
	searches []SearchRequest
	patches  []Patch
	onPatch  func(id string)
	requests int
	nextID   int
}

// SearchRequest is a decoded search body, as received.
type SearchRequest struct {
	FilterGroups []struct {
		Filters []Filter `json:"filters"`
	} `json:"filterGroups"`
	Properties []string `json:"properties"`
	Limit      *int     `json:"limit"`
	After      string   `json:"after"`
	Sorts      []any    `json:"sorts"`
	Query      string   `json:"query"`
}

// Filter is one search filter.
type Filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        *string  `json:"value"`
	Values       []string `json:"values"`
}

// New starts a stand-in seeded with Seed() and closes it when t ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts a stand-in seeded with Seed() outside a test (tests/loadbench); Close it.
func Start() *Server {
	s := &Server{token: "pat-na1-" + randHex(16), known: map[string]bool{}}
	for _, p := range []string{"email", "firstname", "lastname", "company", "phone", "mobilephone", "createdate",
		"lastmodifieddate", "hs_object_id", "lifecyclestage", "plan", "customer_status",
		"address", "city", "state", "zip", "country"} {
		s.known[p] = true
	}
	for _, c := range Seed() {
		s.Add(c)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the stand-in.
func (s *Server) Close() { s.srv.Close() }

// URL is the API root (the connector's base URL).
func (s *Server) URL() string { return s.srv.URL }

// Secret is the credentials secret the connector reads: {"token": …}.
func (s *Server) Secret() secrets.Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	return secrets.Secret{"token": s.token}
}

// RotateToken issues a new private-app token; the old one stops working at once.
func (s *Server) RotateToken() secrets.Secret {
	s.mu.Lock()
	s.token = "pat-na1-" + randHex(16)
	s.mu.Unlock()
	return s.Secret()
}

// Add stores c, giving it a numeric id when it has none, and returns the id.
func (s *Server) Add(c Contact) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	if c.ID == "" {
		c.ID = strconv.Itoa(100 + s.nextID)
	}
	props := map[string]string{}
	for k, v := range c.Properties {
		props[k] = v
		s.known[k] = true
	}
	if e := props["email"]; e != "" {
		props["email"] = strings.ToLower(e) // HubSpot stores emails in lower case
	}
	c.Properties = props
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	s.contacts = append(s.contacts, &c)
	return c.ID
}

// Fail queues f for the next API calls.
func (s *Server) Fail(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// Reset drops queued faults.
func (s *Server) Reset() { s.mu.Lock(); s.faults = nil; s.mu.Unlock() }

// Searches returns the search bodies received, in order.
func (s *Server) Searches() []SearchRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SearchRequest(nil), s.searches...)
}

// Requests counts API calls.
func (s *Server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// Seed returns the stand-in's default contacts: AdaCustomer at AdaAddress (plan "Enterprise",
// customer_status "active"), Grace Hopper, a contact without company or plan, and
// three contacts sharing the email dup@example.com (imports can leave such), of which
// the one modified last is the answer.
func Seed() []Contact {
	ada, addr := connectortest.AdaCustomer(), connectortest.AdaAddress()
	day := func(d int) time.Time { return time.Date(2024, time.January, d, 12, 0, 0, 0, time.UTC) }
	return []Contact{
		{Properties: map[string]string{"email": ada.Email, "firstname": ada.FirstName, "lastname": ada.LastName,
			"company": ada.Company, "phone": ada.Phone, "plan": ada.Plan, "customer_status": ada.Status, "lifecyclestage": "customer",
			"address": addr.Street, "city": addr.City, "state": addr.Region, "zip": addr.PostalCode, "country": addr.Country},
			CreatedAt: ada.CreatedAt, UpdatedAt: ada.CreatedAt.Add(48 * time.Hour)},
		{Properties: map[string]string{"email": "grace.hopper@example.com", "firstname": "Grace", "lastname": "Hopper",
			"company": "Cobol Systems Inc", "phone": "+1 202 555 0143", "plan": "Pro", "customer_status": "Trial"}, CreatedAt: day(2)},
		{Properties: map[string]string{"email": "katherine.johnson@example.com", "firstname": "Katherine", "lastname": "Johnson",
			"mobilephone": "+1 757 555 0101"}, CreatedAt: day(4)},
		{Properties: map[string]string{"email": "dup@example.com", "firstname": "Dup", "lastname": "Older"}, CreatedAt: day(5), UpdatedAt: day(10)},
		{Properties: map[string]string{"email": "dup@example.com", "firstname": "Dup", "lastname": "Newest", "company": "Dup New Co"}, CreatedAt: day(6), UpdatedAt: day(15)},
		{Properties: map[string]string{"email": "dup@example.com", "firstname": "Dup", "lastname": "Middle"}, CreatedAt: day(7), UpdatedAt: day(12)},
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// Read the body first: the server notices a client hanging up (and cancels
	// r.Context) only once the body has been consumed, which Slow relies on.
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.requests++
	var f *Fault
	for i := range s.faults {
		if m := s.faults[i].Method; m != "" && m != r.Method {
			continue
		}
		ff := s.faults[i]
		f = &ff
		if s.faults[i].Times > 0 {
			s.faults[i].Times--
			if s.faults[i].Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		break
	}
	token := s.token
	s.mu.Unlock()
	s.rateHeaders(w)
	if f != nil {
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Status != 0 {
			if f.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
			}
			if f.Body != "" {
				w.Header().Set("Content-Type", "application/json;charset=utf-8")
				w.WriteHeader(f.Status)
				_, _ = w.Write([]byte(f.Body))
				return
			}
			extra := map[string]any{}
			if f.Status == http.StatusTooManyRequests {
				extra["errorType"] = "RATE_LIMIT"
				extra["policyName"] = f.PolicyName
				extra["groupName"] = "publicapi:private-app:burst:1234567"
			}
			writeError(w, f.Status, f.Category, f.Message, extra)
			return
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+token {
		writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
			"Authentication credentials not found. This API supports OAuth 2.0 authentication.", nil)
		return
	}
	switch {
	case r.URL.Path == "/crm/v3/objects/contacts/search" && r.Method == http.MethodPost:
		s.search(w, r)
	case r.URL.Path == "/crm/v3/objects/contacts" && r.Method == http.MethodGet:
		s.list(w, r)
	case strings.HasPrefix(r.URL.Path, "/crm/v3/objects/contacts/") && !strings.Contains(strings.TrimPrefix(r.URL.Path, "/crm/v3/objects/contacts/"), "/") &&
		(r.Method == http.MethodGet || r.Method == http.MethodPatch):
		s.object(w, r, strings.TrimPrefix(r.URL.Path, "/crm/v3/objects/contacts/"))
	case strings.HasPrefix(r.URL.Path, "/crm/v3/properties/contacts/") && r.Method == http.MethodGet:
		s.property(w, strings.TrimPrefix(r.URL.Path, "/crm/v3/properties/contacts/"))
	default:
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found", nil)
	}
}

// rateHeaders sets the documented burst and daily headers of a Professional account's
// private app (190 requests per 10 seconds, 625,000 a day).
func (s *Server) rateHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-HubSpot-RateLimit-Daily", "625000")
	h.Set("X-HubSpot-RateLimit-Daily-Remaining", "624000")
	h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
	h.Set("X-HubSpot-RateLimit-Max", "190")
	h.Set("X-HubSpot-RateLimit-Remaining", "189")
	h.Set("X-HubSpot-RateLimit-Secondly", "19")
	h.Set("X-HubSpot-RateLimit-Secondly-Remaining", "18")
}

var operators = map[string]bool{"EQ": true, "NEQ": true, "HAS_PROPERTY": true, "NOT_HAS_PROPERTY": true}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var req SearchRequest
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1: "+err.Error(), nil)
		return
	}
	// HubSpot's published spec (PublicObjectSearchRequest) requires these fields.
	var present map[string]json.RawMessage
	_ = json.Unmarshal(body, &present)
	for _, k := range []string{"after", "filterGroups", "limit", "properties", "sorts"} {
		if _, ok := present[k]; !ok {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: missing required property "+k+".", nil)
			return
		}
	}
	s.mu.Lock()
	s.searches = append(s.searches, req)
	s.mu.Unlock()
	limit := 10
	if req.Limit != nil {
		limit = *req.Limit
	}
	nFilters := 0
	for _, g := range req.FilterGroups {
		nFilters += len(g.Filters)
		if len(g.Filters) > 6 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "A filter group can contain at most 6 filters.", nil)
			return
		}
		for _, f := range g.Filters {
			if !operators[f.Operator] {
				writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("The stand-in does not support operator %q.", f.Operator), nil)
				return
			}
			if (f.Operator == "EQ" || f.Operator == "NEQ") && f.Value == nil {
				writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "A value is required for operator "+f.Operator+".", nil)
				return
			}
		}
	}
	switch {
	case len(req.FilterGroups) > 5:
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "At most 5 filter groups are allowed.", nil)
		return
	case nFilters > 18:
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "At most 18 filters are allowed.", nil)
		return
	case limit < 0 || limit > 200:
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be between 0 and 200.", nil)
		return
	}
	off := 0
	if req.After != "" {
		n, err := strconv.Atoi(req.After)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "after must be a paging cursor.", nil)
			return
		}
		off = n
	}
	// The page is rendered under the lock: a PATCH may change a contact meanwhile.
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []*Contact
	for _, c := range s.contacts {
		if req.matches(c) {
			hits = append(hits, c)
		}
	}
	s.writePage(w, hits, off, limit, req.Properties, true)
}

// matches ORs the filter groups and ANDs each group's filters; no group matches all.
// Comparison is case-insensitive, as HubSpot's search is for text.
func (q *SearchRequest) matches(c *Contact) bool {
	if len(q.FilterGroups) == 0 {
		return true
	}
	for _, g := range q.FilterGroups {
		all := true
		for _, f := range g.Filters {
			v, has := c.prop(f.PropertyName)
			has = has && v != ""
			var ok bool
			switch f.Operator {
			case "EQ":
				ok = has && strings.EqualFold(v, *f.Value)
			case "NEQ":
				ok = !has || !strings.EqualFold(v, *f.Value)
			case "HAS_PROPERTY":
				ok = has
			case "NOT_HAS_PROPERTY":
				ok = !has
			}
			all = all && ok
		}
		if all {
			return true
		}
	}
	return false
}

func (c *Contact) prop(name string) (string, bool) {
	switch name {
	case "hs_object_id":
		return c.ID, true
	case "createdate":
		return hsTime(c.CreatedAt), true
	case "lastmodifieddate":
		return hsTime(c.UpdatedAt), true
	}
	v, ok := c.Properties[name]
	return v, ok
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be between 1 and 100.", nil)
			return
		}
		limit = n
	}
	off, _ := strconv.Atoi(q.Get("after"))
	var props []string
	if v := q.Get("properties"); v != "" {
		props = strings.Split(v, ",")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all := append([]*Contact(nil), s.contacts...)
	s.writePage(w, all, off, limit, props, false)
}

// writePage answers with results[off:off+limit] (s.mu is held), each carrying the default properties
// plus those asked for, ordered by id. An unset property is left out: HubSpot's
// published definition (SimplePublicObject.properties) allows only string values, and
// the OpenAPI test holds the stand-in to it. (The live API has been seen to send null
// for one; the connector reads both, see testdata/search_nulls.json.)
func (s *Server) writePage(w http.ResponseWriter, hits []*Contact, off, limit int, props []string, withTotal bool) {
	sort.SliceStable(hits, func(i, j int) bool {
		a, _ := strconv.Atoi(hits[i].ID)
		b, _ := strconv.Atoi(hits[j].ID)
		return a < b
	})
	off = min(off, len(hits))
	end := min(off+limit, len(hits))
	results := make([]map[string]any, 0, end-off)
	for _, c := range hits[off:end] {
		results = append(results, c.render(props))
	}
	out := map[string]any{"results": results}
	if withTotal {
		out["total"] = len(hits)
	}
	if end < len(hits) {
		after := strconv.Itoa(end)
		out["paging"] = map[string]any{"next": map[string]any{"after": after, "link": s.srv.URL + "?after=" + after}}
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_ = json.NewEncoder(w).Encode(out)
}

// render is the contact as a SimplePublicObject carrying the default properties plus
// those asked for.
func (c *Contact) render(props []string) map[string]any {
	names := []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}
	for _, p := range props {
		if p = strings.TrimSpace(p); p != "" && !contains(names, p) {
			names = append(names, p)
		}
	}
	pm := map[string]any{}
	for _, n := range names {
		if v, ok := c.prop(n); ok && v != "" {
			pm[n] = v
		}
	}
	return map[string]any{
		"id": c.ID, "properties": pm, "createdAt": hsTime(c.CreatedAt), "updatedAt": hsTime(c.UpdatedAt), "archived": false,
	}
}

// StockPortal makes the portal a stock one, without the custom contact properties
// plan and customer_status.
func (s *Server) StockPortal() {
	s.mu.Lock()
	delete(s.known, "plan")
	delete(s.known, "customer_status")
	s.mu.Unlock()
}

func (s *Server) property(w http.ResponseWriter, name string) {
	s.mu.Lock()
	ok := s.known[name]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf("Unable to find property with name: %s", name), nil)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"name": name, "label": name, "description": "", "type": "string", "fieldType": "text", "groupName": "contactinformation",
		"options": []any{}, "hidden": false, "formField": true, "calculated": false, "hasUniqueValue": false,
	})
}

func writeError(w http.ResponseWriter, status int, category, msg string, extra map[string]any) {
	body := map[string]any{"status": "error", "message": msg, "correlationId": uuid(), "category": category}
	for k, v := range extra {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func hsTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func uuid() string {
	h := randHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
