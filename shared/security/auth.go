package security

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// ErrUnauthenticated is a webhook call without valid credentials. It never says which
// part was wrong.
var ErrUnauthenticated = errors.New("webhook authentication failed")

// Authenticator checks webhook credentials per platform.
type Authenticator struct {
	rules    map[conversation.Platform]config.WebhookAuth
	provider secrets.Provider
}

// NewAuthenticator reads the rules from cfg. provider supplies the secrets; it may be nil
// only when every platform's method is none.
func NewAuthenticator(cfg config.Security, provider secrets.Provider) (*Authenticator, error) {
	a := &Authenticator{rules: map[conversation.Platform]config.WebhookAuth{}, provider: provider}
	for _, p := range conversation.Platforms {
		r := cfg.WebhookFor(string(p))
		if r.Method != config.AuthNone && r.Method != "" && provider == nil {
			return nil, fmt.Errorf("security: %s webhook auth %q needs a secrets provider", p, r.Method)
		}
		a.rules[p] = r
	}
	return a, nil
}

// Required reports whether calls from platform p must authenticate.
func (a *Authenticator) Required(p conversation.Platform) bool {
	r := a.rules[p]
	return r.Method != "" && r.Method != config.AuthNone
}

// Check verifies one call's credentials. It returns nil, ErrUnauthenticated, or an
// error reading the secret (the caller answers 503: the secret store is down, not the
// caller's fault).
func (a *Authenticator) Check(ctx context.Context, p conversation.Platform, h http.Header, q url.Values) error {
	r := a.rules[p]
	if r.Method == "" || r.Method == config.AuthNone {
		return nil
	}
	var presented []byte
	switch r.Method {
	case config.AuthBasic:
		req := http.Request{Header: h}
		user, pass, ok := req.BasicAuth()
		if !ok {
			return ErrUnauthenticated
		}
		sec, err := a.provider.Get(ctx, r.Secret)
		if err != nil {
			return fmt.Errorf("security: %s webhook secret: %w", p, err)
		}
		// Both fields are compared, always, so timing says nothing about which differed.
		u := equal(user, sec["username"])
		w := equal(pass, sec["password"])
		if sec["username"] == "" || sec["password"] == "" || !(u && w) {
			return ErrUnauthenticated
		}
		return nil
	case config.AuthHeader:
		presented = []byte(h.Get(r.Header))
	case config.AuthToken:
		presented = []byte(q.Get(r.Param))
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
	if sec["token"] == "" || !equal(string(presented), sec["token"]) {
		return ErrUnauthenticated
	}
	return nil
}

// equal compares in constant time; hashing first makes the time independent of the
// lengths too.
func equal(a, b string) bool {
	ha := sha256.Sum256([]byte(a))
	hb := sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}
