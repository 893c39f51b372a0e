package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// Identity configures who may see personal data: identity tokens from the site that
// embeds the chatbot, one-time codes by email, the per-intent policy and the audit
// trail (see docs/identity.md).
type Identity struct {
	Token IdentityToken `yaml:"token"`
	Codes Codes         `yaml:"codes"`
	Audit Audit         `yaml:"audit"`
	// OpenIntents lists intents answered in full to anonymous callers, as before
	// identity existed. Empty by default; a permissive choice that is logged at start.
	OpenIntents []conversation.Intent `yaml:"open_intents"`
}

// IdentityToken configures identity token (JWT) verification. With neither a secret
// nor a JWKS URL (and no demo key), no token is accepted.
type IdentityToken struct {
	// SecretID names the secret (connectors.secrets) whose "key" is the HS256 key, at
	// least 32 bytes.
	SecretID string `yaml:"secret_id"`
	// JWKSURL is where the RS256/ES256 public keys are published (cached, refreshed on
	// an unknown kid).
	JWKSURL string `yaml:"jwks_url"`
	// Issuer and Audience are checked when set.
	Issuer   string `yaml:"issuer"`
	Audience string `yaml:"audience"`
	// Leeway is the clock skew allowed on exp, nbf and iat (default 60s, at most 60s).
	Leeway time.Duration `yaml:"leeway"`
	// DemoKey accepts HS256 tokens signed with the public demo key that
	// `switchboard token` uses. It is on by default only with the demo customer
	// directory (connectors.customers: demo); never set it where real data is served.
	DemoKey *bool `yaml:"demo_key"`
}

// Codes configures one-time codes by email.
type Codes struct {
	// Sender: none (no codes are offered), ses (Amazon SES v2), outbox (a JSON-lines
	// file under data_dir, for local runs; `switchboard outbox` prints it). Default:
	// outbox with the demo customer directory, none otherwise.
	Sender string `yaml:"sender"`
	// From is the SES identity (a verified email address) codes are sent from.
	From string `yaml:"from"`
	// Endpoint overrides the SES endpoint (tests).
	Endpoint string `yaml:"endpoint"`
	// Outbox is the outbox file (default <data_dir>/outbox.jsonl).
	Outbox string `yaml:"outbox"`
	// PepperSecretID names the secret (connectors.secrets) whose "pepper" (at least 32
	// bytes) keys the HMAC that codes, emails and verified sessions are stored under.
	// Required with sender ses; unset (outbox, none), the public telemetry.hash_salt
	// keys it — fit for local runs only.
	PepperSecretID string `yaml:"pepper_secret_id"`
	// TTL is how long a code is valid (default 5m); Attempts how many wrong tries a code
	// allows (default 3); PerHour how many codes one conversation may have sent to one
	// email in any hour (default 3); PerDay how many codes one email is sent in any 24
	// hours, whoever asks (default 10); VerifiedFor how long a session stays verified
	// after a right code (default 15m).
	TTL         time.Duration `yaml:"ttl"`
	Attempts    int           `yaml:"attempts"`
	PerHour     int           `yaml:"per_hour"`
	PerDay      int           `yaml:"per_day"`
	VerifiedFor time.Duration `yaml:"verified_for"`
	// OfferTime is the fixed time a code request from an unproven caller takes: its
	// reply waits until this long after the request began, so a known address (a
	// directory hit and a mail sent) and an unknown one (neither) take the same time.
	// Default 1s with sender ses, 100ms otherwise; set it above the slowest directory
	// lookup plus mail send you see (a slower request is logged).
	OfferTime time.Duration `yaml:"offer_time"`
}

// Audit configures the audit trail: one event per read of customer data and per write.
type Audit struct {
	// Sink: file (JSON lines; the default), dynamodb (its own DynamoDB table; what the
	// CDK app sets), cloudwatch (its own CloudWatch Logs group), stdout, or none (no
	// trail: must be asked for by name; logged at start). dynamodb and cloudwatch are
	// linked into a binary by importing shared/identity/ddbaudit or
	// shared/identity/cwaudit (`switchboard serve` links both).
	Sink string `yaml:"sink"`
	// File is the JSON-lines file (default <data_dir>/audit.jsonl).
	File string `yaml:"file"`
	// Table is the DynamoDB table of the dynamodb sink (schema:
	// shared/contract/audittable).
	Table string `yaml:"table"`
	// LogGroup is the CloudWatch Logs group of the cloudwatch sink.
	LogGroup string `yaml:"log_group"`
	// Endpoint overrides the sink's service endpoint, DynamoDB or CloudWatch Logs (tests).
	Endpoint string `yaml:"endpoint"`
}

// Code senders and audit sinks.
const (
	SenderNone   = "none"
	SenderSES    = "ses"
	SenderOutbox = "outbox"

	AuditFile       = "file"
	AuditCloudWatch = "cloudwatch"
	AuditDynamoDB   = "dynamodb"
	AuditStdout     = "stdout"
	AuditNone       = "none"
)

// maxLeeway is the most clock skew a token's times may have.
const maxLeeway = 60 * time.Second

func (i *Identity) applyDefaults(c *Config) {
	setDur(&i.Token.Leeway, maxLeeway)
	if i.Token.DemoKey == nil {
		demo := c.Connectors.Customers == "demo"
		i.Token.DemoKey = &demo
	}
	i.Codes.Sender = strings.ToLower(strings.TrimSpace(i.Codes.Sender))
	if i.Codes.Sender == "" {
		i.Codes.Sender = SenderNone
		if c.Connectors.Customers == "demo" {
			i.Codes.Sender = SenderOutbox
		}
	}
	if i.Codes.Outbox == "" {
		i.Codes.Outbox = c.DataDir + "/outbox.jsonl"
	}
	setDur(&i.Codes.TTL, 5*time.Minute)
	setInt(&i.Codes.Attempts, 3)
	setInt(&i.Codes.PerHour, 3)
	setInt(&i.Codes.PerDay, 10)
	if i.Codes.Sender == SenderSES {
		setDur(&i.Codes.OfferTime, time.Second)
	}
	setDur(&i.Codes.OfferTime, 100*time.Millisecond)
	setDur(&i.Codes.VerifiedFor, 15*time.Minute)
	i.Audit.Sink = strings.ToLower(strings.TrimSpace(i.Audit.Sink))
	if i.Audit.Sink == "" {
		i.Audit.Sink = AuditFile
	}
	if i.Audit.File == "" {
		i.Audit.File = c.DataDir + "/audit.jsonl"
	}
}

// DemoKeyOn reports whether tokens signed with the demo key are accepted.
func (t IdentityToken) DemoKeyOn() bool { return t.DemoKey != nil && *t.DemoKey }

// IsOpen reports whether an intent answers anonymous callers in full.
func (i Identity) IsOpen(in conversation.Intent) bool {
	for _, o := range i.OpenIntents {
		if o == in {
			return true
		}
	}
	return false
}

// Validate checks the identity section.
func (i Identity) Validate() error {
	if i.Token.Leeway < 0 || i.Token.Leeway > maxLeeway {
		return fmt.Errorf("config: identity.token.leeway: %s, want 0 to %s", i.Token.Leeway, maxLeeway)
	}
	if u := i.Token.JWKSURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://127.0.0.1") &&
		!strings.HasPrefix(u, "http://localhost") {
		return fmt.Errorf("config: identity.token.jwks_url: want an https URL")
	}
	switch i.Codes.Sender {
	case SenderNone, SenderOutbox:
	case SenderSES:
		if i.Codes.From == "" {
			return fmt.Errorf("config: identity.codes.from: required with sender ses")
		}
		if i.Codes.PepperSecretID == "" {
			return fmt.Errorf("config: identity.codes.pepper_secret_id: required with sender ses (the secret whose \"pepper\" keys the stored codes)")
		}
	default:
		return fmt.Errorf("config: identity.codes.sender: unknown sender %q (want none, ses or outbox)", i.Codes.Sender)
	}
	if i.Codes.TTL <= 0 || i.Codes.Attempts <= 0 || i.Codes.PerHour <= 0 || i.Codes.PerDay <= 0 ||
		i.Codes.VerifiedFor <= 0 || i.Codes.OfferTime <= 0 {
		return fmt.Errorf("config: identity.codes: ttl, attempts, per_hour, per_day, verified_for and offer_time must be positive")
	}
	switch i.Audit.Sink {
	case AuditFile, AuditStdout, AuditNone:
	case AuditCloudWatch:
		if i.Audit.LogGroup == "" {
			return fmt.Errorf("config: identity.audit.log_group: required with sink cloudwatch")
		}
	case AuditDynamoDB:
		if i.Audit.Table == "" {
			return fmt.Errorf("config: identity.audit.table: required with sink dynamodb")
		}
	default:
		return fmt.Errorf("config: identity.audit.sink: unknown sink %q (want file, dynamodb, cloudwatch, stdout or none)", i.Audit.Sink)
	}
	for _, in := range i.OpenIntents {
		if !isCanonical(in) {
			return fmt.Errorf("config: identity.open_intents: unknown intent %q", in)
		}
	}
	return nil
}
