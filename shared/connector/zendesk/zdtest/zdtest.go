package zdtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Credentials the stand-in accepts until rotated.
const (
	AgentEmail = "agent@example.com"
	APIToken   = "zdtest-api-token"
	OAuthToken = "zdtest-oauth-token"
)

// Ticket is a ticket as the stand-in stores and serves it (Zendesk's JSON).
type Ticket struct {
	URL         string   `json:"url"`
	ID          int64    `json:"id"`
	ExternalID  *string  `json:"external_id"`
	CreatedAt   string   `json:"created_at"`
	UpdatedAt   string   `json:"updated_at"`
	Type        *string  `json:"type"`
	Subject     string   `json:"subject"`
	RawSubject  string   `json:"raw_subject"`
	Description string   `json:"description"`
	Priority    *string  `json:"priority"`
	Status      string   `json:"status"`
	RequesterID int64    `json:"requester_id"`
	SubmitterID int64    `json:"submitter_id"`
	AssigneeID  *int64   `json:"assignee_id"`
	Tags        []string `json:"tags"`
	Via         struct {
		Channel string `json:"channel"`
	} `json:"via"`
}

// User is a user as the stand-in stores and serves it.
type User struct {
	ID        int64  `json:"id"`
	URL       string `json:"url"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	Active    bool   `json:"active"`
	CreatedAt string `json:"created_at"`
}

type article struct {
	ID                int64
	Slug, Title, Body string
	Locale            string
}

// Request is one request the stand-in received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	// Auth is "basic", "bearer", "none" or "invalid".
	Auth string
}

// Server is the stand-in. All methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server
	// public is the URL clients reach the server at, when not srv.URL.
	public atomic.Pointer[string]

	mu         sync.Mutex
	users      []*User
	tickets    []*Ticket
	articles   []article
	nextTicket int64
	nextUser   int64
	apiToken   string
	oauthToken string
	faults     []*Fault
	requests   []Request
	now        func() time.Time
}

// New starts a stand-in seeded with the demo data and closes it when t ends.
func New(t testing.TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a stand-in outside a test (a local `switchboard serve`); Close it.
func Start() (*Server, error) {
	seed, err := loadSeed()
	if err != nil {
		return nil, err
	}
	s := &Server{nextTicket: 1001, nextUser: 9001, apiToken: APIToken, oauthToken: OAuthToken,
		now: func() time.Time { return time.Now().UTC() }}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	agent := s.userFor(AgentEmail, "Switchboard Agent", time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	agent.Role = "admin"
	for _, st := range seed.Tickets {
		u := s.userFor(st.RequesterEmail, st.RequesterName, st.CreatedAt)
		prio := st.Priority
		s.addTicket(&Ticket{Subject: st.Subject, Description: st.Description, Status: st.Status,
			Priority: &prio, RequesterID: u.ID, SubmitterID: u.ID}, st.CreatedAt)
	}
	for _, a := range seed.Articles {
		s.articles = append(s.articles, article{ID: a.ID, Slug: a.Slug, Title: a.Title, Body: a.Body, Locale: "en-us"})
	}
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Handler is the stand-in's handler, for a client that serves requests in memory: a
// test in a synctest bubble, where waiting on a socket would keep the fake clock still.
func (s *Server) Handler() http.Handler { return s.srv.Config.Handler }

// URL is the account's base URL, to use as the connector's base_url.
func (s *Server) URL() string { return s.srv.URL }

// SetPublicURL sets the URL clients reach the stand-in at when something stands in
// between (the validating proxy of the OpenAPI tests): from then on its pagination
// links, article urls and the urls of the users and tickets it files carry it, as
// Zendesk's carry the account's host.
func (s *Server) SetPublicURL(u string) { s.public.Store(&u) }

// base is the URL the answers' links and urls start with.
func (s *Server) base() string {
	if p := s.public.Load(); p != nil {
		return *p
	}
	return s.srv.URL
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Secret is the API-token secret the stand-in accepts (keys email, api_token), valid
// until RotateToken.
func (s *Server) Secret() secrets.Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	return secrets.Secret{"email": AgentEmail, "api_token": s.apiToken, "access_token": s.oauthToken}
}

// RotateToken replaces the accepted API token and OAuth token: requests with the old
// ones answer 401 from now on.
func (s *Server) RotateToken(apiToken, oauthToken string) {
	s.mu.Lock()
	s.apiToken, s.oauthToken = apiToken, oauthToken
	s.mu.Unlock()
}

// Tickets returns a copy of every ticket, oldest first.
func (s *Server) Tickets() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ticket, len(s.tickets))
	for i, t := range s.tickets {
		out[i] = *t
	}
	return out
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// AddTicket files a ticket directly (status and priority as given, created at
// createdAt) for requester, creating the user when needed, and returns it.
func (s *Server) AddTicket(requester, subject, status, priority string, createdAt time.Time) Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userFor(requester, "", createdAt)
	var p *string
	if priority != "" {
		p = &priority
	}
	return *s.addTicket(&Ticket{Subject: subject, Description: subject, Status: status, Priority: p,
		RequesterID: u.ID, SubmitterID: u.ID}, createdAt)
}

// userFor finds or creates the user with email (case-insensitively). Caller holds mu
// (or is Start).
func (s *Server) userFor(email, name string, at time.Time) *User {
	for _, u := range s.users {
		if strings.EqualFold(u.Email, email) {
			return u
		}
	}
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	u := &User{ID: s.nextUser, Name: name, Email: strings.ToLower(email), Role: "end-user", Active: true,
		CreatedAt: at.UTC().Format(time.RFC3339)}
	u.URL = fmt.Sprintf("%s/api/v2/users/%d.json", s.base(), u.ID)
	s.nextUser++
	s.users = append(s.users, u)
	return u
}

func (s *Server) addTicket(t *Ticket, at time.Time) *Ticket {
	t.ID = s.nextTicket
	s.nextTicket++
	t.URL = fmt.Sprintf("%s/api/v2/tickets/%d.json", s.base(), t.ID)
	t.CreatedAt = at.UTC().Format(time.RFC3339)
	t.UpdatedAt = t.CreatedAt
	t.RawSubject = t.Subject
	t.Via.Channel = "api"
	if t.Tags == nil {
		t.Tags = []string{}
	}
	s.tickets = append(s.tickets, t)
	return t
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// zdError answers Zendesk's error body.
func zdError(w http.ResponseWriter, status int, code, description string, details map[string][]map[string]string) {
	body := map[string]any{"error": code}
	if description != "" {
		body["description"] = description
	}
	if details != nil {
		body["details"] = details
	}
	writeJSON(w, status, body)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	auth := s.authOf(r)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Auth: auth})
	f := s.takeFault(r)
	s.mu.Unlock()
	if f != nil {
		if done := f.apply(w, r, s.route); done {
			return
		}
	}
	s.route(w, r)
}

// authOf checks the Authorization header: basic "<agent email>/token:<api token>" or
// "Bearer <oauth token>".
func (s *Server) authOf(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "none"
	}
	s.mu.Lock()
	tok, oauth := s.apiToken, s.oauthToken
	s.mu.Unlock()
	if user, pass, ok := r.BasicAuth(); ok {
		if strings.EqualFold(user, AgentEmail+"/token") && pass == tok {
			return "basic"
		}
		return "invalid"
	}
	if b, ok := strings.CutPrefix(h, "Bearer "); ok && b == oauth {
		return "bearer"
	}
	return "invalid"
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	auth := s.authOf(r)
	p := strings.TrimSuffix(r.URL.Path, ".json")
	anonymousOK := p == "/api/v2/help_center/articles/search" || p == "/api/v2/users/me"
	if auth == "invalid" || (auth == "none" && !anonymousOK) {
		zdError(w, http.StatusUnauthorized, "Couldn't authenticate you", "", nil)
		return
	}
	switch {
	case p == "/api/v2/tickets" && r.Method == http.MethodPost:
		s.createTicket(w, r)
	case p == "/api/v2/tickets" && r.Method == http.MethodGet:
		s.listTickets(w, r, 0)
	case p == "/api/v2/users/search" && r.Method == http.MethodGet:
		s.searchUsers(w, r)
	case p == "/api/v2/users/me" && r.Method == http.MethodGet:
		s.me(w, auth)
	case strings.HasPrefix(p, "/api/v2/users/") && strings.HasSuffix(p, "/tickets/requested") && r.Method == http.MethodGet:
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(p, "/api/v2/users/"), "/tickets/requested"), 10, 64)
		if err != nil || !s.userExists(id) {
			zdError(w, http.StatusNotFound, "RecordNotFound", "Not found", nil)
			return
		}
		s.listTickets(w, r, id)
	case p == "/api/v2/help_center/articles/search" && r.Method == http.MethodGet:
		s.searchArticles(w, r)
	default:
		zdError(w, http.StatusNotFound, "InvalidEndpoint", "Not found", nil)
	}
}

func (s *Server) userExists(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) me(w http.ResponseWriter, auth string) {
	if auth == "none" {
		// Zendesk answers the anonymous user rather than 401 here.
		writeJSON(w, http.StatusOK, map[string]any{"user": map[string]any{"id": nil, "name": "Anonymous user", "email": "invalid@example.com", "role": "end-user"}})
		return
	}
	s.mu.Lock()
	u := *s.users[0]
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"user": u})
}

type createReq struct {
	Ticket *struct {
		Subject string `json:"subject"`
		Comment *struct {
			Body     string `json:"body"`
			HTMLBody string `json:"html_body"`
		} `json:"comment"`
		Priority  *string `json:"priority"`
		Requester *struct {
			Email string `json:"email"`
			Name  string `json:"name"`
		} `json:"requester"`
		ExternalID *string  `json:"external_id"`
		Tags       []string `json:"tags"`
	} `json:"ticket"`
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		zdError(w, http.StatusBadRequest, "Unsupported Content-Type", "Content-Type must be application/json", nil)
		return
	}
	var req createReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Ticket == nil {
		zdError(w, http.StatusBadRequest, "Invalid JSON", "The request body is not a ticket object", nil)
		return
	}
	in := req.Ticket
	details := map[string][]map[string]string{}
	if in.Comment == nil || strings.TrimSpace(in.Comment.Body+in.Comment.HTMLBody) == "" {
		details["description"] = []map[string]string{{"description": "Description: cannot be blank", "error": "BlankValue"}}
	}
	if in.Requester == nil {
		details["requester"] = []map[string]string{{"description": "Requester: cannot be blank", "error": "BlankValue"}}
	} else if a, err := mail.ParseAddress(in.Requester.Email); err != nil || a.Address != in.Requester.Email {
		details["requester"] = []map[string]string{{"description": "Requester: Email is invalid", "error": "InvalidValue"}}
	}
	if in.Priority != nil {
		switch *in.Priority {
		case "low", "normal", "high", "urgent":
		default:
			details["priority"] = []map[string]string{{"description": "Priority: is invalid", "error": "InvalidValue"}}
		}
	}
	if len(details) > 0 {
		zdError(w, http.StatusUnprocessableEntity, "RecordInvalid", "Record validation errors", details)
		return
	}
	s.mu.Lock()
	now := s.now()
	u := s.userFor(in.Requester.Email, in.Requester.Name, now)
	t := &Ticket{Subject: in.Subject, Description: in.Comment.Body, Status: "new", Priority: in.Priority,
		RequesterID: u.ID, SubmitterID: s.users[0].ID, ExternalID: in.ExternalID, Tags: in.Tags}
	if t.Subject == "" {
		t.Subject, _, _ = strings.Cut(t.Description, "\n")
	}
	t = s.addTicket(t, now)
	out := *t
	s.mu.Unlock()
	w.Header().Set("Location", out.URL)
	writeJSON(w, http.StatusCreated, map[string]any{
		"ticket": out,
		"audit": map[string]any{"id": out.ID*10 + 1, "ticket_id": out.ID, "created_at": out.CreatedAt,
			"author_id": out.SubmitterID, "events": []any{}},
	})
}

// listTickets serves GET /api/v2/tickets (filtered by external_id) and
// /api/v2/users/{id}/tickets/requested (requester != 0), oldest first, with cursor
// pagination when page[size] is given and offset pagination otherwise.
func (s *Server) listTickets(w http.ResponseWriter, r *http.Request, requester int64) {
	q := r.URL.Query()
	s.mu.Lock()
	var list []Ticket
	ext, byExt := q["external_id"]
	for _, t := range s.tickets {
		switch {
		case requester != 0 && t.RequesterID != requester:
			continue
		case byExt && (t.ExternalID == nil || *t.ExternalID != ext[0]):
			continue
		}
		list = append(list, *t)
	}
	var users []User
	if strings.Contains(","+q.Get("include")+",", ",users,") {
		for _, u := range s.users {
			for _, t := range list {
				if t.RequesterID == u.ID || t.SubmitterID == u.ID {
					users = append(users, *u)
					break
				}
			}
		}
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	body := map[string]any{}
	if users != nil {
		body["users"] = users
	}
	if size := q.Get("page[size]"); size != "" {
		n, err := strconv.Atoi(size)
		if err != nil || n < 1 {
			zdError(w, http.StatusBadRequest, "InvalidPaginationParameter", "page[size] must be a positive integer", nil)
			return
		}
		n = min(n, 100)
		start := 0
		if after := q.Get("page[after]"); after != "" {
			id, ok := decodeCursor(after)
			if !ok {
				zdError(w, http.StatusBadRequest, "InvalidPaginationParameter", "page[after] is not a valid cursor", nil)
				return
			}
			for start < len(list) && list[start].ID <= id {
				start++
			}
		}
		end := min(start+n, len(list))
		page := list[start:end]
		meta := map[string]any{"has_more": end < len(list), "after_cursor": nil, "before_cursor": nil}
		links := map[string]any{"next": nil, "prev": nil}
		if len(page) > 0 {
			after, before := encodeCursor(page[len(page)-1].ID), encodeCursor(page[0].ID)
			meta["after_cursor"], meta["before_cursor"] = after, before
			nq := cloneQuery(q)
			nq.Del("page[before]")
			nq.Set("page[after]", after)
			links["next"] = s.base() + r.URL.Path + "?" + nq.Encode()
			pq := cloneQuery(q)
			pq.Del("page[after]")
			pq.Set("page[before]", before)
			links["prev"] = s.base() + r.URL.Path + "?" + pq.Encode()
		}
		body["tickets"] = nonNil(page)
		body["meta"], body["links"] = meta, links
		writeJSON(w, http.StatusOK, body)
		return
	}
	page, next, prev, ok := s.offsetPage(w, r, len(list), 100)
	if !ok {
		return
	}
	body["tickets"] = nonNil(list[page[0]:page[1]])
	body["next_page"], body["previous_page"], body["count"] = next, prev, len(list)
	writeJSON(w, http.StatusOK, body)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func cloneQuery(q url.Values) url.Values {
	c := url.Values{}
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("zdtest:" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	v, ok := strings.CutPrefix(string(b), "zdtest:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil
}

// offsetPage reads page and per_page (1..maxPer), answering 400 for bad values, and
// returns the [start,end) window and the next/previous page links (nil at the ends).
func (s *Server) offsetPage(w http.ResponseWriter, r *http.Request, total, def int) (window [2]int, next, prev any, ok bool) {
	q := r.URL.Query()
	per, page := def, 1
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			zdError(w, http.StatusBadRequest, "InvalidPaginationParameter", "per_page must be an integer between 1 and 100", nil)
			return window, nil, nil, false
		}
		per = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			zdError(w, http.StatusBadRequest, "InvalidPaginationParameter", "page must be an integer greater than 0", nil)
			return window, nil, nil, false
		}
		page = n
	}
	start := min((page-1)*per, total)
	end := min(start+per, total)
	link := func(p int) string {
		nq := cloneQuery(q)
		nq.Set("page", strconv.Itoa(p))
		nq.Set("per_page", strconv.Itoa(per))
		return s.base() + r.URL.Path + "?" + nq.Encode()
	}
	if end < total {
		next = link(page + 1)
	}
	if page > 1 {
		prev = link(page - 1)
	}
	return [2]int{start, end}, next, prev, true
}

// searchUsers serves GET /api/v2/users/search?query=…, implementing the part of
// Zendesk's search syntax that matters for finding a user: terms separated by spaces
// (all must match), "OR" between terms (either may), keyword terms email:, name: and
// role:, double-quoted values, and a trailing * as a prefix wildcard. A bare term
// matches the name or email. So a connector that splices a hostile value into the
// query unquoted would see the result widen — the injection test relies on it.
func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query := q.Get("query")
	if ext := q.Get("external_id"); ext == "" && strings.TrimSpace(query) == "" {
		zdError(w, http.StatusBadRequest, "InvalidSearch", "query is required", nil)
		return
	}
	groups := parseUserQuery(query)
	s.mu.Lock()
	var found []User
	for _, u := range s.users {
		for _, g := range groups {
			if g.matches(u) {
				found = append(found, *u)
				break
			}
		}
	}
	s.mu.Unlock()
	window, next, prev, ok := s.offsetPage(w, r, len(found), 100)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": nonNil(found[window[0]:window[1]]),
		"next_page": next, "previous_page": prev, "count": len(found)})
}

type userTerm struct{ key, value string }

type userGroup []userTerm // all terms must match

func parseUserQuery(q string) []userGroup {
	var groups []userGroup
	var cur userGroup
	for _, tok := range splitQuery(q) {
		if tok == "OR" {
			groups = append(groups, cur)
			cur = nil
			continue
		}
		key, val, ok := strings.Cut(tok, ":")
		if !ok {
			key, val = "", tok
		}
		cur = append(cur, userTerm{key: strings.ToLower(key), value: strings.ToLower(strings.Trim(val, `"`))})
	}
	return append(groups, cur)
}

// splitQuery splits on spaces outside double quotes.
func splitQuery(q string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
			b.WriteRune(r)
		case r == ' ' && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

func (g userGroup) matches(u *User) bool {
	if len(g) == 0 {
		return false
	}
	for _, t := range g {
		var fields []string
		switch t.key {
		case "email":
			fields = []string{u.Email}
		case "name":
			fields = []string{strings.ToLower(u.Name)}
		case "role":
			fields = []string{u.Role}
		case "":
			fields = []string{u.Email, strings.ToLower(u.Name)}
		default:
			return false
		}
		ok := false
		for _, f := range fields {
			if v, wild := strings.CutSuffix(t.value, "*"); wild {
				ok = ok || strings.HasPrefix(f, v)
			} else {
				ok = ok || f == t.value
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "can": true, "do": true, "does": true, "for": true,
	"how": true, "i": true, "in": true, "is": true, "it": true, "me": true, "my": true, "of": true, "on": true,
	"or": true, "the": true, "to": true, "what": true, "when": true, "why": true, "with": true, "you": true,
	"your": true, "not": true, "near": true,
}

// words splits text into lower-cased letter/digit runs.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f)
	})
}

// stem strips the common English endings so "resetting" finds "reset".
func stem(w string) string {
	for _, suf := range []string{"ting", "ing", "ed", "es", "s"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

func terms(q string) map[string]bool {
	t := map[string]bool{}
	for _, w := range words(q) {
		if !stopWords[w] {
			t[stem(w)] = true
		}
	}
	return t
}

type hit struct {
	a     article
	score int
}

// searchArticles serves the Help Center article search: any query word (stop words
// aside) matches, title matches weigh five times body matches, results in relevance
// order with offset pagination (per_page default 25, at most 100).
func (s *Server) searchArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("query") && !q.Has("category") && !q.Has("section") && !q.Has("label_names") {
		zdError(w, http.StatusBadRequest, "InvalidSearch", "You must specify at least one of query, category, section or label_names", nil)
		return
	}
	want := terms(q.Get("query"))
	locale := strings.ToLower(q.Get("locale"))
	s.mu.Lock()
	arts := append([]article(nil), s.articles...)
	base := s.base()
	s.mu.Unlock()
	var hits []hit
	for _, a := range arts {
		if locale != "" && locale != a.Locale {
			continue
		}
		score := 0
		for _, w := range words(a.Title) {
			if want[stem(w)] {
				score += 5
			}
		}
		for _, w := range words(a.Body) {
			if want[stem(w)] {
				score++
			}
		}
		if score > 0 {
			hits = append(hits, hit{a, score})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].a.ID < hits[j].a.ID
	})
	window, next, prev, ok := s.offsetPage(w, r, len(hits), 25)
	if !ok {
		return
	}
	per := window[1] - window[0]
	if v := q.Get("per_page"); v != "" {
		per, _ = strconv.Atoi(v)
	} else {
		per = 25
	}
	page := 1
	if v := q.Get("page"); v != "" {
		page, _ = strconv.Atoi(v)
	}
	results := []map[string]any{}
	for _, h := range hits[window[0]:window[1]] {
		a := h.a
		results = append(results, map[string]any{
			"id":                  a.ID,
			"url":                 fmt.Sprintf("%s/api/v2/help_center/%s/articles/%d.json", base, a.Locale, a.ID),
			"html_url":            fmt.Sprintf("%s/hc/%s/articles/%d-%s", base, a.Locale, a.ID, a.Slug),
			"author_id":           9001,
			"comments_disabled":   false,
			"draft":               false,
			"promoted":            false,
			"position":            0,
			"vote_sum":            0,
			"vote_count":          0,
			"section_id":          360000000001,
			"created_at":          "2024-01-15T10:00:00Z",
			"updated_at":          "2025-01-15T10:00:00Z",
			"edited_at":           "2025-01-15T10:00:00Z",
			"name":                a.Title,
			"title":               a.Title,
			"source_locale":       "en-us",
			"locale":              a.Locale,
			"outdated":            false,
			"outdated_locales":    []string{},
			"permission_group_id": 1,
			"label_names":         []string{},
			"body":                "<p>" + html.EscapeString(a.Body) + "</p>",
			"snippet":             snippet(a.Body, want),
			"result_type":         "article",
		})
	}
	pageCount := 0
	if per > 0 {
		pageCount = (len(hits) + per - 1) / per
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "count": len(hits), "next_page": next,
		"previous_page": prev, "page": page, "per_page": per, "page_count": pageCount})
}

// snippet is the first body sentence holding a query word, HTML-escaped, with the
// matching words wrapped in <em></em> as Zendesk does.
func snippet(body string, want map[string]bool) string {
	sentences := strings.SplitAfter(body, ". ")
	pick := sentences[0]
	for _, sn := range sentences {
		found := false
		for _, w := range words(sn) {
			found = found || want[stem(w)]
		}
		if found {
			pick = sn
			break
		}
	}
	var b bytes.Buffer
	word := func(w string) {
		if want[stem(strings.ToLower(w))] {
			b.WriteString("<em>" + html.EscapeString(w) + "</em>")
		} else {
			b.WriteString(html.EscapeString(w))
		}
	}
	start := -1
	for i, r := range pick {
		isWord := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 0x7f
		switch {
		case isWord && start < 0:
			start = i
		case !isWord && start >= 0:
			word(pick[start:i])
			start = -1
			b.WriteString(html.EscapeString(string(r)))
		case !isWord:
			b.WriteString(html.EscapeString(string(r)))
		}
	}
	if start >= 0 {
		word(pick[start:])
	}
	return "..." + strings.TrimSpace(b.String()) + "..."
}
