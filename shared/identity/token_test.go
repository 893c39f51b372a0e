package identity

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

var (
	now    = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	hsKey  = []byte("0123456789abcdef0123456789abcdef-test-key")
	clock  = func() time.Time { return now }
	rsaKey = mustRSA()
	ecKey  = mustEC()
)

func mustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func mustEC() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func claims(email string, mod func(*Claims)) *Claims {
	c := &Claims{Email: email, RegisteredClaims: jwt.RegisteredClaims{
		Subject: "cust-1", IssuedAt: jwt.NewNumericDate(now.Add(-time.Minute)), ExpiresAt: jwt.NewNumericDate(now.Add(10 * time.Minute)),
		Issuer: "https://shop.example.com", Audience: jwt.ClaimStrings{"switchboard"},
	}}
	if mod != nil {
		mod(c)
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, key any, c *Claims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signRaw signs a header and payload given as JSON text with hsKey (HS256), so a
// test can put in what golang-jwt's encoder would not.
func signRaw(t *testing.T, header, payload string) string {
	t.Helper()
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodHS256.Sign(in, hsKey)
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// jwksServer publishes keys as a JWKS on 127.0.0.1 and counts fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	store   jwkset.Storage
	fetches atomic.Int32
}

func newJWKS(t *testing.T) *jwksServer {
	s := &jwksServer{store: jwkset.NewMemoryStorage()}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		b, err := s.store.JSONPublic(r.Context())
		s.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) add(t *testing.T, key any, kid string, alg jwkset.ALG) {
	t.Helper()
	j, err := jwkset.NewJWKFromKey(key, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, ALG: alg, USE: jwkset.UseSig}})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.KeyWrite(context.Background(), j); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyTokens(t *testing.T) {
	t.Parallel()
	jw := newJWKS(t)
	jw.add(t, rsaKey, "rsa-1", jwkset.AlgRS256)
	jw.add(t, ecKey, "ec-1", jwkset.AlgES256)
	v := NewVerifier(TokenOptions{
		SecretID: "idkey", Secrets: secrets.Static{"idkey": {"key": string(hsKey)}},
		JWKSURL: jw.URL, Issuer: "https://shop.example.com", Audience: "switchboard", Now: clock,
	})
	rsaPub, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaPub})
	valid := sign(t, jwt.SigningMethodHS256, hsKey, claims("Ada@Example.com", nil), "")
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"email":"bob@example.com","sub":"cust-2","exp":4102444800,"iat":1700000000,"iss":"https://shop.example.com","aud":"switchboard"}`)) + "." + parts[2]
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims("ada@example.com", nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)

	tests := []struct {
		name, token, email, refused string
	}{
		{"hs256 valid", valid, "ada@example.com", ""},
		{"rs256 valid", sign(t, jwt.SigningMethodRS256, rsaKey, claims("ada@example.com", nil), "rsa-1"), "ada@example.com", ""},
		{"es256 valid", sign(t, jwt.SigningMethodES256, ecKey, claims("ada@example.com", nil), "ec-1"), "ada@example.com", ""},
		{"sub as email", sign(t, jwt.SigningMethodHS256, hsKey, claims("", func(c *Claims) { c.Subject = "ada@example.com" }), ""), "ada@example.com", ""},
		{"expired within leeway", sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", func(c *Claims) {
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-50 * time.Second))
		}), ""), "ada@example.com", ""},
		{"expired", sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", func(c *Claims) {
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-61 * time.Second))
		}), ""), "", RefusedExpired},
		{"no exp", sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", func(c *Claims) { c.ExpiresAt = nil }), ""), "", RefusedMalformed},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", func(c *Claims) {
			c.NotBefore = jwt.NewNumericDate(now.Add(2 * time.Minute))
		}), ""), "", RefusedNotYetValid},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", func(c *Claims) {
			c.IssuedAt = jwt.NewNumericDate(now.Add(2 * time.Minute))
		}), ""), "", RefusedNotYetValid},
		{"tampered", tampered, "", RefusedSignature},
		{"alg none", none, "", RefusedSignature},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", func(c *Claims) {
			c.Audience = jwt.ClaimStrings{"another-app"}
		}), ""), "", RefusedAudience},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", func(c *Claims) {
			c.Issuer = "https://evil.example.com"
		}), ""), "", RefusedIssuer},
		{"other key", sign(t, jwt.SigningMethodHS256, []byte("another-key-another-key-another-key!"), claims("ada@example.com", nil), ""), "", RefusedSignature},
		// HS/RS confusion: an HMAC token keyed with the RSA public key, kid pointing at it.
		{"hs256 keyed with the rsa public key", sign(t, jwt.SigningMethodHS256, rsaPEM, claims("ada@example.com", nil), "rsa-1"), "", RefusedSignature},
		{"rs256 with an unknown kid", sign(t, jwt.SigningMethodRS256, mustRSA(), claims("ada@example.com", nil), "rsa-x"), "", RefusedAlgorithm},
		{"no email", sign(t, jwt.SigningMethodHS256, hsKey, claims("", nil), ""), "", RefusedNoEmail},
		{"garbage", "not.a.jwt", "", RefusedMalformed},
		// The claims exactly as documented: iat required, dates as JSON numbers only,
		// no critical header extension (none is understood).
		{"no iat", sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", func(c *Claims) { c.IssuedAt = nil }), ""), "", RefusedMalformed},
		{"exp as a string", signRaw(t, `{"alg":"HS256","typ":"JWT"}`, `{"email":"ada@example.com","exp":"4102444800","iat":1796100000,"iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
		{"iat as a string", signRaw(t, `{"alg":"HS256","typ":"JWT"}`, `{"email":"ada@example.com","exp":4102444800,"iat":"1796100000","iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
		{"nbf as a string", signRaw(t, `{"alg":"HS256","typ":"JWT"}`, `{"email":"ada@example.com","exp":4102444800,"iat":1796100000,"nbf":"1796100000","iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
		{"exp null", signRaw(t, `{"alg":"HS256","typ":"JWT"}`, `{"email":"ada@example.com","exp":null,"iat":1796100000,"iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
		{"nbf as an object", signRaw(t, `{"alg":"HS256","typ":"JWT"}`, `{"email":"ada@example.com","exp":4102444800,"iat":1796100000,"nbf":{},"iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
		{"numeric dates as raw JSON", signRaw(t, `{"alg":"HS256","typ":"JWT"}`, `{"email":"ada@example.com","exp":4102444800.5,"iat":1796100000,"nbf":1796100000,"iss":"https://shop.example.com","aud":"switchboard"}`), "ada@example.com", ""},
		{"unknown crit header", signRaw(t, `{"alg":"HS256","typ":"JWT","crit":["exp2"],"exp2":1}`, `{"email":"ada@example.com","exp":4102444800,"iat":1796100000,"iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
		{"crit b64 header", signRaw(t, `{"alg":"HS256","crit":["b64"],"b64":true}`, `{"email":"ada@example.com","exp":4102444800,"iat":1796100000,"iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
		// A date under another case is the same claim to encoding/json (it matches names
		// case-insensitively, the last one winning): it is held to the same rule.
		{"iat as a string under another case", signRaw(t, `{"alg":"HS256","typ":"JWT"}`, `{"email":"ada@example.com","exp":4102444800,"iat":1796100000,"IAT":"1796100000","iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
		{"exp as a string under another case", signRaw(t, `{"alg":"HS256","typ":"JWT"}`, `{"email":"ada@example.com","Exp":"4102444800","iat":1796100000,"iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
		{"empty crit header", signRaw(t, `{"alg":"HS256","crit":[]}`, `{"email":"ada@example.com","exp":4102444800,"iat":1796100000,"iss":"https://shop.example.com","aud":"switchboard"}`), "", RefusedMalformed},
	}
	for _, tc := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		c, err := v.Verify(ctx, tc.token)
		cancel()
		if tc.refused == "" {
			if err != nil || c.Method != conversation.VerifiedToken || c.Email != tc.email {
				t.Errorf("%s: caller %+v, err %v", tc.name, c, err)
			}
			continue
		}
		if c.Verified() || c.Refused != tc.refused {
			t.Errorf("%s: caller %+v, want refused %s (err %v)", tc.name, c, tc.refused, err)
		}
		if err != nil && strings.Contains(err.Error(), tc.token) {
			t.Errorf("%s: the error holds the token", tc.name)
		}
	}
}

func TestJWKSOnlyRefusesHMAC(t *testing.T) {
	t.Parallel()
	jw := newJWKS(t)
	jw.add(t, rsaKey, "rsa-1", jwkset.AlgRS256)
	v := NewVerifier(TokenOptions{JWKSURL: jw.URL, Now: clock})
	rsaPub, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	for _, key := range [][]byte{rsaPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaPub})} {
		tok := sign(t, jwt.SigningMethodHS256, key, claims("ada@example.com", nil), "rsa-1")
		if c, _ := v.Verify(context.Background(), tok); c.Verified() {
			t.Fatalf("an HS256 token keyed with the RSA public key was accepted")
		}
	}
}

func TestJWKSRefreshOnUnknownKid(t *testing.T) {
	t.Parallel()
	jw := newJWKS(t)
	jw.add(t, rsaKey, "rsa-1", jwkset.AlgRS256)
	v := NewVerifier(TokenOptions{JWKSURL: jw.URL, Now: clock})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if c, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, rsaKey, claims("ada@example.com", nil), "rsa-1")); !c.Verified() {
		t.Fatalf("first key: %v", err)
	}
	if n := jw.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	// The site rotates to a new key: the unknown kid makes one refetch.
	k2 := mustRSA()
	jw.add(t, k2, "rsa-2", jwkset.AlgRS256)
	if c, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, k2, claims("ada@example.com", nil), "rsa-2")); !c.Verified() {
		t.Fatalf("rotated key: %v", err)
	}
	if n := jw.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
	// Made-up kids cannot make it fetch again within the minute, nor hold the turn:
	// the limiter refuses at once when its wait would pass the turn's deadline.
	madeUp := sign(t, jwt.SigningMethodRS256, k2, claims("ada@example.com", nil), "made-up")
	for i := 0; i < 5; i++ {
		tctx, tcancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, _ := v.Verify(tctx, madeUp)
		done := tctx.Err()
		tcancel()
		if c.Verified() {
			t.Fatal("made-up kid accepted")
		}
		if done != nil {
			t.Fatal("an unknown kid held the turn until its deadline")
		}
	}
	if n := jw.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches after made-up kids, want still 2", n)
	}
}

func TestSecretUnavailable(t *testing.T) {
	t.Parallel()
	v := NewVerifier(TokenOptions{SecretID: "missing", Secrets: secrets.Static{}, Now: clock})
	c, _ := v.Verify(context.Background(), sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", nil), ""))
	if c.Verified() || c.Refused != RefusedUnavailable {
		t.Fatalf("%+v", c)
	}
	short := NewVerifier(TokenOptions{SecretID: "k", Secrets: secrets.Static{"k": {"key": "short"}}, Now: clock})
	c, _ = short.Verify(context.Background(), sign(t, jwt.SigningMethodHS256, []byte("short"), claims("ada@example.com", nil), ""))
	if c.Verified() {
		t.Fatal("a 5-byte HS256 key was accepted")
	}
	if NewVerifier(TokenOptions{}).Enabled() {
		t.Fatal("a verifier without keys accepts tokens")
	}
}

// TestNumericDateAsLibrary: the dates decoded in the claims' single pass are the ones
// golang-jwt's NumericDate makes of the same JSON numbers.
func TestNumericDateAsLibrary(t *testing.T) {
	for _, raw := range []string{"0", "1796100000", "4102444800.5", "1796100000.123456789", "-1", "1e9", "1.5E3", "-0.25", "17961000001"} {
		var want jwt.NumericDate
		if err := want.UnmarshalJSON([]byte(raw)); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		got, err := numericDate("exp", []byte(raw))
		if err != nil || got == nil || !got.Time.Equal(want.Time) {
			t.Errorf("%s: got %v (%v), want %v", raw, got, err, want.Time)
		}
	}
	if got, err := numericDate("exp", nil); got != nil || err != nil {
		t.Errorf("absent: %v %v", got, err)
	}
	for _, raw := range []string{"null", `"1796100000"`, "{}", "[]", "true"} {
		if _, err := numericDate("exp", []byte(raw)); err == nil {
			t.Errorf("%s accepted as a date", raw)
		}
	}
}

// rotatingSecret is a secrets.Provider whose one secret's value can change.
type rotatingSecret struct {
	mu  sync.Mutex
	key string
}

func (c *rotatingSecret) Get(context.Context, string) (secrets.Secret, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return secrets.Secret{"key": c.key}, nil
}

func (c *rotatingSecret) Refresh(ctx context.Context, id string) (secrets.Secret, error) {
	return c.Get(ctx, id)
}

// TestHMACKeyParsedOnce: the HS256 key read from the secret is converted once and
// reused while the secret's value stays the same; a rotated value is used at once.
func TestHMACKeyParsedOnce(t *testing.T) {
	t.Parallel()
	s := &rotatingSecret{key: string(hsKey)}
	v := NewVerifier(TokenOptions{SecretID: "k", Secrets: s, Now: clock})
	k1, err := v.hmacKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	k2, err := v.hmacKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if string(k1) != string(hsKey) || &k1[0] != &k2[0] {
		t.Fatalf("the key was converted again for the same secret value (%p, %p)", &k1[0], &k2[0])
	}
	tok := sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", nil), "")
	if c, err := v.Verify(context.Background(), tok); !c.Verified() {
		t.Fatalf("%+v %v", c, err)
	}
	rotated := "fedcba9876543210fedcba9876543210-rotated"
	s.mu.Lock()
	s.key = rotated
	s.mu.Unlock()
	if c, _ := v.Verify(context.Background(), tok); c.Verified() || c.Refused != RefusedSignature {
		t.Fatalf("a token signed with the old key was accepted after rotation: %+v", c)
	}
	if c, err := v.Verify(context.Background(), sign(t, jwt.SigningMethodHS256, []byte(rotated), claims("ada@example.com", nil), "")); !c.Verified() {
		t.Fatalf("the rotated key was not used: %+v %v", c, err)
	}
}

// TestVerifiedTokenCache: a token accepted once is accepted again from the cache
// (no signature check, no decoding: a few allocations), but only for its exact bytes,
// only while its dates hold at the time of each turn, only while the key that verified
// it still verifies it, and the cache stays bounded.
func TestVerifiedTokenCache(t *testing.T) {
	// Not parallel: AllocsPerRun.
	var at atomic.Pointer[time.Time]
	at.Store(&now)
	o := TokenOptions{HMACKey: hsKey, Now: func() time.Time { return *at.Load() }, Issuer: "https://shop.example.com", Audience: "switchboard"}
	ctx := context.Background()

	t.Run("hit", func(t *testing.T) {
		v := NewVerifier(o)
		tok := sign(t, jwt.SigningMethodHS256, hsKey, claims("Ada@Example.com", nil), "")
		first, err := v.Verify(ctx, tok)
		if !first.Verified() || first.Email != "ada@example.com" {
			t.Fatalf("%+v %v", first, err)
		}
		if v.seen.Len() != 1 {
			t.Fatalf("%d tokens remembered, want 1", v.seen.Len())
		}
		var again conversation.Caller
		allocs := testing.AllocsPerRun(20, func() { again, _ = v.Verify(ctx, tok) })
		if again != first {
			t.Fatalf("the cached answer %+v differs from the first %+v", again, first)
		}
		// A full check makes about 40 allocations (the header map, the claims, the
		// signature); the remembered token only the validator's few.
		if allocs > 4 {
			t.Fatalf("%v allocations for a token verified before: it was checked afresh", allocs)
		}
	})

	t.Run("expired on a hit", func(t *testing.T) {
		v := NewVerifier(o)
		tok := sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", nil), "") // exp: now+10m
		if c, err := v.Verify(ctx, tok); !c.Verified() {
			t.Fatalf("%+v %v", c, err)
		}
		later := now.Add(10*time.Minute + time.Minute + time.Second) // past exp + 60 s leeway
		v.o.Now = func() time.Time { return later }
		v.validator = jwt.NewValidator(jwt.WithLeeway(time.Minute), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
			jwt.WithTimeFunc(v.o.Now), jwt.WithIssuer(o.Issuer), jwt.WithAudience(o.Audience))
		if v.seen.Len() != 1 {
			t.Fatal("the token was not remembered")
		}
		c, err := v.Verify(ctx, tok)
		if c.Verified() || c.Refused != RefusedExpired {
			t.Fatalf("an expired token was accepted from the cache: %+v %v", c, err)
		}
		// And through the clock the verifier was built with, as a server runs.
		v2 := NewVerifier(o)
		if c, err := v2.Verify(ctx, tok); !c.Verified() {
			t.Fatalf("%+v %v", c, err)
		}
		at.Store(&later)
		defer at.Store(&now)
		if c, err := v2.Verify(ctx, tok); c.Verified() || c.Refused != RefusedExpired {
			t.Fatalf("an expired token was accepted from the cache: %+v %v", c, err)
		}
	})

	t.Run("one byte changed", func(t *testing.T) {
		v := NewVerifier(o)
		tok := sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", nil), "")
		if c, err := v.Verify(ctx, tok); !c.Verified() {
			t.Fatalf("%+v %v", c, err)
		}
		dot := strings.LastIndexByte(tok, '.')
		for _, i := range []int{len(tok) - 2, dot - 2, 5} { // signature, claims, header
			b := []byte(tok)
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			if c, _ := v.Verify(ctx, string(b)); c.Verified() {
				t.Fatalf("a token with byte %d changed was accepted", i)
			}
		}
		// A byte added at the end: still refused (the exact bytes are the key).
		if c, _ := v.Verify(ctx, tok+"A"); c.Verified() {
			t.Fatal("a token with a byte appended was accepted")
		}
		if v.seen.Len() != 1 {
			t.Fatalf("%d tokens remembered, want only the accepted one", v.seen.Len())
		}
	})

	t.Run("bounded", func(t *testing.T) {
		v := NewVerifier(o)
		var first string
		for i := range verifiedTokens + 50 {
			tok := sign(t, jwt.SigningMethodHS256, hsKey, claims(fmt.Sprintf("c%d@example.com", i), nil), "")
			if i == 0 {
				first = tok
			}
			if c, err := v.Verify(ctx, tok); !c.Verified() {
				t.Fatalf("%+v %v", c, err)
			}
		}
		if n := v.seen.Len(); n != verifiedTokens {
			t.Fatalf("%d tokens remembered, want at most %d", n, verifiedTokens)
		}
		// The oldest was dropped, and is still accepted (verified afresh).
		if c, err := v.Verify(ctx, first); !c.Verified() || c.Email != "c0@example.com" {
			t.Fatalf("%+v %v", c, err)
		}
		long := sign(t, jwt.SigningMethodHS256, hsKey, claims("ada@example.com", func(c *Claims) { c.ID = strings.Repeat("j", maxRememberedToken) }), "")
		v = NewVerifier(o)
		if c, err := v.Verify(ctx, long); !c.Verified() {
			t.Fatalf("%+v %v", c, err)
		}
		if v.seen.Len() != 0 {
			t.Fatal("a token longer than maxRememberedToken was remembered")
		}
	})

	t.Run("jwks key rotated under the same kid", func(t *testing.T) {
		jw := newJWKS(t)
		jw.add(t, rsaKey, "rsa-1", jwkset.AlgRS256)
		v := NewVerifier(TokenOptions{JWKSURL: jw.URL, Now: clock})
		tok := sign(t, jwt.SigningMethodRS256, rsaKey, claims("ada@example.com", nil), "rsa-1")
		if c, err := v.Verify(ctx, tok); !c.Verified() {
			t.Fatalf("%+v %v", c, err)
		}
		if v.seen.Len() != 1 {
			t.Fatal("the RS256 token was not remembered")
		}
		if c, err := v.Verify(ctx, tok); !c.Verified() {
			t.Fatalf("from the cache: %+v %v", c, err)
		}
		// The site replaces the key behind rsa-1 (the verifier's copy is refreshed):
		// the remembered token no longer matches the key and is checked afresh.
		jw.add(t, mustRSA(), "rsa-1", jwkset.AlgRS256)
		kf, err := v.jwksKeyfunc(ctx)
		if err != nil {
			t.Fatal(err)
		}
		j, err := jwkset.NewJWKFromKey(mustRSA().Public(), jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: "rsa-1", ALG: jwkset.AlgRS256, USE: jwkset.UseSig}})
		if err != nil {
			t.Fatal(err)
		}
		if err := kf.Storage().KeyWrite(ctx, j); err != nil {
			t.Fatal(err)
		}
		if c, _ := v.Verify(ctx, tok); c.Verified() || c.Refused != RefusedSignature {
			t.Fatalf("a token of a replaced key was accepted from the cache: %+v", c)
		}
	})
}

// BenchmarkVerify: one HS256 token check as a turn makes it (the demo key, and a key
// from a secret): a token seen before (remembered), and one seen for the first time
// (distinct tokens cycled through, more than the verifier remembers: the full check).
func BenchmarkVerify(b *testing.B) {
	toks := make([]string, 2*verifiedTokens)
	for i := range toks {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(fmt.Sprintf("c%d@example.com", i), nil)).SignedString(hsKey)
		if err != nil {
			b.Fatal(err)
		}
		toks[i] = tok
	}
	for _, bc := range []struct {
		name string
		o    TokenOptions
	}{
		{"fixed_key", TokenOptions{HMACKey: hsKey, Now: clock, Issuer: "https://shop.example.com", Audience: "switchboard"}},
		{"secret_key", TokenOptions{SecretID: "k", Secrets: secrets.Static{"k": {"key": string(hsKey)}}, Now: clock, Issuer: "https://shop.example.com", Audience: "switchboard"}},
	} {
		for _, seen := range []bool{true, false} {
			name := bc.name + "/first_sight"
			if seen {
				name = bc.name + "/seen"
			}
			b.Run(name, func(b *testing.B) {
				v := NewVerifier(bc.o)
				ctx := context.Background()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					tok := toks[0]
					if !seen {
						tok = toks[i%len(toks)]
						i++
					}
					if c, err := v.Verify(ctx, tok); !c.Verified() {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
