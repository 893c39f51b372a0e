package security

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// Guard is everything a webhook call passes before it reaches an adapter.
type Guard struct {
	Auth *Authenticator
	// Budget bounds the webhook bytes being read, inflated and decoded at once, process
	// wide; Ratio caps how far a compressed body may inflate.
	Budget *Budget
	Ratio  int
	// Uploads caps the bodies one address may be sending at once; Pace is how fast a
	// body must arrive.
	Uploads  *Uploads
	Pace     Pace
	Source   *Limiter
	Session  *Limiter
	MaxDepth int
	// Proxies are the reverse proxies trusted to name their client (nil: none).
	Proxies Proxies
}

// Options are a guard's settings (the configuration's security section after Load,
// which the composition root converts). Limits are taken as given: zero bounds
// nothing where the component says so (NewBudget, newUploads, NewLimiter).
type Options struct {
	// Webhooks is each platform's webhook authentication (newAuthenticator).
	Webhooks map[conversation.Platform]WebhookAuth
	// PerSourceRate and PerSourceBurst bound the requests of one client address,
	// PerSessionRate and PerSessionBurst the turns of one conversation; LimiterIdle is
	// how long an idle bucket is kept.
	PerSourceRate   float64
	PerSourceBurst  int
	PerSessionRate  float64
	PerSessionBurst int
	LimiterIdle     time.Duration
	// MaxJSONDepth rejects webhook bodies nested deeper.
	MaxJSONDepth int
	// InflightBytes is the process-wide budget of webhook bytes held at once;
	// InflightWait how long a body waits for room in it.
	InflightBytes int64
	InflightWait  time.Duration
	// UploadsPerSource caps the bodies one address may be sending at once.
	UploadsPerSource int
	// BodyIdleTimeout and BodyMinRate are the Pace a body must keep.
	BodyIdleTimeout time.Duration
	BodyMinRate     int64
	// MaxInflateRatio caps how far a compressed body may inflate.
	MaxInflateRatio int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client.
	TrustedProxies Proxies
}

// NewGuard builds the guard of o.
func NewGuard(cfg Options, p secrets.Provider) (*Guard, error) {
	a, err := newAuthenticator(cfg.Webhooks, p)
	if err != nil {
		return nil, err
	}
	budget := NewBudget(cfg.InflightBytes)
	if budget != nil && cfg.InflightWait > 0 {
		budget.Wait = cfg.InflightWait
	}
	return &Guard{
		Auth:     a,
		Budget:   budget,
		Ratio:    cfg.MaxInflateRatio,
		Uploads:  newUploads(cfg.UploadsPerSource),
		Pace:     Pace{Idle: cfg.BodyIdleTimeout, MinRate: max(cfg.BodyMinRate, 0)},
		Source:   NewLimiter(cfg.PerSourceRate, cfg.PerSourceBurst, cfg.LimiterIdle),
		Session:  NewLimiter(cfg.PerSessionRate, cfg.PerSessionBurst, cfg.LimiterIdle),
		MaxDepth: cfg.MaxJSONDepth,
		Proxies:  cfg.TrustedProxies,
	}, nil
}

// Pace is how fast a webhook body must arrive: its first bytes within Idle, no pause
// between reads longer than Idle, and after the first Idle an average of at least
// MinRate bytes per second (0: no average). The zero Pace sets no limit.
type Pace struct {
	Idle    time.Duration
	MinRate int64
}

// Refusal is why a call is turned away: the HTTP status and a JSON body with a reason
// that gives nothing away. Reason is the refused_total label (Reason* constants).
type Refusal struct {
	Status int
	Body   []byte
	Reason string
}

// Reasons a call is refused, the values of the refused_total{reason} label (named in
// shared/telemetry/metricdefs, which the CDK app's alarms read too).
const (
	ReasonAuth    = metricdefs.ReasonAuth    // no, wrong or unverifiable webhook credentials
	ReasonRate    = metricdefs.ReasonRate    // per-source or per-session token bucket empty, too many bodies from one address, body below the pace
	ReasonSize    = metricdefs.ReasonSize    // body larger than server.max_body_bytes
	ReasonDepth   = metricdefs.ReasonDepth   // JSON nested deeper than security.max_json_depth
	ReasonInflate = metricdefs.ReasonInflate // compression ratio above the cap, or the in-flight byte budget spent
)

var (
	// RefusedAuth, RefusedRate and RefusedSecrets are the answers of Admit, for
	// endpoints that check credentials their own way (/metrics).
	RefusedAuth    = refusedAuth
	RefusedRate    = refusedRate
	RefusedSecrets = refusedSecrets
	refusedAuth    = &Refusal{Status: http.StatusUnauthorized, Body: []byte(`{"error":"unauthorized"}`), Reason: ReasonAuth}
	refusedRate    = &Refusal{Status: http.StatusTooManyRequests, Body: []byte(`{"error":"too many requests"}`), Reason: ReasonRate}
	refusedSecrets = &Refusal{Status: http.StatusServiceUnavailable, Body: []byte(`{"error":"cannot verify credentials right now"}`), Reason: ReasonAuth}
	// RefusedSize is a body over the size cap (from Content-Length or while reading).
	RefusedSize = &Refusal{Status: http.StatusRequestEntityTooLarge, Body: []byte(`{"error":"request body too large"}`), Reason: ReasonSize}
	// RefusedBusy is a body that does not fit the in-flight byte budget right now.
	RefusedBusy = &Refusal{Status: http.StatusServiceUnavailable, Body: []byte(`{"error":"too much webhook data in flight; retry shortly"}`), Reason: ReasonInflate}
	// RefusedUploads is a source already sending as many bodies as it may at once.
	RefusedUploads = &Refusal{Status: http.StatusTooManyRequests, Body: []byte(`{"error":"too many request bodies from this address at once"}`), Reason: ReasonRate}
	// RefusedSlow is a body that arrived below the pace (too long a pause, too low a
	// rate); its connection is closed.
	RefusedSlow = &Refusal{Status: http.StatusRequestTimeout, Body: []byte(`{"error":"request body arrived too slowly"}`), Reason: ReasonRate}
	// RefusedRatio is a compressed body that inflates past the ratio cap.
	RefusedRatio = &Refusal{Status: http.StatusRequestEntityTooLarge, Body: []byte(`{"error":"compressed body inflates beyond the allowed ratio"}`), Reason: ReasonInflate}
)

// Admit checks a call's source rate and credentials. It returns nil to let it through.
// A nil Guard admits everything (unit tests of the layers behind it).
func (g *Guard) Admit(ctx context.Context, p conversation.Platform, h http.Header, q url.Values, source string) *Refusal {
	r, _ := g.AdmitWhy(ctx, p, h, q, source)
	return r
}

// AdmitWhy is Admit, also returning the error behind an auth refusal for the log (it
// never holds a credential).
func (g *Guard) AdmitWhy(ctx context.Context, p conversation.Platform, h http.Header, q url.Values, source string) (*Refusal, error) {
	if g == nil {
		return nil, nil
	}
	if !g.Source.Allow(source) {
		return refusedRate, nil
	}
	if g.Auth == nil {
		return refusedAuth, ErrNotConfigured
	}
	if err := g.Auth.Check(ctx, p, h, q); err != nil {
		if errors.Is(err, ErrUnauthenticated) {
			return refusedAuth, err
		}
		return refusedSecrets, err
	}
	return nil, nil
}

// Open reports whether platform p's webhook answers without credentials.
func (g *Guard) Open(p conversation.Platform) bool {
	return g == nil || (g.Auth != nil && !g.Auth.Required(p))
}

// AllowSession takes a token from the conversation's bucket.
func (g *Guard) AllowSession(p conversation.Platform, session string) bool {
	if !g.LimitsSessions() {
		return true
	}
	return g.Session.Allow(string(p) + "\x00" + session)
}

// LimitsSessions reports whether conversations are rate limited at all
// (security.per_session_rate not negative): when not, AllowSession is always true.
func (g *Guard) LimitsSessions() bool { return g != nil && g.Session != nil }

// Depth checks the body's nesting.
func (g *Guard) Depth(body []byte) error {
	if g == nil || g.MaxDepth <= 0 {
		return nil
	}
	return CheckDepth(body, g.MaxDepth)
}
