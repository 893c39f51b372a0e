package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
)

// identityLayer wires the identity section: the token verifier and code-verified
// sessions (the Resolver, outermost around the handler), the policy's Access for the
// intents (codes, mailer, audit sink; accounts is the directory code offers ask, see
// intents.Access.Accounts). It makes no network call.
func (a *App) identityLayer(ctx context.Context, st store.Store, d *intents.Deps, accounts connector.CustomerDirectory) (func(conversation.Handler) conversation.Handler, error) {
	cfg := a.Config
	id := cfg.Identity
	v, err := Verifier(cfg, a.secrets, a.Logger)
	if err != nil {
		return nil, err
	}
	if id.Token.DemoKeyOn() {
		a.Logger.Warn("identity: accepting tokens signed with the public demo key (demo data only; identity.token.demo_key)")
	}
	if len(id.OpenIntents) > 0 {
		a.Logger.Warn("identity: these intents answer anonymous callers in full (identity.open_intents)",
			slog.Any("intents", id.OpenIntents))
	}
	acc := &intents.Access{
		Open:        id.IsOpen,
		CodeTTL:     id.Codes.TTL,
		OfferTime:   id.Codes.OfferTime,
		Accounts:    accounts,
		HashSession: func(s string) string { return telemetry.HashID(cfg.Telemetry.HashSalt, s) },
		Logger:      a.Logger,
	}
	acc.Tools.Customers, acc.Tools.Tickets, acc.Tools.Payments = cfg.Connectors.Customers, cfg.Connectors.Tickets, cfg.Connectors.Payments
	co := identity.CodeOptions{
		TTL: id.Codes.TTL, Attempts: id.Codes.Attempts, PerHour: id.Codes.PerHour, PerDay: id.Codes.PerDay,
		VerifiedFor: id.Codes.VerifiedFor,
		// Without a pepper secret (outbox or none only: config.Load requires one with
		// ses) the public hash salt keys the HMAC — local runs only (docs/identity.md).
		Pepper: cfg.Telemetry.HashSalt,
	}
	if sid := id.Codes.PepperSecretID; sid != "" {
		co.PepperFunc, err = pepperFunc(a.secrets, sid)
		if err != nil {
			return nil, err
		}
	}
	codes := identity.NewCodes(st, co)
	switch id.Codes.Sender {
	case config.SenderOutbox:
		acc.Codes, acc.Mailer = codes, &identity.Outbox{Path: id.Codes.Outbox}
	case config.SenderSES:
		m, ok, err := identity.NewMailer(ctx, id.Codes.Sender, identity.MailerOptions{From: id.Codes.From, Endpoint: id.Codes.Endpoint, Service: cfg.Service})
		switch {
		case !ok:
			return nil, fmt.Errorf("identity.codes.sender: %s is not linked into this binary (import _ shared/identity/sesmail)", id.Codes.Sender)
		case err != nil:
			return nil, err
		}
		acc.Codes, acc.Mailer = codes, m
	}
	sink := id.Audit.Sink
	if !audited(cfg.Intents) {
		// This deployment reads and writes no customer data (searchkb): nothing to
		// audit, and no sink to open or link.
		sink = config.AuditNone
	}
	switch sink {
	case config.AuditFile:
		l, err := identity.OpenFile(id.Audit.File)
		if err != nil {
			return nil, fmt.Errorf("identity: audit file: %w", err)
		}
		a.closers = append(a.closers, l.Close)
		acc.Audit = l
	case config.AuditStdout:
		acc.Audit = identity.NewLines(os.Stdout)
	case config.AuditDynamoDB, config.AuditCloudWatch:
		au, ok, err := identity.NewAuditor(ctx, id.Audit.Sink, identity.AuditorOptions{LogGroup: id.Audit.LogGroup, Table: id.Audit.Table, Endpoint: id.Audit.Endpoint})
		switch {
		case !ok:
			return nil, fmt.Errorf("identity.audit.sink: %s is not linked into this binary (import _ shared/identity/%s)", id.Audit.Sink, auditPackages[id.Audit.Sink])
		case err != nil:
			return nil, err
		}
		acc.Audit = au
	case config.AuditNone:
		if audited(cfg.Intents) {
			a.Logger.Warn("identity: no audit trail (identity.audit.sink: none)")
		}
		acc.Audit = identity.Discard{}
	}
	d.Access = acc
	res := &identity.Resolver{Verifier: v, Logger: a.Logger}
	if acc.Codes != nil {
		res.Codes = codes
	}
	return func(h conversation.Handler) conversation.Handler {
		res.Next = h
		return res
	}, nil
}

// Verifier builds the identity token verifier the configuration describes: HS256 with
// the key in identity.token.secret_id (else the demo key, when it is on), RS256/ES256
// with the keys at identity.token.jwks_url.
func Verifier(cfg config.Config, p secrets.Provider, log *slog.Logger) (*identity.Verifier, error) {
	t := cfg.Identity.Token
	o := identity.TokenOptions{
		SecretID: t.SecretID, Secrets: p, JWKSURL: t.JWKSURL,
		Issuer: t.Issuer, Audience: t.Audience, Leeway: t.Leeway, Logger: log,
	}
	if t.SecretID != "" && p == nil {
		return nil, fmt.Errorf("identity: token.secret_id set but no secrets provider")
	}
	if t.SecretID == "" && t.DemoKeyOn() {
		o.HMACKey = []byte(identity.DemoKey)
	}
	return identity.NewVerifier(o), nil
}

// pepperFunc reads the code pepper from the "pepper" key of secret id through p (which
// caches), on each call: no network call until the first code is issued or checked.
func pepperFunc(p secrets.Provider, id string) (func(context.Context) (string, error), error) {
	if p == nil {
		return nil, fmt.Errorf("identity: codes.pepper_secret_id set but no secrets provider")
	}
	return func(ctx context.Context) (string, error) {
		s, err := p.Get(ctx, id)
		if err != nil {
			return "", err
		}
		return s["pepper"], nil
	}, nil
}

// auditPackages names the package that registers each audit sink needing an SDK client.
var auditPackages = map[string]string{config.AuditDynamoDB: "ddbaudit", config.AuditCloudWatch: "cwaudit"}

// audited reports whether an enabled intent reads or writes customer data.
func audited(in config.Intents) bool {
	for _, i := range spec.All() {
		if i.Identity && in.IsEnabled(conversation.Intent(i.Name)) {
			return true
		}
	}
	return false
}
