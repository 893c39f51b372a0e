package identity

import (
	"context"
	"log/slog"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

// Resolver is the handler layer that turns the platform's identity field into a
// Caller: it verifies the turn's identity token (within the turn's budget), or finds
// the session verified by a one-time code for the email the turn asks about, and
// clears the token from the turn so no later layer (idempotency, logs) can keep it.
type Resolver struct {
	Verifier *Verifier // nil: no token is accepted
	Codes    *Codes    // nil: no code-verified sessions
	Next     conversation.Handler
	Logger   *slog.Logger
}

// Handle implements conversation.Handler.
func (r *Resolver) Handle(ctx context.Context, t conversation.Turn) conversation.Reply {
	raw := t.IdentityToken
	t.IdentityToken = ""
	t.Caller = conversation.Caller{Method: conversation.VerifiedNone}
	if in, ok := spec.Lookup(string(t.Intent)); ok && !in.Identity || t.Phase == conversation.PhaseValidate {
		// Nothing personal is read: no token check, no store call.
		return r.Next.Handle(ctx, t)
	}
	if raw != "" {
		if r.Verifier.Enabled() {
			c, err := r.Verifier.Verify(ctx, raw)
			t.Caller = c
			if err != nil && r.Logger != nil {
				r.Logger.LogAttrs(ctx, slog.LevelWarn, "identity token refused",
					slog.String("intent", string(t.Intent)), slog.String("reason", c.Refused), slog.Any("error", err))
			}
		} else {
			t.Caller.Refused = RefusedAlgorithm
		}
	}
	if !t.Caller.Verified() && t.Caller.Refused == "" && r.Codes != nil {
		if email, ok := normalEmail(t.Slot("email")); ok {
			ok, err := r.Codes.VerifiedEmail(ctx, Session(t), email)
			switch {
			case err != nil && r.Logger != nil:
				r.Logger.LogAttrs(ctx, slog.LevelWarn, "identity: verified-session lookup failed", slog.Any("error", err))
			case ok:
				t.Caller = conversation.Caller{Method: conversation.VerifiedCode, Email: email}
			}
		}
	}
	return r.Next.Handle(ctx, t)
}

// Session is the conversation a code and a verified session are bound to: one
// session on one platform.
func Session(t conversation.Turn) string { return string(t.Platform) + "\x00" + t.SessionID }

// UnverifiedNote starts the description of a ticket filed by an anonymous caller, for
// the helpdesk's agents (in the helpdesk's language, not the caller's).
const UnverifiedNote = "[Unverified requester] The requester typed this email address in the chat and did not prove it; " +
	"do not share account details in replies until they do."
