package salesforce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/connector/rest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

const tool = Tool

// TokenURL is the client-credentials token endpoint of an org's My Domain URL
// (https://<my-domain>.my.salesforce.com).
func TokenURL(loginURL string) string {
	return strings.TrimRight(loginURL, "/") + "/services/oauth2/token"
}

// TokenSource hands out OAuth access tokens whose Extra("instance_url") is the org's
// API host. *httpauth.ClientCredentials is one.
type TokenSource interface {
	Token(ctx context.Context) (*oauth2.Token, error)
	Refresh(ctx context.Context) error
}

// Options configure a Client. Every zero value but the credentials is a usable default.
type Options struct {
	// Auth supplies tokens. When nil, Secrets, SecretID and LoginURL build the
	// client-credentials grant (secret keys client_id, client_secret, optional
	// token_url).
	Auth     TokenSource
	Secrets  secrets.Provider
	SecretID string
	LoginURL string
	// InstanceURL overrides the token answer's instance_url.
	InstanceURL string
	// APIVersion is the REST API version, "v61.0" by default.
	APIVersion string
	// HTTPClient makes the API calls (and, when Auth is nil, the token calls).
	// Default: a client without a timeout; deadlines come from ctx.
	HTTPClient *http.Client
	// PlanField and StatusField are SOQL field paths read into Customer.Plan and
	// Customer.Status: DefaultPlanField and DefaultStatusField when empty, nothing
	// when None.
	PlanField   string
	StatusField string
	// BatchSize asks for query batches of this many records (Sforce-Query-Options,
	// 200 to 2000); 0 leaves Salesforce's default of 2000.
	BatchSize int
	// MaxRecords bounds how many duplicate contacts one lookup reads across pages.
	MaxRecords int
	Logger     *slog.Logger
}

// Client implements connector.CustomerDirectory, connector.CustomerUpdater and
// connector.Pinger over Salesforce.
type Client struct {
	auth     TokenSource
	authName string
	instance string
	version  string
	hc       *http.Client
	api      *rest.Backend
	fields   fieldMap
	// defaults lists the fields in use only because they are the defaults
	// (Account.Plan__c, Account.Status__c): a stock org lacks them, so on INVALID_FIELD
	// they are dropped for good (dropped) and the customer answered without them.
	defaults   []string
	dropped    atomic.Bool
	batchSize  int
	maxRecords int
	log        *slog.Logger
}

var (
	_ connector.CustomerDirectory = (*Client)(nil)
	_ connector.CustomerUpdater   = (*Client)(nil)
	_ connector.Pinger            = (*Client)(nil)
)

// New checks opts and builds a Client.
func New(opts Options) (*Client, error) {
	c := &Client{auth: opts.Auth, authName: httpauth.NameOAuth2, version: opts.APIVersion,
		hc: opts.HTTPClient, batchSize: opts.BatchSize, maxRecords: opts.MaxRecords, log: opts.Logger}
	if c.version == "" {
		c.version = DefaultAPIVersion
	}
	if !ValidAPIVersion(c.version) {
		return nil, fmt.Errorf("salesforce: API version %q is not of the form v61.0", c.version)
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.maxRecords <= 0 {
		c.maxRecords = DefaultMaxRecords
	}
	if c.batchSize != 0 && (c.batchSize < 200 || c.batchSize > 2000) {
		return nil, fmt.Errorf("salesforce: batch size %d is outside 200..2000", c.batchSize)
	}
	if opts.InstanceURL != "" {
		u, err := url.Parse(opts.InstanceURL)
		if err != nil || !u.IsAbs() || u.Host == "" {
			return nil, fmt.Errorf("salesforce: instance URL %q is not an absolute URL", opts.InstanceURL)
		}
		c.instance = strings.TrimRight(opts.InstanceURL, "/")
	}
	for _, f := range []struct {
		dst  *string
		val  string
		def  string
		name string
	}{{&c.fields.Plan, opts.PlanField, DefaultPlanField, "plan"}, {&c.fields.Status, opts.StatusField, DefaultStatusField, "status"}} {
		// The configuration fills the default in, so the default's path is the default.
		switch f.val {
		case "", f.def:
			*f.dst = f.def
			c.defaults = append(c.defaults, f.def)
		case None:
		default:
			if !ValidField(f.val) {
				return nil, fmt.Errorf("salesforce: %s field %q is not a SOQL field path such as Account.Plan__c", f.name, f.val)
			}
			*f.dst = f.val
		}
	}
	if c.auth == nil {
		if opts.Secrets == nil || opts.SecretID == "" {
			return nil, errors.New("salesforce: no credentials configured (Auth, or Secrets and SecretID)")
		}
		if opts.LoginURL == "" {
			return nil, errors.New("salesforce: no login URL configured (the org's My Domain URL)")
		}
		c.auth = httpauth.OAuth2(opts.Secrets, opts.SecretID, TokenURL(opts.LoginURL), nil, opts.HTTPClient)
	}
	// The backend has no Auth: the host of every call comes with the token
	// (instance_url), so get applies the token and handles a 401 itself.
	api, err := rest.New(rest.Options{Tool: tool, HTTPClient: c.hc, MaxBody: maxBody, DecodeError: decodeError})
	if err != nil {
		return nil, err
	}
	c.api = api
	return c, nil
}

// AuthMethod names the authentication method, for `switchboard check`.
func (c *Client) AuthMethod() string { return c.authName }

// FindCustomerByEmail runs a SOQL query on Contact by email, follows nextRecordsUrl
// until done (duplicates may span batches), and returns the chosen contact.
func (c *Client) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	ct, err := c.findContact(ctx, email)
	if err != nil {
		return connector.Customer{}, err
	}
	return ct.Customer, nil
}

// findContact is FindCustomerByEmail's lookup: the contact chosen among those with
// this email.
func (c *Client) findContact(ctx context.Context, email string) (contact, error) {
	const op = "query_contacts"
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 {
		return contact{}, &connector.Error{Kind: connector.KindInvalidInput, Tool: tool, Op: op,
			Field: "email", Err: errors.New("not an email address")}
	}
	fields := c.effectiveFields()
	var found []contact
	start := time.Now()
	next := "/services/data/" + c.version + "/query?q=" + url.QueryEscape(ContactQuery(email, fields.extra()...))
	seen, pages := 0, 0
	for next != "" {
		p, err := c.query(ctx, op, next)
		if pages == 0 && c.dropDefaults(ctx, err) {
			fields = c.effectiveFields()
			next = "/services/data/" + c.version + "/query?q=" + url.QueryEscape(ContactQuery(email, fields.extra()...))
			p, err = c.query(ctx, op, next)
		}
		if err != nil {
			return contact{}, err
		}
		pages++
		for _, raw := range p.Records {
			at := "records[" + strconv.Itoa(seen) + "]"
			seen++
			ct, err := normalize(op, at, raw, fields, email)
			if err != nil {
				return contact{}, err
			}
			// SOQL's = is case-insensitive; anything else means the filter did not
			// hold, and such a record must never be shown as this customer.
			if !strings.EqualFold(ct.Email, email) {
				c.log.WarnContext(ctx, "salesforce returned a contact with another email; ignored",
					slog.String("tool", tool), slog.String("op", op), slog.String("id", ct.ID))
				continue
			}
			found = append(found, ct)
		}
		next = ""
		if !p.Done {
			if seen >= c.maxRecords {
				c.log.WarnContext(ctx, "salesforce duplicate contacts exceed max_records; choosing among those read",
					slog.String("tool", tool), slog.Int("read", seen), slog.Int("total", p.TotalSize))
				break
			}
			next = p.NextRecordsURL
		}
	}
	if len(found) == 0 {
		return contact{}, connector.NotFound(tool, op)
	}
	if len(found) > 1 {
		c.log.InfoContext(ctx, "salesforce has duplicate contacts for one email", slog.String("tool", tool),
			slog.Int("contacts", len(found)), slog.Int("pages", pages), slog.Duration("elapsed", time.Since(start)))
	}
	return choose(found), nil
}

// Ping authenticates and reads one contact with every configured field. A default
// plan or status field the org lacks is a Warning (lookups answer without it); a
// field configured by name that the org lacks fails.
func (c *Client) Ping(ctx context.Context) error {
	path := func() string {
		return "/services/data/" + c.version + "/query?q=" + url.QueryEscape(pingQuery(c.effectiveFields().extra()...))
	}
	_, err := c.query(ctx, "ping", path())
	if c.dropDefaults(ctx, err) {
		if _, err := c.query(ctx, "ping", path()); err != nil {
			return err
		}
		return &connector.Warning{Msg: fmt.Sprintf("salesforce: the default fields %s do not exist in this org; customers are answered without plan/status (set plan_field/status_field, or none)",
			strings.Join(c.defaults, ", "))}
	}
	return err
}

// effectiveFields are the fields to query: the configured ones, less the defaults once
// the org has refused them.
func (c *Client) effectiveFields() fieldMap {
	f := c.fields
	if c.dropped.Load() {
		for _, d := range c.defaults {
			if f.Plan == d {
				f.Plan = ""
			}
			if f.Status == d {
				f.Status = ""
			}
		}
	}
	return f
}

// dropDefaults reports whether err is Salesforce's INVALID_FIELD while default fields
// are still queried, and if so stops querying them.
func (c *Client) dropDefaults(ctx context.Context, err error) bool {
	var ce *connector.Error
	if len(c.defaults) == 0 || c.dropped.Load() || !errors.As(err, &ce) || ce.Code != "INVALID_FIELD" {
		return false
	}
	c.dropped.Store(true)
	c.log.WarnContext(ctx, "salesforce org lacks the default plan/status fields; answering without them",
		slog.String("tool", tool), slog.String("fields", strings.Join(c.defaults, ", ")))
	return true
}

// query fetches one query page.
func (c *Client) query(ctx context.Context, op, path string) (page, error) {
	body, err := c.call(ctx, op, http.MethodGet, path, nil)
	if err != nil {
		return page{}, err
	}
	return parsePage(op, body)
}

// call makes one API call and returns the body of its 2xx answer. A 401
// (INVALID_SESSION_ID: the session expired or was revoked) drops the token and replays
// once with a new one, whose instance_url is used afresh: a refused session applied
// nothing, so a write is replayed too. A 403 is not replayed: Salesforce uses it for
// REQUEST_LIMIT_EXCEEDED, which a new token does not cure. (httpauth.Client replays on
// both, and cannot change the host after a refresh, hence this loop.)
func (c *Client) call(ctx context.Context, op, method, path string, body any) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		b, err := c.send(ctx, op, method, path, body)
		var ce *connector.Error
		if errors.As(err, &ce) && ce.StatusCode == http.StatusUnauthorized && attempt == 0 {
			c.log.InfoContext(ctx, "salesforce session rejected, refreshing the token", slog.String("tool", tool), slog.String("op", op))
			if err := c.auth.Refresh(ctx); err != nil {
				return nil, authError(ctx, op, err)
			}
			continue
		}
		return b, err
	}
}

// send makes one call through the shared REST backend with the current token, on the
// token's instance, and returns the body of a 2xx answer. body, when not nil, is sent
// as JSON.
func (c *Client) send(ctx context.Context, op, method, path string, body any) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, connector.Transport(ctx, tool, op, err)
	}
	tok, err := c.auth.Token(ctx)
	if err != nil {
		return nil, authError(ctx, op, err)
	}
	base := c.instance
	if base == "" {
		s, _ := tok.Extra("instance_url").(string)
		if s == "" {
			return nil, connector.InvalidResponse(tool, "token", "instance_url", errors.New("missing from the token answer"))
		}
		base = strings.TrimRight(s, "/")
	}
	target, err := resolve(base, path)
	if err != nil {
		return nil, connector.InvalidResponse(tool, op, "nextRecordsUrl", err)
	}
	b, err := url.Parse(base)
	if err != nil {
		return nil, connector.InvalidResponse(tool, "token", "instance_url", errors.New("not a URL"))
	}
	hdr := http.Header{"Authorization": {tok.Type() + " " + tok.AccessToken}}
	if c.batchSize > 0 && method == http.MethodGet {
		hdr.Set("Sforce-Query-Options", "batchSize="+strconv.Itoa(c.batchSize))
	}
	resp, err := c.api.Do(ctx, rest.Request{Op: op, Method: method, Base: b, Path: target, LinkField: "nextRecordsUrl",
		Header: hdr, JSON: body})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// resolve joins a relative nextRecordsUrl (or the first query path) onto the instance.
// An absolute URL on another host is refused: the bearer token must not leave the org.
func resolve(base, path string) (string, error) {
	u, err := url.Parse(path)
	if err != nil {
		return "", errors.New("not a URL")
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", errors.New("instance URL is not a URL")
	}
	if u.IsAbs() && u.Host != b.Host {
		return "", errors.New("points at another host")
	}
	if !strings.HasPrefix(u.Path, "/services/data/") {
		return "", errors.New("not a REST API path")
	}
	return b.ResolveReference(u).String(), nil
}
