package intents

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/turntrace"
)

// SlotVerificationCode is the slot a one-time code is asked for in, on every platform.
const SlotVerificationCode = "verification_code"

// Access is what the per-intent policy needs: which intents are open to anonymous
// callers, the one-time code flow, and the audit trail. The zero value is the safe
// default: nothing personal for anonymous callers, no codes, no audit sink.
//
//	intent          | anonymous caller                               | verified caller
//	lookup customer | neutral answer, or a code offered              | own account only
//	verify payment  | neutral answer, or a code offered              | own payments only
//	create ticket   | filed, marked as from an unverified requester  | filed for the verified customer
//	search KB       | answered                                       | answered
type Access struct {
	// Open reports intents answered in full to anonymous callers (identity.open_intents).
	Open func(conversation.Intent) bool
	// Codes and Mailer enable the one-time code flow when both are set.
	Codes  *identity.Codes
	Mailer identity.Mailer
	// CodeTTL is how long a code is valid (for the email's wording).
	CodeTTL time.Duration
	// Accounts is the directory a code offer asks whether an address has an account:
	// AccountProbe over the tool's connector, inside its resilience layer and outside
	// the read cache, so the lookup of a known and of an unknown address makes the
	// same calls and moves the same metrics (no cache hit for one, no not_found error
	// for the other). Nil: Deps.Customers.
	Accounts connector.CustomerDirectory
	// OfferTime is the fixed time a code offer takes (identity.codes.offer_time;
	// defaultOfferTime when zero): the reply waits until then, so a known address (a
	// mail sent) and an unknown one take the same time.
	OfferTime time.Duration
	// Audit records one event per fulfilled turn of a customer-data intent.
	Audit identity.Auditor
	// HashSession hashes every id in an audit event — session, turn, customer, object —
	// with the logs' keyed hash (telemetry.HashID with telemetry.hash_salt), so an
	// event's session and turn_id match a log line's session_id and correlation_id.
	HashSession func(string) string
	// Tools names the business tools (connectors.customers|tickets|payments) in events.
	Tools  ToolNames
	Logger *slog.Logger
}

// ToolNames names the business tools (connectors.customers|tickets|payments) in audit
// events.
type ToolNames struct{ Customers, Tickets, Payments string }

func (a *Access) withDefaults() *Access {
	out := Access{}
	if a != nil {
		out = *a
	}
	if out.Open == nil {
		out.Open = func(conversation.Intent) bool { return false }
	}
	if out.Audit == nil {
		out.Audit = identity.Discard{}
	}
	if out.HashSession == nil {
		out.HashSession = func(s string) string { return "" }
	}
	if out.CodeTTL <= 0 {
		out.CodeTTL = 5 * time.Minute
	}
	if out.OfferTime <= 0 {
		out.OfferTime = defaultOfferTime
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return &out
}

func (a *Access) codesOn() bool { return a.Codes != nil && a.Mailer != nil }

// defaultOfferTime is Access.OfferTime when unset (identity.codes.offer_time's default
// with the outbox sender).
const defaultOfferTime = 100 * time.Millisecond

// offerMargin is how long before the turn's budget ends a padded code offer returns,
// so the engine never answers for it with a "too slow" reply.
const offerMargin = 50 * time.Millisecond

// AccountProbe adapts a customer directory for Access.Accounts: an address with no
// account is an empty Customer and no error. Wrapped in the tool's resilience layer,
// the lookup of an unknown address is then the same successful call, in the logs and
// the metrics, as the lookup of a known one.
func AccountProbe(next connector.CustomerDirectory) connector.CustomerDirectory {
	return accountProbe{next}
}

type accountProbe struct{ next connector.CustomerDirectory }

func (p accountProbe) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	c, err := p.next.FindCustomerByEmail(ctx, email)
	if errors.Is(err, connector.ErrNotFound) {
		return connector.Customer{}, nil
	}
	return c, err
}

// Unwrap returns the decorated connector.
func (p accountProbe) Unwrap() any { return p.next }

// padUntil waits until the offer's fixed time is up (or shortly before the turn's
// budget ends, whichever is first; the same instant for every address), and logs when
// the offer's work took longer than that, which would let its time tell a known
// address from an unknown one.
func (a *Access) padUntil(ctx context.Context, start time.Time) {
	until := start.Add(a.OfferTime)
	if d, ok := ctx.Deadline(); ok && d.Add(-offerMargin).Before(until) {
		until = d.Add(-offerMargin)
	}
	wait := time.Until(until)
	if wait <= 0 {
		if time.Since(start) > a.OfferTime {
			a.Logger.LogAttrs(ctx, slog.LevelWarn, "identity: a code request took longer than identity.codes.offer_time; its time may tell whether the address has an account",
				slog.Duration("offer_time", a.OfferTime), slog.Duration("took", time.Since(start)))
		}
		return
	}
	tm := time.NewTimer(wait)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-ctx.Done():
	}
}

// Audit is what a turn leaves in the trail (identity.Event); Handle records the one
// a handler returns. The zero Audit (no Outcome) records nothing.
type Audit struct {
	// Tool names the business tool asked (Answer.Tools), "identity" for the code flow.
	Tool string
	// CustomerID and Object are the tool's ids of the customer and of what the turn
	// read or wrote (a payment, a ticket); the event holds them hashed.
	CustomerID, Object string
	// Outcome is one of the Audit* outcomes.
	Outcome string
	Caller  conversation.Caller
	// Fields names the fields a write set ("phone", "address"), never their values.
	Fields []string
}

// Audit outcomes: what a handler's turn did (Audit.Outcome).
const (
	AuditAnswered          = "answered"
	AuditNotFound          = "not_found"
	AuditUnverified        = "refused_unverified"
	AuditOtherCustomer     = "refused_other_customer"
	AuditUnavailable       = "unavailable"
	AuditFailed            = "failed"
	AuditCreated           = "created"
	AuditCreatedUnverified = "created_unverified"
	AuditUnknown           = "outcome_unknown"
	AuditUpdated           = "updated"
	AuditRefused           = "refused"
)

// The code flow's outcomes (Gate's).
const (
	outCodeSent       = "code_sent"
	outCodeNoAccount  = "code_not_sent_no_account"
	outCodeSendFailed = "code_send_failed"
	outCodeRate       = "code_rate_limited"
	outCodeWrong      = "code_wrong"
	outCodeExhausted  = "code_exhausted"
	outCodeStoreDown  = "code_store_unavailable"
)

// Gate applies the policy to a turn that reads personal data for the email slot: a nil
// reply means go on as caller (a's Outcome AuditOtherCustomer: a verified caller asking
// about an email that is not theirs, to be answered as for an unknown one); otherwise
// reply is the answer, neutral the words of its neutral answer (the same whether or not
// an account exists; called only when the reply is the neutral answer, so the verified
// owner's turn does not format words it never sends), and a its audit record.
func (s Answer) Gate(ctx context.Context, t conversation.Turn, slots map[string]string, neutral func() string) (
	caller conversation.Caller, reply *conversation.Reply, a Audit) {
	caller, email := t.Caller, slots[SlotEmail]
	a.Caller = caller
	switch {
	case s.svc.acc.Open(t.Intent):
		return caller, nil, a
	case caller.Verified() && caller.Owns(email):
		return caller, nil, a
	case caller.Verified():
		a.Outcome = AuditOtherCustomer
		return caller, nil, a // the intent answers as for an unknown email
	case caller.Refused == identity.RefusedUnavailable:
		a.Outcome = "token_" + caller.Refused
		r := s.Failed(s.p.T("identity.signin_unavailable", s.svc.d.SupportEmail))
		return caller, &r, a
	case caller.Refused != "":
		a.Outcome = "token_" + caller.Refused
		r := s.Fulfilled(neutral())
		return caller, &r, a
	case !s.svc.acc.codesOn():
		a.Outcome = AuditUnverified
		r := s.Fulfilled(neutral())
		return caller, &r, a
	}
	if code := t.Slot(SlotVerificationCode); code != "" {
		return s.checkCode(ctx, t, email, code)
	}
	r, a := s.offerCode(ctx, t, email)
	a.Caller = caller
	return caller, &r, a
}

// offerCode sends a code to email if it belongs to an account, and answers the same
// words either way, in the same time (Access.OfferTime) and with the same calls: one
// directory lookup through Access.Accounts (never the read cache), the same store
// writes (Codes.Issue stores a record no code matches for an unknown address).
// Sending the mail is the one step only a known address takes; the fixed time covers
// it. All of it happens before the reply (nothing is left for after it, when a Lambda
// may be frozen).
func (s Answer) offerCode(ctx context.Context, t conversation.Turn, email string) (conversation.Reply, Audit) {
	defer s.svc.acc.padUntil(ctx, time.Now())
	a := Audit{Tool: s.svc.acc.Tools.Customers}
	// Without a customer directory (the verifypayment function has none) every address
	// gets its code: the reply is the same either way, and the limits hold.
	exists, cust := true, connector.Customer{}
	dir := s.svc.acc.Accounts
	if dir == nil {
		dir = s.svc.d.Customers
	}
	if dir != nil {
		var err error
		cust, err = dir.FindCustomerByEmail(ctx, email)
		exists = err == nil && cust != (connector.Customer{})
		if err != nil && !errors.Is(err, connector.ErrNotFound) {
			a.Outcome = AuditUnavailable
			return s.Unavailable("what.send_verification_code"), a
		}
	} else {
		a.Tool = "identity"
	}
	code, err := s.svc.acc.Codes.Issue(ctx, session(t), email, t.TurnID, exists)
	switch {
	case errors.Is(err, identity.ErrRateLimited):
		a.Outcome = outCodeRate
		return s.Fulfilled(s.p.T("identity.codes_exhausted", s.svc.d.SupportEmail)), a
	case err != nil:
		s.svc.acc.Logger.LogAttrs(ctx, slog.LevelError, "identity: code store", slog.Any("error", err))
		a.Outcome = outCodeStoreDown
		return s.Unavailable("what.send_verification_code"), a
	}
	a.Outcome = outCodeNoAccount
	if exists {
		a.CustomerID, a.Outcome = cust.ID, outCodeSent
		if code != "" {
			if err := s.svc.acc.Mailer.SendCode(ctx, email, code, s.svc.acc.CodeTTL); err != nil {
				// Answered like a sent code: a different reply would tell accounts apart.
				s.svc.acc.Logger.LogAttrs(ctx, slog.LevelError, "identity: sending the code failed", slog.Any("error", err))
				a.Outcome = outCodeSendFailed
			}
		}
	}
	r := *askCode(s.p.T("identity.code_sent", int(s.svc.acc.CodeTTL.Minutes()), s.svc.d.SupportEmail), false)
	return r, a
}

// checkCode checks the code the user typed. A right code verifies the caller for the
// rest of this turn (and, in the store, the session for a while).
func (s Answer) checkCode(ctx context.Context, t conversation.Turn, email, code string) (
	conversation.Caller, *conversation.Reply, Audit) {
	a := Audit{Tool: "identity"}
	err := s.svc.acc.Codes.Check(ctx, session(t), email, code)
	switch {
	case err == nil:
		c := conversation.Caller{Method: conversation.VerifiedCode, Email: email}
		a.Caller = c
		return c, nil, a
	case errors.Is(err, identity.ErrWrongCode):
		a.Outcome = outCodeWrong
		r := askCode(s.p.T("identity.code_wrong"), true)
		return t.Caller, r, a
	case errors.Is(err, identity.ErrNoAttemptsLeft):
		a.Outcome = outCodeExhausted
		r := s.Fulfilled(s.p.T("identity.code_last_try"))
		r.SetSlots = map[string]*string{SlotVerificationCode: nil}
		return t.Caller, &r, a
	}
	s.svc.acc.Logger.LogAttrs(ctx, slog.LevelError, "identity: code store", slog.Any("error", err))
	a.Outcome = outCodeStoreDown
	r := s.Unavailable("what.check_your_code")
	return t.Caller, &r, a
}

// session binds codes to one conversation on one platform.
func session(t conversation.Turn) string { return identity.Session(t) }

// record writes the turn's audit event and returns why it could not. A failure is
// logged; Handle then withholds an answer that would disclose customer data (no
// trail, no disclosure), while a write that happened is still told truthfully.
func (s *Service) record(ctx context.Context, t conversation.Turn, a Audit) error {
	if a.Outcome == "" {
		turntrace.Add(ctx, turntrace.KindPolicy, "no customer data touched: nothing to audit", 0, "verification", string(a.Caller.MethodName()))
		return nil
	}
	// Every id is hashed: a platform's session and turn ids can hold an email (a Rasa
	// sender id) or a name and phone number (a Lex session id), and the tool's ids
	// point at one person.
	h := func(id string) string {
		if id == "" {
			return ""
		}
		return s.acc.HashSession(id)
	}
	e := identity.Event{
		Time: s.d.Now().UTC(), Intent: string(t.Intent), Platform: string(t.Platform), TurnID: h(t.TurnID),
		Session: h(t.SessionID), Verification: string(a.Caller.MethodName()),
		CustomerID: h(a.CustomerID), Object: h(a.Object), Tool: a.Tool, Outcome: a.Outcome, Fields: a.Fields,
	}
	turntrace.Add(ctx, turntrace.KindPolicy, a.Outcome, 0, "verification", e.Verification)
	turntrace.Add(ctx, turntrace.KindAudit, e.Outcome, 0, "intent", e.Intent, "verification", e.Verification,
		"tool", e.Tool, "customer_id", e.CustomerID, "object", e.Object, "session", e.Session)
	if _, none := s.acc.Audit.(identity.Discard); none {
		// No sink (identity.audit.sink: none): nothing to write, and no context (and
		// timer) made for it.
		return nil
	}
	// The turn's budget may be spent (the engine has answered for it): the event is
	// still written, within a second of its own.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	err := s.acc.Audit.Record(actx, e)
	if err != nil {
		s.acc.Logger.LogAttrs(ctx, slog.LevelError, "identity: audit event not recorded",
			slog.String("intent", string(t.Intent)), slog.String("outcome", a.Outcome),
			slog.Bool("answer_withheld", a.discloses()), slog.Any("error", err))
	}
	return err
}

// Record writes audit a of turn t now: for a handler's work outside Handle (which
// records what Fulfil returns), as a write description's Lookup that reads a record
// back. Its error is logged already.
func (s Answer) Record(ctx context.Context, t conversation.Turn, a Audit) error {
	return s.svc.record(ctx, t, a)
}

// discloses reports whether the turn's answer shows customer data (an account, a
// payment): such an answer goes out only with its audit event written.
func (a Audit) discloses() bool { return a.Outcome == AuditAnswered }

// withheld is the answer in place of one whose audit event could not be written: the
// honest apology for a tool failure (the trail is one), the same for every account.
func (s Answer) withheld(in conversation.Intent) conversation.Reply {
	if i, ok := spec.Lookup(string(in)); ok && i.Withheld != "" {
		return s.Unavailable(i.Withheld)
	}
	return s.Unavailable("what.look_up_your_account")
}

// askCode asks for the verification_code slot; a wrong code is cleared so the platform
// asks again instead of reusing it.
func askCode(prompt string, clear bool) *conversation.Reply {
	r := &conversation.Reply{Outcome: conversation.OutcomeElicitSlot, Messages: []string{prompt}, SlotToElicit: SlotVerificationCode}
	if clear {
		r.SetSlots = map[string]*string{SlotVerificationCode: nil}
	}
	return r
}
