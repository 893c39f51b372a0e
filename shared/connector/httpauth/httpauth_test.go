package httpauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector/httpauth"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// rotating is a Provider whose secret can change, counting fetches that bypass the cache.
type rotating struct {
	mu       sync.Mutex
	cur      secrets.Secret
	cached   secrets.Secret
	refreshs int
}

func (r *rotating) Get(_ context.Context, id string) (secrets.Secret, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cached == nil {
		r.cached = r.cur
	}
	return r.cached, nil
}

func (r *rotating) Refresh(_ context.Context, id string) (secrets.Secret, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refreshs++
	r.cached = r.cur
	return r.cached, nil
}

func (r *rotating) rotate(s secrets.Secret) { r.mu.Lock(); r.cur = s; r.mu.Unlock() }

// tokenServer issues tokens for one valid client secret and accepts only its latest token.
type tokenServer struct {
	*httptest.Server
	secret   atomic.Value // string
	tokens   atomic.Int64
	valid    atomic.Value // string
	apiCalls atomic.Int64
}

func newTokenServer(t *testing.T, secret string) *tokenServer {
	ts := &tokenServer{}
	ts.secret.Store(secret)
	ts.valid.Store("")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("client_id") != "cid" ||
			r.Form.Get("client_secret") != ts.secret.Load().(string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid_client","error_description":"invalid client credentials"}`)
			return
		}
		n := ts.tokens.Add(1)
		tok := fmt.Sprintf("00Dxx!tok%d", n)
		ts.valid.Store(tok)
		w.Header().Set("Content-Type", "application/json")
		// Salesforce's client-credentials response carries no expires_in.
		fmt.Fprintf(w, `{"access_token":%q,"instance_url":"https://example.my.salesforce.com","id":"x","token_type":"Bearer","issued_at":"1","signature":"s"}`, tok)
	})
	mux.HandleFunc("GET /api", func(w http.ResponseWriter, r *http.Request) {
		ts.apiCalls.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+ts.valid.Load().(string) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	})
	ts.Server = httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, c *httpauth.Client, url string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestOAuth2ReusesTokenAndRefreshesOnceOn401(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t, "s1")
	p := &rotating{cur: secrets.Secret{"client_id": "cid", "client_secret": "s1"}}
	m := httpauth.OAuth2(p, "sf", srv.URL+"/services/oauth2/token", nil, srv.Client())
	c := &httpauth.Client{HTTP: srv.Client(), Auth: m}
	for i := 0; i < 3; i++ {
		if got := get(t, c, srv.URL+"/api"); got != 200 {
			t.Fatalf("call %d: HTTP %d", i, got)
		}
	}
	if n := srv.tokens.Load(); n != 1 {
		t.Fatalf("token requests = %d, want 1 (token reused)", n)
	}
	tok, err := m.Token(context.Background())
	if err != nil || tok.Extra("instance_url") != "https://example.my.salesforce.com" {
		t.Fatalf("instance_url not exposed: %v %v", tok, err)
	}
	// The session is revoked: the next call gets 401, refreshes once, and succeeds.
	srv.tokens.Store(0)
	srv.valid.Store("nothing-valid-until-new-token")
	if got := get(t, c, srv.URL+"/api"); got != 200 {
		t.Fatalf("after revocation: HTTP %d", got)
	}
	if n := srv.tokens.Load(); n != 1 {
		t.Fatalf("token requests after 401 = %d, want 1", n)
	}
}

func TestOAuth2SecretRotation(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t, "old")
	p := &rotating{cur: secrets.Secret{"client_id": "cid", "client_secret": "old"}}
	c := &httpauth.Client{HTTP: srv.Client(), Auth: httpauth.OAuth2(p, "sf", srv.URL+"/services/oauth2/token", nil, srv.Client())}
	if got := get(t, c, srv.URL+"/api"); got != 200 {
		t.Fatalf("HTTP %d", got)
	}
	// The client secret is rotated in the secret store and at the tool; the old token dies.
	p.rotate(secrets.Secret{"client_id": "cid", "client_secret": "new"})
	srv.secret.Store("new")
	srv.valid.Store("expired")
	if got := get(t, c, srv.URL+"/api"); got != 200 {
		t.Fatalf("after rotation: HTTP %d", got)
	}
	if p.refreshs != 1 {
		t.Fatalf("secret refreshes = %d, want 1", p.refreshs)
	}
}

func TestTokenErrorHidesSecrets(t *testing.T) {
	t.Parallel()
	srv := newTokenServer(t, "right")
	p := secrets.Static{"sf": {"client_id": "cid", "client_secret": "wrong-secret-value"}}
	m := httpauth.OAuth2(p, "sf", srv.URL+"/services/oauth2/token", nil, srv.Client())
	_, err := m.Token(context.Background())
	var te *httpauth.TokenError
	if !errors.As(err, &te) || te.StatusCode != 400 || te.Code != "invalid_client" {
		t.Fatalf("err = %v, want TokenError 400 invalid_client", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") || strings.Contains(err.Error(), "cid") {
		t.Fatalf("error leaks credentials: %v", err)
	}
}

func TestHeaderMethods(t *testing.T) {
	t.Parallel()
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Clone())
		user, pass, _ := r.BasicAuth()
		if r.Header.Get("Authorization") == "Bearer pat-1" || r.Header.Get("X-Api-Key") == "k1" ||
			(user == "agent@example.com/token" && pass == "zd-token") {
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	p := secrets.Static{
		"hubspot": {"token": "pat-1"},
		"custom":  {"key": "k1"},
		"zendesk": {"email": "agent@example.com", "api_token": "zd-token"},
		"empty":   {},
	}
	cases := []struct {
		name string
		m    httpauth.Method
		want int
	}{
		{"bearer", httpauth.Bearer(p, "hubspot", "token"), 200},
		{"api key", httpauth.APIKeyHeader(p, "custom", "key", "X-Api-Key"), 200},
		{"basic zendesk token", httpauth.BasicAuth(p, "zendesk", "email", "api_token").
			WithUser(func(s secrets.Secret) string { return s["email"] + "/token" }), 200},
	}
	for _, tc := range cases {
		c := &httpauth.Client{HTTP: srv.Client(), Auth: tc.m}
		if got := get(t, c, srv.URL); got != tc.want {
			t.Errorf("%s: HTTP %d, want %d", tc.name, got, tc.want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	err := httpauth.Bearer(p, "empty", "token").Apply(context.Background(), req)
	var mk *httpauth.MissingKeyError
	if !errors.As(err, &mk) || mk.Key != "token" {
		t.Fatalf("missing key: err = %v", err)
	}
}

func TestClientReplaysBodyAfterRefresh(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if body["subject"] != "hello" {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	c := &httpauth.Client{HTTP: srv.Client(), Auth: httpauth.Bearer(secrets.Static{"x": {"token": "t"}}, "x", "token")}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"subject":"hello"}`))
	req.GetBody = nil
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || calls.Load() != 2 {
		t.Fatalf("status %d after %d calls, want 200 after 2", resp.StatusCode, calls.Load())
	}
}

// pki makes a CA, a server certificate for 127.0.0.1 and a client certificate.
type pki struct {
	caPEM                 []byte
	serverCert            tls.Certificate
	clientCert, clientKey []byte
	pool                  *x509.CertPool
}

func newPKI(t *testing.T) pki {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(cn string, usage x509.ExtKeyUsage, serial int64) ([]byte, []byte) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature}
		if usage == x509.ExtKeyUsageServerAuth {
			tmpl.IPAddresses = append(tmpl.IPAddresses, []byte{127, 0, 0, 1})
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalECPrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	}
	sc, sk := issue("server", x509.ExtKeyUsageServerAuth, 2)
	cc, ck := issue("switchboard", x509.ExtKeyUsageClientAuth, 3)
	serverCert, err := tls.X509KeyPair(sc, sk)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pki{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		serverCert: serverCert, clientCert: cc, clientKey: ck, pool: pool}
}

func TestMutualTLS(t *testing.T) {
	t.Parallel()
	k := newPKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{k.serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: k.pool}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	p := secrets.Static{"tool": {"cert_pem": string(k.clientCert), "key_pem": string(k.clientKey), "ca_pem": string(k.caPEM)}}
	m := httpauth.MTLS(p, "tool")
	tr, err := m.Transport(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := &httpauth.Client{HTTP: &http.Client{Transport: tr}, Auth: m}
	if got := get(t, c, srv.URL); got != 200 {
		t.Fatalf("with client cert: HTTP %d", got)
	}
	// Without the certificate the server refuses the handshake.
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: k.pool}}}
	if _, err := plain.Get(srv.URL); err == nil {
		t.Fatal("server accepted a client without a certificate")
	}
	bad := httpauth.MTLS(secrets.Static{"tool": {"cert_pem": "x", "key_pem": "y"}}, "tool")
	if _, err := bad.Transport(context.Background()); err == nil {
		t.Fatalf("bad PEM: err = %v", err)
	}
}
