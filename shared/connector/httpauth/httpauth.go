package httpauth

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Method names, as printed by `switchboard check` and used in configuration.
const (
	NameOAuth2 = "oauth2_client_credentials"
	NameBearer = "bearer"
	NameHeader = "api_key"
	NameBasic  = "basic"
	NameMTLS   = "mtls"
)

// Method authenticates requests to one business tool.
type Method interface {
	// Name is one of the Name* constants.
	Name() string
	// Apply sets the credentials on req (a header; nothing for mutual TLS, whose
	// credentials live on the transport).
	Apply(ctx context.Context, req *http.Request) error
	// Refresh drops cached credentials — the secret and any token derived from it —
	// so the next Apply uses fresh ones. Client calls it once after a 401 (a 403 says
	// the credentials are known but not allowed: fresh ones would be refused too).
	Refresh(ctx context.Context) error
}

// MissingKeyError says a secret lacks a key the method needs. It names the key, never
// a value.
type MissingKeyError struct{ SecretID, Key string }

func (e *MissingKeyError) Error() string {
	return fmt.Sprintf("httpauth: secret %s has no %q", e.SecretID, e.Key)
}

// source reads one secret, remembering whether the next read must bypass the cache.
type source struct {
	p  secrets.Provider
	id string

	mu    sync.Mutex
	stale bool
}

func (s *source) get(ctx context.Context) (secrets.Secret, error) {
	s.mu.Lock()
	stale := s.stale
	s.stale = false
	s.mu.Unlock()
	if stale {
		return s.p.Refresh(ctx, s.id)
	}
	return s.p.Get(ctx, s.id)
}

func (s *source) invalidate() {
	s.mu.Lock()
	s.stale = true
	s.mu.Unlock()
}

func (s *source) value(sec secrets.Secret, key string) (string, error) {
	v := sec[key]
	if v == "" {
		return "", &MissingKeyError{SecretID: s.id, Key: key}
	}
	return v, nil
}

// Header sends a static secret value in a header: Bearer sends "Authorization: Bearer
// <token>" (HubSpot private-app tokens, Zendesk OAuth tokens); APIKeyHeader sends the
// value as is under any header name.
type Header struct {
	src    source
	key    string
	header string
	prefix string
	name   string
}

// Bearer reads the token from key of secret id.
func Bearer(p secrets.Provider, id, key string) *Header {
	return &Header{src: source{p: p, id: id}, key: key, header: "Authorization", prefix: "Bearer ", name: NameBearer}
}

// APIKeyHeader reads the key from key of secret id and sends it in header.
func APIKeyHeader(p secrets.Provider, id, key, header string) *Header {
	return &Header{src: source{p: p, id: id}, key: key, header: header, name: NameHeader}
}

// Name reports NameBearer or NameHeader.
func (h *Header) Name() string { return h.name }

// Apply sets the header.
func (h *Header) Apply(ctx context.Context, req *http.Request) error {
	sec, err := h.src.get(ctx)
	if err != nil {
		return err
	}
	v, err := h.src.value(sec, h.key)
	if err != nil {
		return err
	}
	req.Header.Set(h.header, h.prefix+v)
	return nil
}

// Refresh makes the next Apply re-read the secret.
func (h *Header) Refresh(context.Context) error { h.src.invalidate(); return nil }

// Basic sends HTTP basic credentials. Username is either a fixed key of the secret or
// built from it by UserFunc (Zendesk API tokens use "<email>/token").
type Basic struct {
	src              source
	userKey, passKey string
	userFunc         func(secrets.Secret) string
}

// BasicAuth reads the user name and password from userKey and passKey of secret id.
func BasicAuth(p secrets.Provider, id, userKey, passKey string) *Basic {
	return &Basic{src: source{p: p, id: id}, userKey: userKey, passKey: passKey}
}

// WithUser derives the user name from the secret instead of reading userKey.
func (b *Basic) WithUser(f func(secrets.Secret) string) *Basic { b.userFunc = f; return b }

// Name reports NameBasic.
func (b *Basic) Name() string { return NameBasic }

// Apply sets the Authorization header.
func (b *Basic) Apply(ctx context.Context, req *http.Request) error {
	sec, err := b.src.get(ctx)
	if err != nil {
		return err
	}
	var user string
	if b.userFunc != nil {
		user = b.userFunc(sec)
		if user == "" {
			return &MissingKeyError{SecretID: b.src.id, Key: b.userKey}
		}
	} else if user, err = b.src.value(sec, b.userKey); err != nil {
		return err
	}
	pass, err := b.src.value(sec, b.passKey)
	if err != nil {
		return err
	}
	req.SetBasicAuth(user, pass)
	return nil
}

// Refresh makes the next Apply re-read the secret.
func (b *Basic) Refresh(context.Context) error { b.src.invalidate(); return nil }

// ClientCredentials is the OAuth 2.0 client-credentials grant (RFC 6749 §4.4). The
// access token is reused until it expires (a token without expires_in, as Salesforce
// issues, is reused until the tool rejects it); Refresh drops it and re-reads the
// client secret.
//
// A token is fetched on the calling turn's context, by a client with a timeout, one
// fetch at a time: callers that need a token while another fetch runs wait for it (or
// for their own context) and reuse its token. A hanging token endpoint therefore holds
// at most one request, which ends with its turn or tokenTimeout, and never a
// goroutine per turn.
type ClientCredentials struct {
	src      source
	tokenURL string
	scopes   []string
	client   *http.Client

	// sem serializes fetches (capacity 1); taking it honours the caller's context.
	sem chan struct{}
	mu  sync.Mutex
	tok *oauth2.Token
}

// tokenTimeout bounds one token request when the client given to OAuth2 has no
// timeout of its own.
const tokenTimeout = 10 * time.Second

// defaultTokenClient is used when OAuth2 is given no client: http.DefaultClient has no
// timeout.
var defaultTokenClient = &http.Client{Timeout: tokenTimeout}

// OAuth2 builds the grant from secret id's client_id and client_secret keys; tokenURL
// is used unless the secret has a token_url key. client (may be nil) makes the token
// request, so tests and mutual-TLS setups can supply their own transport; without a
// Timeout it gets tokenTimeout.
func OAuth2(p secrets.Provider, id, tokenURL string, scopes []string, client *http.Client) *ClientCredentials {
	switch {
	case client == nil:
		client = defaultTokenClient
	case client.Timeout == 0:
		c := *client
		c.Timeout = tokenTimeout
		client = &c
	}
	return &ClientCredentials{src: source{p: p, id: id}, tokenURL: tokenURL, scopes: scopes, client: client,
		sem: make(chan struct{}, 1)}
}

// Name reports NameOAuth2.
func (c *ClientCredentials) Name() string { return NameOAuth2 }

func (c *ClientCredentials) cached() *oauth2.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.Valid() {
		return c.tok
	}
	return nil
}

// Token returns the current access token, fetching one when there is none or it has
// expired. Token.Extra carries provider fields such as Salesforce's instance_url.
func (c *ClientCredentials) Token(ctx context.Context) (*oauth2.Token, error) {
	if tok := c.cached(); tok != nil {
		return tok, nil
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	// Another caller may have fetched one while this one waited.
	if tok := c.cached(); tok != nil {
		return tok, nil
	}
	sec, err := c.src.get(ctx)
	if err != nil {
		return nil, err
	}
	id, err := c.src.value(sec, "client_id")
	if err != nil {
		return nil, err
	}
	secret, err := c.src.value(sec, "client_secret")
	if err != nil {
		return nil, err
	}
	url := c.tokenURL
	if u := sec["token_url"]; u != "" {
		url = u
	}
	cfg := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: url, Scopes: c.scopes,
		AuthStyle: oauth2.AuthStyleInParams}
	tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, c.client))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, scrubTokenError(err)
	}
	c.mu.Lock()
	c.tok = tok
	c.mu.Unlock()
	return tok, nil
}

// TokenError is a failed token request. It keeps the endpoint's status and OAuth error
// code but never the response body, which may echo the client id.
type TokenError struct {
	StatusCode int
	Code       string
	Err        error
}

func (e *TokenError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("httpauth: token request failed: HTTP %d %s", e.StatusCode, e.Code)
	}
	return "httpauth: token request failed: " + e.Err.Error()
}

func (e *TokenError) Unwrap() error { return e.Err }

func scrubTokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &TokenError{StatusCode: status, Code: code, Err: errors.New("token endpoint refused the request")}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	return &TokenError{Err: err}
}

// Apply sets "Authorization: Bearer <access token>".
func (c *ClientCredentials) Apply(ctx context.Context, req *http.Request) error {
	tok, err := c.Token(ctx)
	if err != nil {
		return err
	}
	tok.SetAuthHeader(req)
	return nil
}

// Refresh drops the token and re-reads the client secret on the next call.
func (c *ClientCredentials) Refresh(context.Context) error {
	c.mu.Lock()
	c.tok = nil
	c.mu.Unlock()
	c.src.invalidate()
	return nil
}

// MutualTLS presents a client certificate from secret id (PEM in cert_pem and key_pem;
// ca_pem, when present, replaces the system roots for the tool's server certificate).
// The certificate is loaded at the first handshake and again after Refresh.
type MutualTLS struct {
	src source

	mu   sync.Mutex
	cert *tls.Certificate
	pool *x509.CertPool
	tr   *http.Transport
}

// MTLS builds the method; use its Transport in the connector's http.Client.
func MTLS(p secrets.Provider, id string) *MutualTLS {
	return &MutualTLS{src: source{p: p, id: id}}
}

// Name reports NameMTLS.
func (m *MutualTLS) Name() string { return NameMTLS }

// Apply does nothing: the credentials are on the transport.
func (m *MutualTLS) Apply(context.Context, *http.Request) error { return nil }

// Refresh reloads the certificate and closes pooled connections so the next request
// handshakes with it.
func (m *MutualTLS) Refresh(context.Context) error {
	m.mu.Lock()
	m.cert, m.pool = nil, nil
	tr := m.tr
	m.mu.Unlock()
	m.src.invalidate()
	if tr != nil {
		tr.CloseIdleConnections()
	}
	return nil
}

func (m *MutualTLS) load(ctx context.Context) (*tls.Certificate, *x509.CertPool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cert != nil {
		return m.cert, m.pool, nil
	}
	sec, err := m.src.get(ctx)
	if err != nil {
		return nil, nil, err
	}
	certPEM, err := m.src.value(sec, "cert_pem")
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := m.src.value(sec, "key_pem")
	if err != nil {
		return nil, nil, err
	}
	cert, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		return nil, nil, fmt.Errorf("httpauth: secret %s: client certificate or key is not valid PEM", m.src.id)
	}
	var pool *x509.CertPool
	if ca := sec["ca_pem"]; ca != "" {
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(ca)) {
			return nil, nil, fmt.Errorf("httpauth: secret %s: ca_pem holds no certificate", m.src.id)
		}
	}
	m.cert, m.pool = &cert, pool
	return m.cert, m.pool, nil
}

// Transport returns an HTTP transport that presents the client certificate. The
// certificate and CA are read before the first dial (DialTLSContext is not needed:
// GetClientCertificate and VerifyConnection read the loaded values).
func (m *MutualTLS) Transport(ctx context.Context) (*http.Transport, error) {
	if _, _, err := m.load(ctx); err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			cert, _, err := m.load(context.Background())
			return cert, err
		},
	}
	_, pool, _ := m.load(ctx)
	if pool != nil {
		tr.TLSClientConfig.RootCAs = pool
	}
	m.mu.Lock()
	m.tr = tr
	m.mu.Unlock()
	return tr, nil
}

// Client sends requests with a Method and, on a 401, refreshes the credentials once
// and replays the request once. A 403 is returned as is, without a refresh: the tool
// knows the credentials and denies the operation (a missing scope), which a fresh
// copy of the same secret would not change — refreshing would cost an uncached
// secret read on every turn. A request whose body cannot be replayed (no GetBody) is
// not replayed; the 401 is returned as is.
type Client struct {
	HTTP *http.Client
	Auth Method
}

// Do sends req. The response of the replay (or the first response) is returned.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	ctx := req.Context()
	first := req
	if req.Body != nil && req.GetBody == nil {
		// Buffer the body once so the replay can resend it.
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		first = req.Clone(ctx)
		first.Body = io.NopCloser(bytes.NewReader(b))
		first.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	if err := c.Auth.Apply(ctx, first); err != nil {
		return nil, err
	}
	resp, err := hc.Do(first)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if first.GetBody == nil && first.Body != nil && first.Body != http.NoBody {
		return resp, nil
	}
	drain(resp)
	if err := c.Auth.Refresh(ctx); err != nil {
		return nil, err
	}
	again := first.Clone(ctx)
	if first.GetBody != nil {
		body, err := first.GetBody()
		if err != nil {
			return nil, err
		}
		again.Body = body
	}
	again.Header.Del("Authorization")
	if err := c.Auth.Apply(ctx, again); err != nil {
		return nil, err
	}
	return hc.Do(again)
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
