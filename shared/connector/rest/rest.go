// Package rest is the HTTP backend the REST connectors (Salesforce, HubSpot, Zendesk)
// share, in the manner of stripe-go's Backend: it owns the transport, the auth hook
// (httpauth, with one refresh and replay on 401), request building, the body cap,
// and the mapping of statuses, Retry-After and transport failures onto typed
// *connector.Error values. A connector keeps only its API's paths, shapes and the
// reading of its own error body.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// defaultMaxBody caps an answer read into memory: a page of a hundred records with
// long descriptions stays far below it.
const defaultMaxBody = 8 << 20

// ErrorDecoder reads a tool's error body into e, which arrives classified by status
// (Classify) with StatusCode and, for 429 and 5xx, RetryAfter from the Retry-After
// header already set. It sets e.Err (and Code, Field) and may change Kind or
// RetryAfter where the tool's API says otherwise. It must never copy a message that
// can echo customer data into e.
type ErrorDecoder func(e *connector.Error, hdr http.Header, body []byte, now time.Time)

// Options configure a Backend.
type Options struct {
	// Tool names the tool in every error ("hubspot").
	Tool string
	// BaseURL is the API root every Request.Path is resolved against; it may be
	// empty when every request carries its own Base (Salesforce's instance URL
	// comes with its token).
	BaseURL string
	// HTTPClient sends the requests (through a copy whose transport passes each
	// request to the context's connector.RequestGate first). Default: a client without
	// a timeout; deadlines come from each call's context.
	HTTPClient *http.Client
	// Auth authenticates each request; after a 401 or 403 it is refreshed once and
	// the request replayed once (httpauth.Client). Nil: requests carry their own
	// credentials in Request.Header and the caller handles refusals.
	Auth httpauth.Method
	// Header is sent with every request (User-Agent, API version headers, …).
	Header http.Header
	// MaxBody caps an answer (default defaultMaxBody).
	MaxBody int64
	// DecodeError reads the tool's error body; nil keeps the status classification
	// and says only that the body could not be read.
	DecodeError ErrorDecoder
}

// Backend sends one tool's requests. It is safe for concurrent use.
type Backend struct {
	tool    string
	base    *url.URL
	http    *http.Client
	auth    *httpauth.Client
	header  http.Header
	maxBody int64
	decode  ErrorDecoder
	// Now is the clock Retry-After dates are measured from (tests).
	Now func() time.Time
}

// New checks o and builds a Backend.
func New(o Options) (*Backend, error) {
	// Every request (a replay after a 401 and each page included) passes the call's
	// connector.RequestGate: the tool's rate limit is spent per request it counts.
	b := &Backend{tool: o.Tool, http: connector.GatedClient(o.HTTPClient), header: o.Header, maxBody: o.MaxBody, decode: o.DecodeError, Now: time.Now}
	if o.BaseURL != "" {
		u, err := ParseBase(o.BaseURL)
		if err != nil {
			return nil, fmt.Errorf("%s: base URL: %w", o.Tool, err)
		}
		b.base = u
	}
	if o.Auth != nil {
		b.auth = &httpauth.Client{HTTP: b.http, Auth: o.Auth}
	}
	if b.maxBody <= 0 {
		b.maxBody = defaultMaxBody
	}
	return b, nil
}

// ParseBase parses an absolute http(s) URL, without its trailing slash.
func ParseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return u, nil
}

// Base is the backend's base URL (nil when it has none).
func (b *Backend) Base() *url.URL { return b.base }

// Request is one call.
type Request struct {
	// Op names the operation in errors and logs ("search_contacts").
	Op     string
	Method string // default GET
	// Path is a path with its query, resolved against Base (or the backend's base
	// URL), or an absolute link the tool gave (a next page). A link to another scheme
	// or host is refused: the credentials must never leave the tool.
	Path string
	// Base overrides the backend's base URL for this call.
	Base *url.URL
	// LinkField names where Path came from ("next_page"), for the error that refuses
	// it; default "url".
	LinkField string
	// JSON, when not nil, is marshalled as the body (Content-Type application/json).
	JSON any
	// Header is added to this request (e.g. credentials when the backend has no Auth).
	Header http.Header
	// ReadOnly says the request changes nothing at the tool although its method is
	// not GET (a search sent as POST): the rate limiter counts it as a read
	// (connector.ReadOnly), never as the write a call's later requests get credit for.
	ReadOnly bool
}

// Response is a 2xx answer.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Do sends r and returns the 2xx answer, its body read in full (at most MaxBody).
// Every failure is a *connector.Error: KindUnavailable for no answer (the context's
// error kept in the chain), KindUnauthorized for credentials that could not be
// applied, the status classification (refined by the tool's ErrorDecoder) for a
// non-2xx answer, KindInvalidResponse for an oversized body.
func (b *Backend) Do(ctx context.Context, r Request) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, connector.Transport(ctx, b.tool, r.Op, err)
	}
	req, err := b.build(ctx, r)
	if err != nil {
		return nil, err
	}
	var resp *http.Response
	if b.auth != nil {
		resp, err = b.auth.Do(req)
	} else {
		resp, err = b.http.Do(req)
	}
	if err != nil {
		return nil, b.requestError(ctx, r.Op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, b.maxBody+1))
	if err != nil {
		return nil, connector.Transport(ctx, b.tool, r.Op, err)
	}
	if int64(len(raw)) > b.maxBody {
		return nil, connector.InvalidResponse(b.tool, r.Op, "body", fmt.Errorf("larger than %d bytes", b.maxBody))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, b.StatusError(r.Op, resp.StatusCode, resp.Header, raw)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

func (b *Backend) build(ctx context.Context, r Request) (*http.Request, error) {
	target, err := b.Resolve(r)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	if r.JSON != nil {
		raw, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, &connector.Error{Kind: connector.KindInvalidInput, Tool: b.tool, Op: r.Op, Err: err}
		}
		body = bytes.NewReader(raw)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	if r.ReadOnly {
		ctx = connector.ReadOnly(ctx)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, &connector.Error{Kind: connector.KindInvalidInput, Tool: b.tool, Op: r.Op, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if r.JSON != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range b.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	return req, nil
}

// Resolve returns the absolute URL of r: its Path against its Base (or the backend's),
// refusing a link to another scheme or host.
func (b *Backend) Resolve(r Request) (string, error) {
	base := r.Base
	if base == nil {
		base = b.base
	}
	field := r.LinkField
	if field == "" {
		field = "url"
	}
	if base == nil {
		return "", &connector.Error{Kind: connector.KindInvalidInput, Tool: b.tool, Op: r.Op, Err: errors.New("no base URL")}
	}
	u, err := base.Parse(r.Path)
	if err != nil {
		return "", connector.InvalidResponse(b.tool, r.Op, field, errors.New("unparsable link"))
	}
	if u.Scheme != base.Scheme || u.Host != base.Host {
		return "", connector.InvalidResponse(b.tool, r.Op, field, fmt.Errorf("link to another host %q", u.Host))
	}
	return u.String(), nil
}

// Classify is the kind of a non-2xx status before a tool's own reading of its error
// body: 401 unauthorized, 403 denied (known credentials without the permission), 404 not found, 409 conflict, 429 rate limited, 5xx
// unavailable, any other refusal invalid input.
func Classify(status int) connector.Kind {
	switch {
	case status == http.StatusUnauthorized:
		return connector.KindUnauthorized
	case status == http.StatusForbidden:
		return connector.KindDenied
	case status == http.StatusNotFound:
		return connector.KindNotFound
	case status == http.StatusConflict:
		return connector.KindConflict
	case status == http.StatusTooManyRequests:
		return connector.KindRateLimited
	case status >= 500:
		return connector.KindUnavailable
	}
	return connector.KindInvalidInput
}

// StatusError classifies a non-2xx answer: Classify, Retry-After for 429 and 5xx,
// then the tool's ErrorDecoder.
func (b *Backend) StatusError(op string, status int, hdr http.Header, body []byte) error {
	return StatusError(b.tool, op, status, hdr, body, b.Now(), b.decode)
}

// StatusError is Backend.StatusError without a Backend (tests of a tool's decoder).
func StatusError(tool, op string, status int, hdr http.Header, body []byte, now time.Time, decode ErrorDecoder) error {
	if hdr == nil {
		hdr = http.Header{}
	}
	e := &connector.Error{Kind: Classify(status), Tool: tool, Op: op, StatusCode: status}
	if e.Kind == connector.KindRateLimited || e.Kind == connector.KindUnavailable {
		e.RetryAfter = connector.ParseRetryAfter(hdr.Get("Retry-After"), now)
	}
	if decode != nil {
		decode(e, hdr, body, now)
	}
	if e.Err == nil {
		e.Err = fmt.Errorf("HTTP %d with an unreadable error body", status)
	}
	return e
}

// requestError classifies a request that got no answer. Credentials that could not be
// applied (a missing secret or key, a refused token, a denied or malformed secret) are
// KindUnauthorized unless the turn's deadline or cancellation came first; a secret
// store that cannot be reached, a refused or reset connection and a deadline are
// KindUnavailable, with the context's error in the chain for errors.Is.
func (b *Backend) requestError(ctx context.Context, op string, err error) error {
	return RequestError(ctx, b.tool, op, err)
}

// RequestError is the classification Backend.Do gives a request that got no answer.
func RequestError(ctx context.Context, tool, op string, err error) error {
	// A request the call's connector.RequestGate refused (the resilience layer's rate
	// limit) was never sent: its refusal is already typed.
	var ce *connector.Error
	if errors.As(err, &ce) {
		return ce
	}
	var ue *url.Error
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &ue) || secrets.Unavailable(err) {
		return connector.Transport(ctx, tool, op, err)
	}
	// Anything else came from applying the credentials (httpauth.Client hands
	// transport failures back as *url.Error): a missing secret or key, a refused
	// token, a denied or malformed secret.
	return &connector.Error{Kind: connector.KindUnauthorized, Tool: tool, Op: op, Err: err}
}
