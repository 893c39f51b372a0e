package hubspot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/rest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

const tool = Tool

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

// Client implements connector.CustomerDirectory, connector.CustomerUpdater and
// connector.Pinger over HubSpot.
type Client struct {
	api        *rest.Backend
	auth       httpauth.Method
	props      props
	defaults   []string // the properties in use only as defaults (a stock portal lacks them)
	pageSize   int
	maxResults int
	log        *slog.Logger
}

var (
	_ connector.CustomerDirectory = (*Client)(nil)
	_ connector.CustomerUpdater   = (*Client)(nil)
	_ connector.Pinger            = (*Client)(nil)
)

// New checks opts and builds a Client.
func New(opts Options) (*Client, error) {
	c := &Client{auth: opts.Auth, pageSize: opts.PageSize, maxResults: opts.MaxResults, log: opts.Logger}
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if _, err := rest.ParseBase(base); err != nil {
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
		// The configuration fills the default in, so the default's name is the default.
		switch p.val {
		case "", p.def:
			*p.dst = p.def
			c.defaults = append(c.defaults, p.def)
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
	api, err := rest.New(rest.Options{Tool: tool, BaseURL: base, HTTPClient: opts.HTTPClient, Auth: c.auth,
		MaxBody: maxBody, DecodeError: decodeError})
	if err != nil {
		return nil, err
	}
	c.api = api
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
	// SearchRequest is PublicObjectSearchRequest: HubSpot's published spec requires
	// after, filterGroups, limit, properties and sorts, so every one is always sent
	// (page 1's cursor is "0", no sort is an empty list).
	SearchRequest struct {
		FilterGroups []FilterGroup `json:"filterGroups"`
		Properties   []string      `json:"properties"`
		Limit        int           `json:"limit"`
		After        string        `json:"after"`
		Sorts        []string      `json:"sorts"`
	}
)

// EmailSearch is the search body that finds contacts by email. HubSpot keeps email
// addresses in lower case, so the value is lower-cased; being JSON, it needs no
// escaping, and EQ takes it literally (no wildcards).
func EmailSearch(email string, properties []string, limit int, after string) SearchRequest {
	if properties == nil {
		properties = []string{}
	}
	if after == "" {
		after = "0"
	}
	return SearchRequest{
		FilterGroups: []FilterGroup{{Filters: []Filter{{PropertyName: "email", Operator: "EQ", Value: strings.ToLower(email)}}}},
		Properties:   properties,
		Limit:        limit,
		After:        after,
		Sorts:        []string{},
	}
}

// FindCustomerByEmail searches contacts by email, follows paging.next.after, and
// returns the chosen contact.
func (c *Client) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	ct, err := c.findContact(ctx, email)
	if err != nil {
		return connector.Customer{}, err
	}
	return ct.Customer, nil
}

// findContact is FindCustomerByEmail's search: the contact chosen among those with
// this email.
func (c *Client) findContact(ctx context.Context, email string) (contact, error) {
	const op = "search_contacts"
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 {
		return contact{}, &connector.Error{Kind: connector.KindInvalidInput, Tool: tool, Op: op,
			Field: "email", Err: errors.New("not an email address")}
	}
	var found []contact
	after := ""
	seen := 0
	for {
		raw, err := c.do(ctx, rest.Request{Op: op, Method: http.MethodPost, Path: "/crm/v3/objects/contacts/search",
			JSON: EmailSearch(email, c.props.list(), c.pageSize, after), ReadOnly: true})
		if err != nil {
			return contact{}, err
		}
		p, err := parsePage(op, raw)
		if err != nil {
			return contact{}, err
		}
		for _, r := range p.Results {
			at := "results[" + strconv.Itoa(seen) + "]"
			seen++
			ct, err := normalize(op, at, r, c.props, email)
			if err != nil {
				return contact{}, err
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
		return contact{}, connector.NotFound(tool, op)
	}
	return choose(found), nil
}

// Ping authenticates and reads one contact, then checks that the configured plan and
// status properties exist, so a typo fails `switchboard check` rather than leaving
// those values silently empty (HubSpot ignores unknown properties in reads).
func (c *Client) Ping(ctx context.Context) error {
	q := url.Values{"limit": {"1"}, "properties": {strings.Join(c.props.list(), ",")}}
	raw, err := c.do(ctx, rest.Request{Op: "ping", Path: "/crm/v3/objects/contacts?" + q.Encode()})
	if err != nil {
		return err
	}
	if _, err := parsePage("ping", raw); err != nil {
		return err
	}
	var absent []string
	for _, name := range []string{c.props.Plan, c.props.Status} {
		if name == "" {
			continue
		}
		if _, err := c.do(ctx, rest.Request{Op: "read_property", Path: "/crm/v3/properties/contacts/" + url.PathEscape(name)}); err != nil {
			var ce *connector.Error
			if errors.As(err, &ce) && ce.StatusCode == http.StatusNotFound {
				// A default property a stock portal lacks only warns: lookups answer
				// without it (HubSpot ignores unknown properties in reads).
				if slices.Contains(c.defaults, name) {
					absent = append(absent, name)
					continue
				}
				ce.Field = name
			}
			return err
		}
	}
	if len(absent) > 0 {
		return &connector.Warning{Msg: fmt.Sprintf("hubspot: the default contact properties %s do not exist in this portal; customers are answered without them (set plan_property/status_property, or none)",
			strings.Join(absent, ", "))}
	}
	return nil
}

// do sends one request through the shared REST backend (whose httpauth client
// refreshes the token once and replays on 401/403) and returns the body of a 2xx
// answer.
func (c *Client) do(ctx context.Context, r rest.Request) ([]byte, error) {
	resp, err := c.api.Do(ctx, r)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}
