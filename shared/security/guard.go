package security

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/secrets"
)

// Guard is everything a webhook call passes before it reaches an adapter.
type Guard struct {
	Auth     *Authenticator
	Source   *Limiter
	Session  *Limiter
	MaxDepth int
}

// NewGuard builds the guard of cfg.
func NewGuard(cfg config.Security, p secrets.Provider) (*Guard, error) {
	a, err := NewAuthenticator(cfg, p)
	if err != nil {
		return nil, err
	}
	return &Guard{
		Auth:     a,
		Source:   NewLimiter(cfg.PerSourceRate, cfg.PerSourceBurst, cfg.LimiterIdle),
		Session:  NewLimiter(cfg.PerSessionRate, cfg.PerSessionBurst, cfg.LimiterIdle),
		MaxDepth: cfg.MaxJSONDepth,
	}, nil
}

// Refusal is why a call is turned away: the HTTP status and a JSON body with a reason
// that gives nothing away.
type Refusal struct {
	Status int
	Body   []byte
	// Err is the cause for the log (for a 503, the secret read's error, which names
	// the secret id); never sent to the caller.
	Err error
}

var (
	refusedAuth    = &Refusal{Status: http.StatusUnauthorized, Body: []byte(`{"error":"unauthorized"}`)}
	refusedRate    = &Refusal{Status: http.StatusTooManyRequests, Body: []byte(`{"error":"too many requests"}`)}
	refusedSecrets = &Refusal{Status: http.StatusServiceUnavailable, Body: []byte(`{"error":"cannot verify credentials right now"}`)}
)

// Admit checks a call's source rate and credentials. It returns nil to let it through.
func (g *Guard) Admit(ctx context.Context, p conversation.Platform, h http.Header, q url.Values, source string) *Refusal {
	if g == nil {
		return nil
	}
	if !g.Source.Allow(source) {
		return refusedRate
	}
	if g.Auth != nil {
		if err := g.Auth.Check(ctx, p, h, q); err != nil {
			if errors.Is(err, ErrUnauthenticated) {
				return refusedAuth
			}
			return &Refusal{Status: refusedSecrets.Status, Body: refusedSecrets.Body, Err: err}
		}
	}
	return nil
}

// AllowSession takes a token from the conversation's bucket.
func (g *Guard) AllowSession(p conversation.Platform, session string) bool {
	if g == nil {
		return true
	}
	return g.Session.Allow(string(p) + "\x00" + session)
}

// Depth checks the body's nesting.
func (g *Guard) Depth(body []byte) error {
	if g == nil || g.MaxDepth <= 0 {
		return nil
	}
	return CheckDepth(body, g.MaxDepth)
}
