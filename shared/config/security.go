package config

import (
	"fmt"
	"time"
)

// Security configures webhook authentication and abuse limits. Owned by the security
// work (issue 7).
type Security struct {
	// Per-platform webhook authentication. The embedded default is "none" so that
	// `make run` answers curl; every deployment reachable from the internet sets one.
	Dialogflow   WebhookAuth `yaml:"dialogflow"`
	DialogflowCX WebhookAuth `yaml:"dialogflow_cx"`
	Lex          WebhookAuth `yaml:"lex"`
	Rasa         WebhookAuth `yaml:"rasa"`

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
}

// WebhookAuth says how one platform's webhook calls prove who they are.
type WebhookAuth struct {
	// Method: none | basic | header | token.
	//   basic  — HTTP basic auth; the secret has "username" and "password"
	//            (Dialogflow ES/CX "basic auth" in the agent's webhook settings).
	//   header — a custom header carries the secret's "token" (Dialogflow ES/CX
	//            custom headers; Header names it, default X-Switchboard-Token).
	//   token  — the secret's "token" in a query parameter (Rasa's endpoints.yml
	//            `token:`; Param names it, default "token").
	Method string `yaml:"method"`
	// Secret is the id of the secret holding the credentials (see secrets).
	Secret string `yaml:"secret"`
	Header string `yaml:"header"`
	Param  string `yaml:"param"`
}

// Webhook auth methods.
const (
	AuthNone   = "none"
	AuthBasic  = "basic"
	AuthHeader = "header"
	AuthToken  = "token"
)

// WebhookFor returns the platform's webhook auth (by platform name as in
// conversation.Platform: dialogflow, dialogflow-cx, lex, rasa).
func (s Security) WebhookFor(platform string) WebhookAuth {
	switch platform {
	case "dialogflow":
		return s.Dialogflow
	case "dialogflow-cx":
		return s.DialogflowCX
	case "lex":
		return s.Lex
	case "rasa":
		return s.Rasa
	}
	return WebhookAuth{Method: AuthNone}
}

func (w *WebhookAuth) applyDefaults() {
	if w.Method == "" {
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
	for _, w := range []*WebhookAuth{&s.Dialogflow, &s.DialogflowCX, &s.Lex, &s.Rasa} {
		w.applyDefaults()
	}
	setFloat(&s.PerSourceRate, 50)
	setInt(&s.PerSourceBurst, 100)
	setFloat(&s.PerSessionRate, 5)
	setInt(&s.PerSessionBurst, 10)
	setInt(&s.MaxJSONDepth, 64)
	setDur(&s.LimiterIdle, 10*time.Minute)
}

// Validate checks the security section.
func (s Security) Validate() error {
	for name, w := range map[string]WebhookAuth{"dialogflow": s.Dialogflow, "dialogflow_cx": s.DialogflowCX, "lex": s.Lex, "rasa": s.Rasa} {
		switch w.Method {
		case AuthNone:
		case AuthBasic, AuthHeader, AuthToken:
			if w.Secret == "" {
				return fmt.Errorf("config: security.%s.secret: required with method %q", name, w.Method)
			}
		default:
			return fmt.Errorf("config: security.%s.method: unknown method %q (want none, basic, header or token)", name, w.Method)
		}
	}
	if s.MaxJSONDepth < 2 {
		return fmt.Errorf("config: security.max_json_depth: %d, want >= 2", s.MaxJSONDepth)
	}
	return nil
}
