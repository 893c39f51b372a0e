package zendesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/rest"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

const tool = Tool

// maxBody caps a response body read into memory. A page of 100 tickets with long
// descriptions stays well below it.
const maxBody = 8 << 20

// Options configure a Client. The zero value of every field but BaseURL and Auth is a
// usable default.
type Options struct {
	// BaseURL is the account's URL, e.g. https://acme.zendesk.com (or a stand-in).
	BaseURL string
	// Auth authenticates every request: httpauth.BasicAuth(...).WithUser(APITokenUser)
	// for an API token, httpauth.Bearer for an OAuth access token. A 401/403 refreshes
	// it once and replays the request (httpauth.Client).
	Auth httpauth.Method
	// HTTPClient sends the requests. Default: a client without a timeout (deadlines
	// come from ctx).
	HTTPClient *http.Client
	// Locale restricts Help Center search to one locale ("en-us"); "" sends none.
	Locale string
	// PageSize is the page size of ticket and user lists, 1..100 (default 100).
	PageSize int
	// MaxPages bounds the pages of one requester's tickets read by OpenTickets
	// (default 10).
	MaxPages int
	// RequestURL is the base of the link given to customers for a ticket; the link is
	// RequestURL + id. Default BaseURL + "/hc/requests/".
	RequestURL string
	// Tags are added to every created ticket (and connector.UnverifiedTag to one
	// filed for a requester who did not prove the email).
	Tags []string
	// LinkHosts are the hosts a ticket's or an article's link may point to: any other
	// link, and any link that is not https, is dropped (the ticket or article is shown
	// without one). Default: the hosts of BaseURL and RequestURL.
	LinkHosts []string
	Logger    *slog.Logger
}

// APITokenUser is the basic-auth user name of a Zendesk API token: "<email>/token",
// read from the secret's email key. Use it with httpauth.BasicAuth(p, id, "email",
// "api_token").WithUser(APITokenUser).
func APITokenUser(s secrets.Secret) string {
	if s["email"] == "" {
		return ""
	}
	return s["email"] + "/token"
}

// Client implements connector.Helpdesk, connector.KnowledgeBase and connector.Pinger
// over Zendesk. It is safe for concurrent use.
type Client struct {
	base *url.URL
	api  *rest.Backend
	opts Options
	log  *slog.Logger

	creates keyedMutex
	known   requesterCache
}

var (
	_ connector.Helpdesk      = (*Client)(nil)
	_ connector.KnowledgeBase = (*Client)(nil)
	_ connector.Pinger        = (*Client)(nil)
)

// New builds a Client.
func New(o Options) (*Client, error) {
	if o.Auth == nil {
		return nil, errors.New("zendesk: no auth method configured")
	}
	u, err := rest.ParseBase(o.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("zendesk: base URL %q is not an absolute http(s) URL", o.BaseURL)
	}
	if o.PageSize <= 0 || o.PageSize > 100 {
		o.PageSize = 100
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 10
	}
	if o.RequestURL == "" {
		o.RequestURL = u.String() + "/hc/requests/"
	}
	if len(o.LinkHosts) == 0 {
		o.LinkHosts = []string{plaintext.HostOf(u.String()), plaintext.HostOf(o.RequestURL)}
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	api, err := rest.New(rest.Options{Tool: tool, BaseURL: u.String(), HTTPClient: o.HTTPClient, Auth: o.Auth,
		Header: http.Header{"User-Agent": {"switchboard"}}, MaxBody: maxBody, DecodeError: decodeError})
	if err != nil {
		return nil, err
	}
	return &Client{base: u, api: api, opts: o, log: log}, nil
}

// HonoursExternalID reports that CreateTicket deduplicates by NewTicket.ExternalID, so
// the resilience layer may retry a ticket creation that carries one.
func (c *Client) HonoursExternalID() bool { return true }

// AuthMethod names the auth method, for `switchboard check`.
func (c *Client) AuthMethod() string { return c.opts.Auth.Name() }

// do sends one request through the shared REST backend and decodes a 2xx JSON answer
// into out (when non-nil). ref is a path with its query or a pagination link; a link
// to another host is refused, since the credentials must never leave the account.
// Every failure is a *connector.Error.
func (c *Client) do(ctx context.Context, op, method, ref string, body, out any) error {
	start := time.Now()
	resp, err := c.api.Do(ctx, rest.Request{Op: op, Method: method, Path: ref, LinkField: "next_page", JSON: body})
	if err == nil && out != nil {
		err = decode(op, resp.Body, out)
	}
	if err != nil {
		c.log.DebugContext(ctx, "zendesk call failed", slog.String("tool", tool), slog.String("op", op),
			slog.String("error_class", connector.KindOf(err).String()), slog.Duration("elapsed", time.Since(start)))
	}
	return err
}

// statusError maps a non-2xx answer onto a connector error as the REST backend does.
func statusError(op string, resp *http.Response, raw []byte, now time.Time) error {
	return rest.StatusError(tool, op, resp.StatusCode, resp.Header, raw, now, decodeError)
}

// decodeError reads Zendesk's error body ({"error", "description", "details"}) into e
// (rest.ErrorDecoder): the code and the offending fields. Its description is kept out
// of the error because it can echo customer data. Zendesk's statuses mean what
// rest.Classify says (404 a missing record, 409 a conflicting write).
func decodeError(e *connector.Error, _ http.Header, raw []byte, _ time.Time) {
	ze := parseError(raw)
	e.Code = ze.Code
	e.Field = ze.Field()
	e.Err = ze.cause()
}

// decode unmarshals a 2xx body, naming the field that does not fit.
func decode(op string, raw []byte, out any) error {
	err := json.Unmarshal(raw, out)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// Go names the embedded Paging struct in the path; Zendesk's JSON has no such
		// level. Newer encoding/json implementations also name array indices
		// (results.0.title): the field, not the position, is what the error names.
		field := fieldPath(strings.ReplaceAll(te.Field, "Paging.", ""))
		if field == "" {
			field = "body"
		}
		return connector.InvalidResponse(tool, op, field, fmt.Errorf("got JSON %s, want %s", te.Value, te.Type))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return connector.InvalidResponse(tool, op, "body", fmt.Errorf("not JSON (offset %d)", se.Offset))
	}
	return connector.InvalidResponse(tool, op, "body", errors.New("undecodable answer"))
}

// keyedMutex serializes work per key (ticket creations per external id), so that
// concurrent turns in one process cannot both miss the lookup and both create.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	ch   chan struct{}
	refs int
}

// lock waits for key, or for ctx. The returned func releases it.
func (k *keyedMutex) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{ch: make(chan struct{}, 1)}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		e.refs--
		if e.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
	select {
	case e.ch <- struct{}{}:
		return func() { <-e.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// requesterCache remembers the user ids of requesters this process filed tickets for.
// Zendesk's user search is served from a search index that can take minutes to list a
// user created by a new ticket; the cache lets OpenTickets find that requester's
// tickets at once. It is bounded and only consulted when the search finds nobody.
type requesterCache struct {
	mu sync.Mutex
	m  map[string][]int64
}

const maxRemembered = 10000

func (r *requesterCache) remember(email string, id int64) {
	if id == 0 {
		return
	}
	email = strings.ToLower(email)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || len(r.m) >= maxRemembered {
		r.m = map[string][]int64{}
	}
	for _, have := range r.m[email] {
		if have == id {
			return
		}
	}
	r.m[email] = append(r.m[email], id)
}

func (r *requesterCache) lookup(email string) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := append([]int64(nil), r.m[strings.ToLower(email)]...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// fieldPath drops array indices from a JSON path: results.0.title → results.title.
func fieldPath(p string) string {
	parts := strings.Split(p, ".")
	kept := parts[:0]
	for _, part := range parts {
		if _, err := strconv.Atoi(part); err == nil {
			continue
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, ".")
}

// link is raw when it is an https URL on one of the allowed link hosts, else "".
func (c *Client) link(raw string) string {
	if plaintext.AllowedHost(raw, c.opts.LinkHosts) {
		return raw
	}
	return ""
}
