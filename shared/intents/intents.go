package intents

import (
	"context"
	"log/slog"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// Deps are the business tools the intents talk to. Any of them may be nil when the
// deployment does not enable the intents that need it; such an intent then answers
// with an honest "not available here" reply.
type Deps struct {
	Customers connector.CustomerDirectory
	Tickets   connector.Helpdesk
	Payments  connector.Payments
	KB        connector.KnowledgeBase
	// Updater changes a customer's contact details (update_customer): the CRM behind
	// Customers, nil when it cannot update.
	Updater connector.CustomerUpdater
	// Records reads a customer's record fresh from the CRM, never from the read cache:
	// how an update of unknown outcome is resolved (reading the record back). Nil: the
	// Updater, when it is also a connector.CustomerDirectory.
	Records connector.CustomerDirectory
	// SupportEmail is the manual alternative offered whenever a tool fails.
	SupportEmail string
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
	// Log receives the note that a turn's locale has no catalog (slog.Default when nil).
	Log *slog.Logger
	// Access is the identity policy (nil: its safe default, see Access).
	Access *Access
}

// Service answers the registered intents, each by its handler (Register). It
// implements conversation.Handler.
type Service struct {
	d   Deps
	acc *Access
}

// New returns a Service over d.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.SupportEmail == "" {
		d.SupportEmail = "support@example.com"
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{d: d, acc: d.Access.withDefaults()}
}

// Handle validates the turn's slots and, in the fulfil phase, answers the intent, in
// the language of the turn's locale.
func (s *Service) Handle(ctx context.Context, t conversation.Turn) conversation.Reply {
	p := printerFor(ctx, s.d.Log, t)
	r := s.handle(ctx, p, t)
	r.Language, r.LanguageFallback = p.Language(), p.Fallback
	return r
}

// printerFor returns the Printer for the turn's locale, logging when the locale has no
// catalog and the reply falls back to English.
func printerFor(ctx context.Context, log *slog.Logger, t conversation.Turn) *i18n.Printer {
	p := i18n.For(t.Locale)
	if p.Fallback && log != nil {
		log.LogAttrs(ctx, slog.LevelInfo, "locale fallback",
			slog.String("locale", t.Locale), slog.String("language", p.Language()),
			slog.String("platform", string(t.Platform)), slog.String("intent", string(t.Intent)))
	}
	return p
}

func (s *Service) handle(ctx context.Context, p *i18n.Printer, t conversation.Turn) conversation.Reply {
	h, known := handlers[t.Intent]
	if !known {
		return conversation.Reply{
			Outcome:  conversation.OutcomeUnknownIntent,
			Messages: []string{p.T("reply.unknown_intent")},
		}
	}
	if t.Caller.Method == conversation.VerifiedToken && t.Slot(SlotEmail) == "" && usesIdentity(t.Intent) {
		// A signed-in caller need not type the email the token already proves.
		t.Slots = withSlot(t.Slots, SlotEmail, t.Caller.Email)
	}
	slots, elicit := validate(p, t.Intent, t)
	if elicit != nil {
		return *elicit
	}
	if t.Phase == conversation.PhaseValidate {
		return conversation.Reply{Outcome: conversation.OutcomeDelegate}
	}
	ctx, fresh := connector.WithFreshness(ctx)
	a := s.answer(p, t)
	var (
		r   conversation.Reply
		trl Audit
	)
	r, trl = h.Fulfil(ctx, a, t, slots)
	if err := s.record(ctx, t, trl); err != nil && trl.discloses() {
		return a.withheld(t.Intent)
	}
	if at, stale := fresh.Oldest(); stale && len(r.Messages) > 0 {
		r.Messages = append(r.Messages, p.T("reply.stale", p.Ago(s.d.Now().Sub(at))))
		r.Fallback = true
	}
	return r
}

// Answer is one turn's answer, what a handler builds its reply from: the service's
// tools (Deps), the turn's language (T, Printer) and who reads it (Agent), with the
// policy (Gate), the reply shapes (Fulfilled, Failed, Unavailable) and the words for
// what the tools gave (Tool, Money, PaymentStatus, TicketPriority).
type Answer struct {
	svc *Service
	p   *i18n.Printer
	// agent: a model reads the answer (an agent surface, names.Spec.Agent), not a
	// person. Text a tool gave is then never quoted in the prose (see Tool).
	agent bool
}

// answer is turn t's answer in the language of p.
func (s *Service) answer(p *i18n.Printer, t conversation.Turn) Answer {
	return Answer{svc: s, p: p, agent: names.IsAgent(string(t.Platform))}
}

// Answer is turn t's answer in the language of its locale, for what a handler answers
// outside Handle (its write description's replies: Handler.Write).
func (s *Service) Answer(t conversation.Turn) Answer { return s.answer(i18n.For(t.Locale), t) }

// Deps are the service's business tools and settings (SupportEmail, Now: their
// defaults filled in).
func (s Answer) Deps() Deps { return s.svc.d }

// T is the catalogue's message key in the answer's language (i18n.Printer.T).
func (s Answer) T(key string, args ...any) string { return s.p.T(key, args...) }

// TS is T for string arguments, without boxing them (i18n.Printer.TS): the same text.
func (s Answer) TS(key string, args ...string) string { return s.p.TS(key, args...) }

// Printer is the answer's language: dates, money, its name.
func (s Answer) Printer() *i18n.Printer { return s.p }

// Agent reports whether a model reads the answer (an agent surface), not a person.
func (s Answer) Agent() bool { return s.agent }

// Open reports whether intent in is answered in full to anonymous callers
// (identity.open_intents).
func (s Answer) Open(in conversation.Intent) bool { return s.svc.acc.Open(in) }

// Tools names the business tools in audit events (Audit.Tool).
func (s Answer) Tools() ToolNames { return s.svc.acc.Tools }

// Localized is r with the answer's language, for a reply built outside Handle (which
// sets it on every reply it returns).
func (s Answer) Localized(r conversation.Reply) conversation.Reply {
	r.Language, r.LanguageFallback = s.p.Language(), s.p.Fallback
	return r
}

// Failed is a failed reply with msg.
func (s Answer) Failed(msg string) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFailed, Messages: []string{msg}}
}

// Fulfilled is a fulfilled reply with msgs.
func (s Answer) Fulfilled(msgs ...string) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: msgs}
}

// Unavailable is the honest apology for a tool failure, with the manual alternative.
// what is the catalog key of what cannot be done ("what.check_payments").
func (s Answer) Unavailable(what string) conversation.Reply {
	return s.Failed(s.p.T("reply.unavailable", s.p.T(what), s.svc.d.SupportEmail))
}

// data is text from a tool or a caller, made inert for every channel.
func data(s string) string { return plaintext.Inert(s) }

// Tool is a value a tool gave (or read back after a write) as the answer states it.
// On a chat platform a person reads it: the value, inert. On an agent surface a model
// reads it, and text from a tool (a ticket subject, a customer's company, an article
// title) is data, never words of the answer it could take for an instruction: the
// answer names the structured field that holds the value instead, as a reference
// "[path]" (Ref), and the value is only in that field of the result (the tool API's
// Result: shared/platform/toolapi). path must name the field the reply's records
// (Reply.Data, Reply.Rich) lay the value out in. An empty value is "" either way: the
// result leaves an empty field out, so no reference may name it.
func (s Answer) Tool(path, v string) string {
	switch {
	case !s.agent:
		return data(v)
	case data(v) == "":
		return ""
	}
	return Ref(path)
}

// Ref is the reference to the result field at path ("tickets[0].subject"): the path
// in square brackets, language-neutral inside the answer's localized sentence.
func Ref(path string) string { return "[" + path + "]" }

func withSlot(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// usesIdentity reports whether the intent's answer depends on who the caller is
// (shared/intents/spec: Identity).
func usesIdentity(in conversation.Intent) bool {
	i, _ := spec.Lookup(string(in))
	return i.Identity
}
