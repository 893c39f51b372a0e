package security

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// ErrUnauthenticated is a webhook call without valid credentials. It never says which
// part was wrong.
var ErrUnauthenticated = errors.New("webhook authentication failed")

// ErrNotConfigured is a webhook call to a platform whose authentication is not
// configured: closed by default, it is refused like a wrong credential (the caller is
// told 401 only; the log says why).
var ErrNotConfigured = fmt.Errorf("%w: no webhook credentials configured for this platform (set security.<platform>.method, or security.auth: none to answer anyone)", ErrUnauthenticated)

// Webhook auth methods (WebhookAuth.Method).
const (
	AuthNone   = names.AuthNone
	AuthBasic  = names.AuthBasic
	AuthHeader = names.AuthHeader
	AuthToken  = names.AuthToken
	AuthBearer = names.AuthBearer
)

// WebhookAuth says how one platform's webhook calls prove who they are
// (security.<platform> in the configuration, which documents the methods).
type WebhookAuth struct {
	// Method: none | basic | header | token | bearer; "" is not configured: calls are
	// refused.
	Method string
	// Secret is the id of the secret holding the credentials.
	Secret string
	// Header carries the token with method header; Param with method token.
	Header string
	Param  string
}

// Authenticator checks webhook credentials per platform.
type Authenticator struct {
	rules    map[conversation.Platform]WebhookAuth
	provider secrets.Provider
}

// newAuthenticator checks calls by the rules in webhooks; a platform missing from it has
// no method (its calls are refused). provider supplies the secrets; it may be nil only
// when every platform's method is none.
func newAuthenticator(webhooks map[conversation.Platform]WebhookAuth, provider secrets.Provider) (*Authenticator, error) {
	a := &Authenticator{rules: map[conversation.Platform]WebhookAuth{}, provider: provider}
	for _, p := range conversation.Platforms {
		r := webhooks[p]
		if r.Method != AuthNone && r.Method != "" && provider == nil {
			// A method with a secret but nothing to read it from cannot work.
			return nil, fmt.Errorf("security: %s webhook auth %q needs a secrets provider", p, r.Method)
		}
		a.rules[p] = r
	}
	return a, nil
}

// Required reports whether calls from platform p must authenticate (every platform
// whose method is not explicitly none, including one with no method at all).
func (a *Authenticator) Required(p conversation.Platform) bool {
	return a.rules[p].Method != AuthNone
}

// Secrets lists the secret ids the authenticator reads (CDK grants read on exactly
// these).
func (a *Authenticator) Secrets() []string {
	var out []string
	for _, p := range conversation.Platforms {
		if r := a.rules[p]; r.Method != "" && r.Method != AuthNone {
			out = append(out, r.Secret)
		}
	}
	return out
}

// Check verifies one call's credentials. It returns nil, ErrUnauthenticated, or an
// error reading the secret (the caller answers 503: the secret store is down, not the
// caller's fault).
func (a *Authenticator) Check(ctx context.Context, p conversation.Platform, h http.Header, q url.Values) error {
	r := a.rules[p]
	switch r.Method {
	case AuthNone:
		return nil
	case "":
		return ErrNotConfigured
	}
	var presented []byte
	switch r.Method {
	case AuthBasic:
		req := http.Request{Header: h}
		user, pass, ok := req.BasicAuth()
		if !ok {
			return ErrUnauthenticated
		}
		sec, err := a.provider.Get(ctx, r.Secret)
		if err != nil {
			return fmt.Errorf("security: %s webhook secret: %w", p, err)
		}
		// Every field is compared, always, so timing says nothing about which differed.
		u := equal(user, sec["username"])
		w := equal(pass, sec["password"])
		prev := sec[PreviousPassword] != "" && equal(pass, sec[PreviousPassword])
		if sec["username"] == "" || sec["password"] == "" || !(u && (w || prev)) {
			return ErrUnauthenticated
		}
		return nil
	case AuthHeader:
		presented = []byte(h.Get(r.Header))
	case AuthToken:
		presented = []byte(q.Get(r.Param))
	case AuthBearer:
		// RFC 6750: the scheme is case-insensitive; anything else is no credential.
		scheme, tok, ok := strings.Cut(h.Get("Authorization"), " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			presented = []byte(strings.TrimSpace(tok))
		}
	default:
		return ErrUnauthenticated
	}
	if len(presented) == 0 {
		return ErrUnauthenticated
	}
	sec, err := a.provider.Get(ctx, r.Secret)
	if err != nil {
		return fmt.Errorf("security: %s webhook secret: %w", p, err)
	}
	cur := equal(string(presented), sec["token"])
	prev := sec[PreviousToken] != "" && equal(string(presented), sec[PreviousToken])
	if sec["token"] == "" || !(cur || prev) {
		return ErrUnauthenticated
	}
	return nil
}

// Keys of a webhook secret that are accepted besides the current value while a
// rotation is under way (docs/security.md): write the new value as "token" (or
// "password") and the old one under these, switch the platform over, then remove
// them.
const (
	PreviousToken    = "previous_token"
	PreviousPassword = "previous_password"
)

// equal compares in constant time; hashing first makes the time independent of the
// lengths too.
func equal(a, b string) bool {
	ha := sha256.Sum256([]byte(a))
	hb := sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}
