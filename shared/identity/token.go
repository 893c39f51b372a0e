package identity

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/lru"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// DemoKey is the public HS256 key of the local demo: `switchboard token` signs with it,
// and the server accepts it only with the demo customer directory (or when
// identity.token.demo_key says so). It is in the source: it proves nothing anywhere else.
const DemoKey = "switchboard-demo-signing-key-NOT-SECRET-do-not-use-in-production"

// MinHMACKey is the shortest HS256 key accepted (RFC 7518 §3.2: at least the hash size).
const MinHMACKey = 32

// Reasons a presented token is refused (conversation.Caller.Refused, audit outcomes).
const (
	RefusedExpired     = "expired"
	RefusedNotYetValid = "not_yet_valid"
	RefusedSignature   = "signature"
	RefusedAlgorithm   = "algorithm"
	RefusedAudience    = "audience"
	RefusedIssuer      = "issuer"
	RefusedMalformed   = "malformed"
	RefusedNoEmail     = "no_email"
	RefusedUnavailable = "unavailable"
)

// TokenOptions configure a Verifier. The zero value accepts no token.
type TokenOptions struct {
	// SecretID names the secret whose "key" is the HS256 key; Secrets reads it.
	SecretID string
	Secrets  secrets.Provider
	// HMACKey is a fixed HS256 key (the demo key), used when SecretID is empty.
	HMACKey []byte
	// JWKSURL publishes the RS256/ES256 keys.
	JWKSURL string
	// HTTPClient fetches the JWKS (http.DefaultClient when nil).
	HTTPClient *http.Client
	// Issuer and Audience are required to match when set.
	Issuer, Audience string
	// Leeway is the allowed clock skew (at most 60s).
	Leeway time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Verifier checks identity tokens with golang-jwt: HS256 with a key from Secrets
// Manager (or the demo key), RS256/ES256 with keys from a JWKS URL (keyfunc, cached,
// refetched on an unknown kid within the turn's budget and at most once a minute).
type Verifier struct {
	o       TokenOptions
	methods []string

	// parser is built once: its options never change, and golang-jwt's Parser only
	// reads them (safe for concurrent use). validator is the same claim checks
	// (exp, nbf, iat, iss, aud) on their own, for a token already verified.
	parser    *jwt.Parser
	validator *jwt.Validator
	// seen holds the tokens this verifier accepted, keyed by their exact bytes
	// (verifiedTokens).
	seen *lru.Cache[*verifiedToken]
	// hmac is the HS256 key last read from Secrets Manager, as bytes: converted again
	// only when the secret's value changes (rotation).
	hmac atomic.Pointer[hmacKey]

	mu   sync.Mutex
	jwks keyfunc.Keyfunc // built on first use: no network call at start
}

// hmacKey is a secret's "key" value and its bytes.
type hmacKey struct {
	secret string
	key    []byte
}

// NewVerifier returns a Verifier. It makes no network call.
func NewVerifier(o TokenOptions) *Verifier {
	if o.Leeway <= 0 || o.Leeway > time.Minute {
		o.Leeway = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	v := &Verifier{o: o}
	if o.SecretID != "" || len(o.HMACKey) > 0 {
		v.methods = append(v.methods, jwt.SigningMethodHS256.Alg())
	}
	if o.JWKSURL != "" {
		v.methods = append(v.methods, jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg())
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(v.methods),
		jwt.WithLeeway(o.Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(o.Now),
	}
	if o.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(o.Issuer))
	}
	if o.Audience != "" {
		opts = append(opts, jwt.WithAudience(o.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	v.validator = jwt.NewValidator(opts...)
	v.seen = lru.New[*verifiedToken](verifiedTokens)
	return v
}

// A token accepted once is remembered (at most verifiedTokens of them, the least
// recently used dropped first; a token longer than maxRememberedToken never is) by its
// exact bytes, with its decoded claims and the key that verified its signature. The
// same bytes again skip the signature check and the decoding, never the rest: the
// key that verifies the token's algorithm (and kid) now must be the key that verified
// it then (a rotated secret or JWKS key verifies afresh, and so refuses), and exp, nbf,
// iat, iss and aud are checked against the time of this turn by golang-jwt's own
// validator. A token differing in any byte is a different key: verified afresh. Only
// accepted tokens are kept, so a refused one costs a full check every time.
const (
	verifiedTokens     = 512
	maxRememberedToken = 2 << 10
)

// verifiedToken is an accepted token: its claims, the caller they prove, and what
// verified the signature.
type verifiedToken struct {
	claims *Claims
	caller conversation.Caller
	method jwt.SigningMethod
	kid    any // the header's kid (nil: none)
	key    any // []byte (HMAC) or a public key with Equal
}

// Enabled reports whether any token can be accepted.
func (v *Verifier) Enabled() bool { return v != nil && len(v.methods) > 0 }

// Claims are the identity token's claims.
type Claims struct {
	Email string `json:"email,omitempty"`
	jwt.RegisteredClaims
}

// errClaimType: a date claim that is not a JSON number.
var errClaimType = errors.New("identity: exp, nbf and iat must be JSON numbers")

// claimsWire is the claims as they arrive: the dates kept raw so that one pass over
// the JSON both checks their type and yields their value.
type claimsWire struct {
	Email    string           `json:"email"`
	Issuer   string           `json:"iss"`
	Subject  string           `json:"sub"`
	Audience jwt.ClaimStrings `json:"aud"`
	Exp      json.RawMessage  `json:"exp"`
	Nbf      json.RawMessage  `json:"nbf"`
	Iat      json.RawMessage  `json:"iat"`
	ID       string           `json:"jti"`
}

// UnmarshalJSON decodes the claims as golang-jwt does, but takes exp, nbf and iat only
// as JSON numbers (RFC 7519 §2 NumericDate): golang-jwt's NumericDate also accepts a
// number inside a JSON string, and null as absent. The JSON is decoded once: the
// dates arrive raw, are checked to be numbers and converted as NumericDate does.
func (c *Claims) UnmarshalJSON(b []byte) error {
	var w claimsWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	exp, err := numericDate("exp", w.Exp)
	if err != nil {
		return err
	}
	nbf, err := numericDate("nbf", w.Nbf)
	if err != nil {
		return err
	}
	iat, err := numericDate("iat", w.Iat)
	if err != nil {
		return err
	}
	*c = Claims{Email: w.Email, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: w.Issuer, Subject: w.Subject, Audience: w.Audience,
		ExpiresAt: exp, NotBefore: nbf, IssuedAt: iat, ID: w.ID,
	}}
	return nil
}

// numericDate converts a raw date claim: absent is nil, a JSON number is the date as
// golang-jwt's NumericDate makes it (seconds, fraction kept to jwt.TimePrecision), and
// anything else (a string, null, an object) is refused.
func numericDate(name string, v json.RawMessage) (*jwt.NumericDate, error) {
	if v == nil {
		return nil, nil
	}
	if v = bytes.TrimSpace(v); len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return nil, fmt.Errorf("%w (%s)", errClaimType, name)
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return nil, fmt.Errorf("%w (%s): %w", errClaimType, name, err)
	}
	round, frac := math.Modf(f)
	return jwt.NewNumericDate(time.Unix(int64(round), int64(frac*1e9))), nil
}

// Validate implements jwt.ClaimsValidator: iat is required (golang-jwt's WithIssuedAt
// only checks it when present).
func (c *Claims) Validate() error {
	if c.IssuedAt == nil {
		return fmt.Errorf("%w: iat", jwt.ErrTokenRequiredClaimMissing)
	}
	return nil
}

// Verify checks raw and returns the caller it proves, or an anonymous caller whose
// Refused says why not. The error says the same for logs (it never holds the token).
func (v *Verifier) Verify(ctx context.Context, raw string) (conversation.Caller, error) {
	anon := func(reason string, err error) (conversation.Caller, error) {
		return conversation.Caller{Method: conversation.VerifiedNone, Refused: reason}, err
	}
	if !v.Enabled() {
		return anon(RefusedAlgorithm, errors.New("identity: no token key is configured"))
	}
	if e, ok := v.seen.Get(raw, time.Time{}); ok && v.sameKey(ctx, e) {
		if err := v.validator.Validate(e.claims); err != nil {
			// As ParseWithClaims words a claim that fails (the same errors.Is chain).
			err = fmt.Errorf("%w: %w", jwt.ErrTokenInvalidClaims, err)
			return anon(reason(err), fmt.Errorf("identity: token refused (%s): %w", reason(err), err))
		}
		return e.caller, nil
	}
	var (
		claims Claims
		used   any
	)
	tok, err := v.parser.ParseWithClaims(raw, &claims, v.keyFunc(ctx, &used))
	if err == nil {
		err = critical(tok)
	}
	if err != nil {
		// golang-jwt's errors name the failed check, never the token.
		return anon(reason(err), fmt.Errorf("identity: token refused (%s): %w", reason(err), err))
	}
	email := claims.Email
	if email == "" && strings.Contains(claims.Subject, "@") {
		email = claims.Subject
	}
	email, ok := normalEmail(email)
	if !ok {
		return anon(RefusedNoEmail, errors.New("identity: token carries no usable email"))
	}
	caller := conversation.Caller{Method: conversation.VerifiedToken, Email: email}
	if len(raw) <= maxRememberedToken && comparableKey(used) {
		v.seen.Put(raw, &verifiedToken{claims: &claims, caller: caller, method: tok.Method, kid: tok.Header["kid"], key: used}, time.Time{})
	}
	return caller, nil
}

// sameKey reports whether the key that verifies e's algorithm and kid now is the one
// that verified e. A key that cannot be had now (Secrets Manager down, a kid gone from
// the JWKS) is not the same: the token is verified afresh, and refused as that says.
func (v *Verifier) sameKey(ctx context.Context, e *verifiedToken) bool {
	if _, ok := e.method.(*jwt.SigningMethodHMAC); ok {
		// The HMAC key compared as bytes, not boxed into now (an allocation per turn).
		key, err := v.hmacKey(ctx)
		if err != nil {
			return false
		}
		switch k := e.key.(type) {
		case []byte:
			return bytes.Equal(k, key)
		case interface{ Equal(crypto.PublicKey) bool }:
			return k.Equal(key)
		}
		return false
	}
	h := map[string]any{"alg": e.method.Alg()}
	if e.kid != nil {
		h["kid"] = e.kid
	}
	now, err := v.keyFunc(ctx, nil)(&jwt.Token{Header: h, Method: e.method})
	if err != nil {
		return false
	}
	switch k := e.key.(type) {
	case []byte:
		n, ok := now.([]byte)
		return ok && bytes.Equal(k, n)
	case interface{ Equal(crypto.PublicKey) bool }:
		return k.Equal(now)
	}
	return false
}

// comparableKey: a key sameKey can compare (an HMAC key, an RSA or ECDSA public key);
// a token verified by anything else (a set of keys) is not remembered.
func comparableKey(k any) bool {
	switch k.(type) {
	case []byte, interface{ Equal(crypto.PublicKey) bool }:
		return true
	}
	return false
}

var errUnavailable = errors.New("identity: token key unavailable")

// critical refuses a token whose header has a crit parameter: it lists extensions the
// recipient must understand and process (RFC 7515 §4.1.11), and Switchboard
// understands none, so the token is invalid (golang-jwt ignores crit).
func critical(t *jwt.Token) error {
	if _, ok := t.Header["crit"]; ok {
		return fmt.Errorf("%w: unsupported critical header parameters (crit)", jwt.ErrTokenMalformed)
	}
	return nil
}

// keyFunc picks the key by the token's algorithm family: the HMAC key only ever
// verifies HMAC tokens and the JWKS keys only RSA/ECDSA ones, so a public key can never
// be used as an HMAC secret (the alg allow-list has already refused anything else).
//
// The key it returns is also stored in *used (when used is not nil).
func (v *Verifier) keyFunc(ctx context.Context, used *any) jwt.Keyfunc {
	return func(t *jwt.Token) (k any, err error) {
		if used != nil {
			defer func() { *used = k }()
		}
		switch t.Method.(type) {
		case *jwt.SigningMethodHMAC:
			return v.hmacKey(ctx)
		case *jwt.SigningMethodRSA, *jwt.SigningMethodECDSA:
			kf, err := v.jwksKeyfunc(ctx)
			if err != nil {
				return nil, err
			}
			return kf.KeyfuncCtx(ctx)(t)
		}
		return nil, fmt.Errorf("identity: algorithm %v not allowed", t.Header["alg"])
	}
}

func (v *Verifier) hmacKey(ctx context.Context) ([]byte, error) {
	if v.o.SecretID == "" {
		if len(v.o.HMACKey) == 0 {
			return nil, errors.New("identity: no HMAC key")
		}
		return v.o.HMACKey, nil
	}
	s, err := v.o.Secrets.Get(ctx, v.o.SecretID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUnavailable, err)
	}
	k := s["key"]
	if len(k) < MinHMACKey {
		return nil, fmt.Errorf("%w: the HS256 key in secret %s is missing or shorter than %d bytes", errUnavailable, v.o.SecretID, MinHMACKey)
	}
	if c := v.hmac.Load(); c != nil && c.secret == k {
		return c.key, nil
	}
	c := &hmacKey{secret: k, key: []byte(k)}
	v.hmac.Store(c)
	return c.key, nil
}

// jwksKeyfunc builds the JWKS cache on first use. keyfunc refetches the set on an
// unknown kid at most once a minute (an attacker's made-up kids cannot make it fetch on
// every turn), waiting no longer than the turn's context; otherwise hourly.
func (v *Verifier) jwksKeyfunc(ctx context.Context) (keyfunc.Keyfunc, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.jwks != nil {
		return v.jwks, nil
	}
	noErr := true
	// The first fetch happens here, synchronously: bound it by the turn's budget (but
	// give the hourly refreshes that reuse the timeout at least a second).
	timeout := v.o.HTTPClient.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, max(time.Second, time.Until(d)))
	}
	kf, err := keyfunc.NewDefaultOverrideCtx(context.Background(), []string{v.o.JWKSURL}, keyfunc.Override{
		Client:          v.o.HTTPClient,
		HTTPTimeout:     timeout,
		RefreshInterval: time.Hour,
		// On an unknown kid: refetch at most once a minute, and never wait for the
		// limiter longer than the turn's own context allows (a negative maximum leaves
		// only the turn's deadline, which rate.Limiter.Wait refuses to overrun).
		RefreshUnknownKID:         rate.NewLimiter(rate.Every(time.Minute), 1),
		RateLimitWaitMax:          -1,
		NoErrorReturnFirstHTTPReq: &noErr,
		RefreshErrorHandlerFunc: func(string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				v.o.Logger.LogAttrs(ctx, slog.LevelWarn, "identity: JWKS refresh failed", slog.Any("error", err))
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUnavailable, err)
	}
	v.jwks = kf
	return kf, nil
}

// reason maps golang-jwt's errors to the refusal vocabulary.
func reason(err error) string {
	switch {
	case errors.Is(err, errUnavailable):
		return RefusedUnavailable
	case errors.Is(err, jwt.ErrTokenExpired):
		return RefusedExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return RefusedNotYetValid
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return RefusedAudience
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return RefusedIssuer
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return RefusedSignature
	case errors.Is(err, jwt.ErrTokenMalformed):
		return RefusedMalformed
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return RefusedAlgorithm
	}
	return RefusedMalformed
}

// normalEmail accepts one plain address and lower-cases it.
func normalEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s, "@") {
		return "", false
	}
	return strings.ToLower(s), true
}
