package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

const tool = Tool

// Defaults.
const (
	DefaultBaseURL        = "https://api.hubapi.com"
	DefaultTokenKey       = "token"
	DefaultPlanProperty   = "plan"
	DefaultStatusProperty = "customer_status"
	DefaultPageSize       = 10
	DefaultMaxResults     = 100
	// MaxPageSize is the search endpoint's largest limit.
	MaxPageSize = 200
	// None, as PlanProperty or StatusProperty, reads no property for that value.
	None    = "none"
	maxBody = 8 << 20
)

// Options configure a Client. Every zero value but the credentials is a usable default.
type Options struct {
	// Auth authenticates requests. When nil, the private-app access token is read
	// from key TokenKey ("token") of secret SecretID in Secrets and sent as a bearer.
	Auth     httpauth.Method
	Secrets  secrets.Provider
	SecretID string
	TokenKey string
	// BaseURL is the API root, DefaultBaseURL when empty.
	BaseURL string
	// HTTPClient makes the calls. Default: a client without a timeout; deadlines come
	// from ctx.
	HTTPClient *http.Client
	// PlanProperty and StatusProperty are the contact properties (internal names)
	// read into Customer.Plan and Customer.Status: DefaultPlanProperty and
	// DefaultStatusProperty when empty, nothing when None.
	PlanProperty   string
	StatusProperty string
	// PageSize is the search limit per request (1..200, default 10); MaxResults
	// bounds how many matching contacts one lookup reads across pages (default 100).
	PageSize   int
	MaxResults int
	Logger     *slog.Logger
}

// Client implements connector.CustomerDirectory and connector.Pinger over HubSpot.
type Client struct {
	http       *httpauth.Client
	auth       httpauth.Method
	base       string
	props      props
	pageSize   int
	maxResults int
	log        *slog.Logger
}

var (
	_ connector.CustomerDirectory = (*Client)(nil)
	_ connector.Pinger            = (*Client)(nil)
)

// New checks opts and builds a Client.
func New(opts Options) (*Client, error) {
	c := &Client{auth: opts.Auth, base: strings.TrimRight(opts.BaseURL, "/"), pageSize: opts.PageSize,
		maxResults: opts.MaxResults, log: opts.Logger}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if u, err := url.Parse(c.base); err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("hubspot: base URL %q is not an absolute URL", opts.BaseURL)
	}
	if c.pageSize == 0 {
		c.pageSize = DefaultPageSize
	}
	if c.pageSize < 1 || c.pageSize > MaxPageSize {
		return nil, fmt.Errorf("hubspot: page size %d is outside 1..%d", c.pageSize, MaxPageSize)
	}
	if c.maxResults <= 0 {
		c.maxResults = DefaultMaxResults
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	for _, p := range []struct {
		dst      *string
		val, def string
		name     string
	}{{&c.props.Plan, opts.PlanProperty, DefaultPlanProperty, "plan"}, {&c.props.Status, opts.StatusProperty, DefaultStatusProperty, "status"}} {
		switch p.val {
		case "":
			*p.dst = p.def
		case None:
		default:
			if !ValidProperty(p.val) {
				return nil, fmt.Errorf("hubspot: %s property %q is not a property's internal name", p.name, p.val)
			}
			*p.dst = p.val
		}
	}
	if c.auth == nil {
		if opts.Secrets == nil || opts.SecretID == "" {
			return nil, errors.New("hubspot: no credentials configured (Auth, or Secrets and SecretID)")
		}
		key := opts.TokenKey
		if key == "" {
			key = DefaultTokenKey
		}
		c.auth = httpauth.Bearer(opts.Secrets, opts.SecretID, key)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	c.http = &httpauth.Client{HTTP: hc, Auth: c.auth}
	return c, nil
}

// AuthMethod names the authentication method, for `switchboard check`.
func (c *Client) AuthMethod() string { return c.auth.Name() }

// Filter, FilterGroup and SearchRequest are the search endpoint's request body.
type (
	Filter struct {
		PropertyName string `json:"propertyName"`
		Operator     string `json:"operator"`
		Value        string `json:"value,omitempty"`
	}
	FilterGroup struct {
		Filters []Filter `json:"filters"`
	}
	SearchRequest struct {
		FilterGroups []FilterGroup `json:"filterGroups"`
		Properties   []string      `json:"properties,omitempty"`
		Limit        int           `json:"limit,omitempty"`
		After        string        `json:"after,omitempty"`
	}
)

// EmailSearch is the search body that finds contacts by email. HubSpot keeps email
// addresses in lower case, so the value is lower-cased; being JSON, it needs no
// escaping, and EQ takes it literally (no wildcards).
func EmailSearch(email string, properties []string, limit int, after string) SearchRequest {
	return SearchRequest{
		FilterGroups: []FilterGroup{{Filters: []Filter{{PropertyName: "email", Operator: "EQ", Value: strings.ToLower(email)}}}},
		Properties:   properties,
		Limit:        limit,
		After:        after,
	}
}

// FindCustomerByEmail searches contacts by email, follows paging.next.after, and
// returns the chosen contact.
func (c *Client) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	const op = "search_contacts"
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 {
		return connector.Customer{}, &connector.Error{Kind: connector.KindInvalidInput, Tool: tool, Op: op,
			Field: "email", Err: errors.New("not an email address")}
	}
	var found []contact
	after := ""
	seen := 0
	for {
		body, err := json.Marshal(EmailSearch(email, c.props.list(), c.pageSize, after))
		if err != nil {
			return connector.Customer{}, &connector.Error{Kind: connector.KindInvalidInput, Tool: tool, Op: op, Err: err}
		}
		raw, err := c.do(ctx, op, http.MethodPost, "/crm/v3/objects/contacts/search", body)
		if err != nil {
			return connector.Customer{}, err
		}
		p, err := parsePage(op, raw)
		if err != nil {
			return connector.Customer{}, err
		}
		for _, r := range p.Results {
			at := "results[" + strconv.Itoa(seen) + "]"
			seen++
			ct, err := normalize(op, at, r, c.props, email)
			if err != nil {
				return connector.Customer{}, err
			}
			if !strings.EqualFold(ct.Email, email) {
				c.log.WarnContext(ctx, "hubspot returned a contact with another email; ignored",
					slog.String("tool", tool), slog.String("op", op), slog.String("id", ct.ID))
				continue
			}
			found = append(found, ct)
		}
		if p.After == "" || p.After == after || len(p.Results) == 0 {
			break
		}
		if seen >= c.maxResults {
			c.log.WarnContext(ctx, "hubspot matches exceed max_results; choosing among those read",
				slog.String("tool", tool), slog.Int("read", seen), slog.Int("total", p.Total))
			break
		}
		after = p.After
	}
	if len(found) == 0 {
		return connector.Customer{}, connector.NotFound(tool, op)
	}
	return choose(found).Customer, nil
}

// Ping authenticates and reads one contact, then checks that the configured plan and
// status properties exist, so a typo fails `switchboard check` rather than leaving
// those values silently empty (HubSpot ignores unknown properties in reads).
func (c *Client) Ping(ctx context.Context) error {
	q := url.Values{"limit": {"1"}, "properties": {strings.Join(c.props.list(), ",")}}
	raw, err := c.do(ctx, "ping", http.MethodGet, "/crm/v3/objects/contacts?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	if _, err := parsePage("ping", raw); err != nil {
		return err
	}
	for _, name := range []string{c.props.Plan, c.props.Status} {
		if name == "" {
			continue
		}
		if _, err := c.do(ctx, "read_property", http.MethodGet, "/crm/v3/properties/contacts/"+url.PathEscape(name), nil); err != nil {
			var ce *connector.Error
			if errors.As(err, &ce) && ce.StatusCode == http.StatusNotFound {
				ce.Field = name
			}
			return err
		}
	}
	return nil
}

// do sends one request through httpauth.Client (which refreshes the token once and
// replays on 401/403) and returns the body of a 2xx answer.
func (c *Client) do(ctx context.Context, op, method, path string, body []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, connector.Transport(ctx, tool, op, err)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, &connector.Error{Kind: connector.KindInvalidInput, Tool: tool, Op: op, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, requestError(ctx, op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, connector.Transport(ctx, tool, op, err)
	}
	if len(raw) > maxBody {
		return nil, connector.InvalidResponse(tool, op, "body", fmt.Errorf("larger than %d bytes", maxBody))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, statusError(op, resp.StatusCode, resp.Header, raw, time.Now())
	}
	return raw, nil
}
