package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// Security configures webhook authentication and abuse limits.
type Security struct {
	// Auth is the method of every platform whose own method is not set. Only "none"
	// (or empty) is accepted here: it is how a configuration asks, by name, for
	// webhooks that answer anyone (the embedded demo does). With Auth empty, a
	// platform without a method refuses every HTTP webhook call: no credentials
	// configured means closed.
	Auth string `yaml:"auth"`
	// Webhooks is each platform's webhook authentication, security.<platform> by
	// platform name (shared/platform/names; dialogflow_cx, the older spelling of
	// dialogflow-cx, is accepted for one release).
	Webhooks map[string]WebhookAuth `yaml:",inline"`

	// PerSourceRate and PerSourceBurst bound the requests one client address may make
	// (token bucket, requests per second; default 50/s, burst 100). Negative disables.
	PerSourceRate  float64 `yaml:"per_source_rate"`
	PerSourceBurst int     `yaml:"per_source_burst"`
	// PerSessionRate and PerSessionBurst bound the turns of one conversation (default
	// 5/s, burst 10): a human does not send more, a loop does. Negative disables.
	PerSessionRate  float64 `yaml:"per_session_rate"`
	PerSessionBurst int     `yaml:"per_session_burst"`
	// MaxJSONDepth rejects webhook bodies nested deeper than this (default 64).
	MaxJSONDepth int `yaml:"max_json_depth"`
	// LimiterIdle is how long an idle per-source or per-session bucket is kept
	// (default 10m).
	LimiterIdle time.Duration `yaml:"limiter_idle"`
	// InflightBytes is the process-wide budget of webhook bytes held in memory at
	// once (received, inflated, decoded); a body claims from it as its bytes arrive,
	// and one that cannot is refused (503). Default 64 MiB for serve; on Lambda, a
	// quarter of the function's memory.
	InflightBytes int64 `yaml:"inflight_bytes"`
	// InflightWait is how long a body waits for room in that budget before it is
	// refused (default 1s).
	InflightWait time.Duration `yaml:"inflight_wait"`
	// UploadsPerSource caps the webhook bodies one client address may be sending at
	// once (default 8); more are refused (429) before their body is read. Negative
	// disables.
	UploadsPerSource int `yaml:"uploads_per_source"`
	// BodyIdleTimeout is the longest a webhook body may keep the server waiting for
	// its first bytes or between two reads (default 5s); BodyMinRate (bytes/s, default
	// 16384) the average it must keep after that first interval. A slower body is cut
	// off (408). Negative BodyMinRate disables the average (not the idle timeout).
	BodyIdleTimeout time.Duration `yaml:"body_idle_timeout"`
	BodyMinRate     int64         `yaml:"body_min_rate"`
	// MaxInflateRatio refuses a compressed body that inflates to more than this many
	// times its compressed size (default 200; JSON rarely compresses past 20).
	MaxInflateRatio int `yaml:"max_inflate_ratio"`
	// TrustedProxies lists the reverse proxies (addresses or CIDR prefixes) in front
	// of switchboard serve: a request from one of them is attributed, for the
	// per-source limits, to the rightmost X-Forwarded-For address that is not a
	// trusted proxy. Empty (default): the TCP peer is the client. Whatever it says, a
	// request that came through a proxy is never "from this machine" (console,
	// /metrics): see docs/security.md.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// WebhookAuth says how one platform's webhook calls prove who they are.
type WebhookAuth struct {
	// Method: none | basic | header | token | bearer. Empty means not configured: calls are
	// refused unless security.auth is "none".
	//   basic  — HTTP basic auth; the secret has "username" and "password"
	//            (Dialogflow ES/CX "basic auth" in the agent's webhook settings).
	//   header — a custom header carries the secret's "token" (Dialogflow ES/CX
	//            custom headers; Header names it, default X-Switchboard-Token).
	//   token  — the secret's "token" in a query parameter (Rasa's endpoints.yml
	//            `token:`; Param names it, default "token").
	//   bearer — "Authorization: Bearer <the secret's token>" (the tool API and
	//            its MCP server).
	// During a rotation the secret may also hold "previous_token" (or
	// "previous_password"): both values are accepted until it is removed.
	Method string `yaml:"method"`
	// Secret is the id of the secret holding the credentials (see secrets).
	Secret string `yaml:"secret"`
	Header string `yaml:"header"`
	Param  string `yaml:"param"`
}

// Webhook auth methods.
const (
	AuthNone   = names.AuthNone
	AuthBasic  = names.AuthBasic
	AuthHeader = names.AuthHeader
	AuthToken  = names.AuthToken
	AuthBearer = names.AuthBearer
)

// WebhookFor returns the platform's webhook auth (by canonical platform name, as in
// conversation.Platform); a name that is no platform gets method none.
func (s Security) WebhookFor(platform string) WebhookAuth {
	if _, ok := names.Lookup(platform); !ok {
		return WebhookAuth{Method: AuthNone}
	}
	return s.Webhooks[platform]
}

// Configured reports whether the method says how calls authenticate (none included).
func (w WebhookAuth) Configured() bool { return w.Method != "" }

func (w *WebhookAuth) applyDefaults(global string) {
	if w.Method == "" && global == AuthNone {
		w.Method = AuthNone
	}
	if w.Header == "" {
		w.Header = "X-Switchboard-Token"
	}
	if w.Param == "" {
		w.Param = "token"
	}
}

func (s *Security) applyDefaults() {
	if s.Webhooks == nil {
		s.Webhooks = map[string]WebhookAuth{}
	}
	for _, p := range names.List() {
		w := s.Webhooks[p]
		w.applyDefaults(s.Auth)
		s.Webhooks[p] = w
	}
	setInt64(&s.InflightBytes, defaultInflightBytes)
	setDur(&s.InflightWait, time.Second)
	setInt(&s.UploadsPerSource, 8)
	setDur(&s.BodyIdleTimeout, 5*time.Second)
	setInt64(&s.BodyMinRate, 16<<10)
	setInt(&s.MaxInflateRatio, 200)
	setFloat(&s.PerSourceRate, 50)
	setInt(&s.PerSourceBurst, 100)
	setFloat(&s.PerSessionRate, 5)
	setInt(&s.PerSessionBurst, 10)
	setInt(&s.MaxJSONDepth, 64)
	setDur(&s.LimiterIdle, 10*time.Minute)
}

// defaultInflightBytes is security.inflight_bytes when not set.
const defaultInflightBytes = 64 << 20

// Open lists the platforms whose webhooks answer without credentials (method none).
func (s Security) Open() []string {
	var open []string
	for _, p := range names.List() {
		if s.WebhookFor(p).Method == AuthNone {
			open = append(open, p)
		}
	}
	return open
}

// Validate checks the security section.
func (s Security) Validate() error {
	if s.Auth != "" && s.Auth != AuthNone {
		return fmt.Errorf("config: security.auth: %q, want none (or set security.<platform>.method)", s.Auth)
	}
	if s.InflightBytes < 1<<20 {
		return fmt.Errorf("config: security.inflight_bytes: %d, want at least 1 MiB", s.InflightBytes)
	}
	if s.BodyIdleTimeout < 0 {
		return fmt.Errorf("config: security.body_idle_timeout: %s, want > 0", s.BodyIdleTimeout)
	}
	if s.MaxInflateRatio < 2 {
		return fmt.Errorf("config: security.max_inflate_ratio: %d, want >= 2", s.MaxInflateRatio)
	}
	for _, name := range names.List() {
		w := s.Webhooks[name]
		switch w.Method {
		case "", AuthNone:
		case AuthBasic, AuthHeader, AuthToken, AuthBearer:
			if w.Secret == "" {
				return fmt.Errorf("config: security.%s.secret: required with method %q", name, w.Method)
			}
		default:
			return fmt.Errorf("config: security.%s.method: unknown method %q (want none, basic, header, token or bearer)", name, w.Method)
		}
	}
	if s.MaxJSONDepth < 2 {
		return fmt.Errorf("config: security.max_json_depth: %d, want >= 2", s.MaxJSONDepth)
	}
	for _, p := range s.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return fmt.Errorf("config: security.trusted_proxies: %q is neither an address nor a CIDR prefix", p)
			}
		}
	}
	return nil
}

// WebhookAuthOutput is the name of the CDK stack output that states a platform's
// webhook auth as "<method> <secret name>" (platform as in WebhookFor, "-" or "_"):
// the CDK app writes it and `switchboard platform-config` reads it.
func WebhookAuthOutput(platform string) string {
	out := "WebhookAuth"
	for _, part := range strings.FieldsFunc(platform, func(r rune) bool { return r == '-' || r == '_' }) {
		out += strings.ToUpper(part[:1]) + part[1:]
	}
	return out
}
