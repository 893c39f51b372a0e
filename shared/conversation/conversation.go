package conversation

import (
	"context"
	"strings"
	"time"

	_ "github.com/switchboard-dev/switchboard/shared/intents/all" // every intent registers
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// Platform names a chatbot platform. The value is also the path segment of its local
// webhook (/webhooks/<platform>) and the "platform" attribute in logs and metrics.
type Platform string

// The platforms Switchboard speaks.
const (
	DialogflowES Platform = "dialogflow"
	DialogflowCX Platform = "dialogflow-cx"
	LexV2        Platform = "lex"
	Rasa         Platform = "rasa"
)

// Platforms lists every supported platform in a stable order (shared/platform/names).
var Platforms = func() []Platform {
	var out []Platform
	for _, s := range names.All() {
		out = append(out, Platform(s.Name))
	}
	return out
}()

// Intent is the canonical, platform-independent name of an intent Switchboard answers.
// Platform-specific names (ES display names, CX tags, Lex intent names, Rasa actions)
// are mapped onto these by configuration.
type Intent string

// The intents Switchboard answers.
const (
	LookupCustomer Intent = "lookup_customer"
	CreateTicket   Intent = "create_ticket"
	VerifyPayment  Intent = "verify_payment"
	SearchKB       Intent = "search_kb"
)

// Intents lists every canonical intent in a stable order: every intent registered by
// its folder, shared/intents/<name> (shared/intents/spec).
var Intents = func() []Intent {
	var out []Intent
	for _, i := range spec.All() {
		out = append(out, Intent(i.Name))
	}
	return out
}()

// Phase says what the platform asks of this turn.
type Phase string

const (
	// PhaseFulfill asks for the business answer (the default for every platform).
	PhaseFulfill Phase = "fulfill"
	// PhaseValidate asks only to validate slots (Lex V2 DialogCodeHook): a valid turn is
	// answered with OutcomeDelegate and no business call is made.
	PhaseValidate Phase = "validate"
)

// Turn is one webhook call, decoded.
type Turn struct {
	Platform Platform `json:"platform"`
	// Intent is the canonical intent, or "" when the platform name is not mapped.
	Intent Intent `json:"intent"`
	// RawIntent is the name the platform used (display name, tag, action name).
	RawIntent string `json:"raw_intent"`
	Phase     Phase  `json:"phase"`
	// Slots holds the slot values the platform sent, already reduced to strings
	// (interpreted/resolved values). Absent or empty slots are not present.
	Slots map[string]string `json:"slots,omitempty"`
	// SessionID identifies the conversation on the platform.
	SessionID string `json:"session_id"`
	// TurnID identifies this turn; platforms resend the same TurnID on retry, so it is
	// the idempotency key.
	TurnID string `json:"turn_id"`
	Locale string `json:"locale,omitempty"`
	// Text is what the user said or typed, when the platform sends it.
	Text string `json:"text,omitempty"`
	// Deadline is when the platform stops waiting for the reply. Zero means unknown.
	Deadline time.Time `json:"deadline,omitempty"`
	// IdentityToken is the identity token (a JWT) the platform carried in its
	// identity_token field, as received. The identity layer verifies it, sets Caller
	// and clears it before anything else sees the turn; it is never serialised.
	IdentityToken string `json:"-"`
	// Caller is who the identity layer found the user to be: anonymous until a token or
	// a one-time code proves an email.
	Caller Caller `json:"-"`
}

// IdentityField is the name of the identity token's field on every platform.
const IdentityField = "identity_token"

// VerificationMethod says how a caller proved who they are.
type VerificationMethod string

// Verification methods.
const (
	VerifiedNone  VerificationMethod = "none"
	VerifiedToken VerificationMethod = "token"
	VerifiedCode  VerificationMethod = "code"
)

// Caller is the person behind a turn, as far as Switchboard can tell.
type Caller struct {
	// Method is how the caller was verified ("" or VerifiedNone: anonymous).
	Method VerificationMethod
	// Email is the verified email, lower-cased (token callers and code callers alike).
	Email string
	// Refused names why a presented identity token was not accepted (expired,
	// not_yet_valid, signature, algorithm, audience, issuer, malformed, no_email,
	// unavailable); empty when none was presented or it was accepted.
	Refused string
}

// Verified reports whether the caller proved an email.
func (c Caller) Verified() bool {
	return (c.Method == VerifiedToken || c.Method == VerifiedCode) && c.Email != ""
}

// Owns reports whether email (any case) is the caller's verified email.
func (c Caller) Owns(email string) bool {
	return c.Verified() && strings.EqualFold(strings.TrimSpace(email), c.Email)
}

// MethodName is Method, with "none" for an anonymous caller.
func (c Caller) MethodName() VerificationMethod {
	if !c.Verified() {
		return VerifiedNone
	}
	return c.Method
}

// Slot returns the trimmed value of a slot, or "".
func (t Turn) Slot(name string) string { return strings.TrimSpace(t.Slots[name]) }

// Outcome says what happens after a reply.
type Outcome string

const (
	// OutcomeFulfilled: the intent is done and the answer is in Messages.
	OutcomeFulfilled Outcome = "fulfilled"
	// OutcomeFailed: the intent could not be done; Messages say so honestly and offer a
	// manual alternative.
	OutcomeFailed Outcome = "failed"
	// OutcomeElicitSlot: ask the user for SlotToElicit (missing or invalid); Messages
	// hold the prompt.
	OutcomeElicitSlot Outcome = "elicit_slot"
	// OutcomeDelegate: validation passed, let the platform continue its own dialog.
	OutcomeDelegate Outcome = "delegate"
	// OutcomeUnknownIntent: the platform asked for an intent Switchboard does not map.
	OutcomeUnknownIntent Outcome = "unknown_intent"
	// OutcomeRejected: the intent exists but is not enabled here (for example a rollout
	// stage that does not include it); Messages explain.
	OutcomeRejected Outcome = "rejected"
)

// Reply is the platform-neutral answer to a Turn. It is JSON-serialisable so that the
// idempotency store can keep it and return it verbatim to a retried turn.
type Reply struct {
	Outcome  Outcome  `json:"outcome"`
	Messages []string `json:"messages,omitempty"`
	// SlotToElicit names the slot to ask for when Outcome is OutcomeElicitSlot.
	SlotToElicit string `json:"slot_to_elicit,omitempty"`
	// SetSlots are slot values to carry forward in the conversation. A nil value deletes
	// the slot on platforms that support it (an invalid value the user must re-enter).
	SetSlots map[string]*string `json:"set_slots,omitempty"`
	// Unconfirmed marks a failed reply to a write whose outcome is unknown (the request
	// may have reached the tool). The idempotency layer records such a write durably
	// and never repeats it; it is not sent to the platform nor stored.
	Unconfirmed bool `json:"-"`
	// Rich holds the structured parts of the answer (articles, a ticket, choices) for
	// platforms that show cards and buttons. Messages always say the same in text, so a
	// platform or channel without rich content loses nothing.
	Rich *Rich `json:"rich,omitempty"`
	// Data holds, as records, what the messages disclosed from the business tools (the
	// verified owner's customer record, a payment, tickets), for the agent surfaces
	// (the tool API, MCP, Bedrock's API-schema form) to hand a model as fields of
	// their own rather than prose. An intent fills only what its messages say, and
	// only for the verified owner; the chat adapters leave it out (the messages say
	// the same).
	Data *Data `json:"data,omitempty"`
	// Language is the language the messages are written in ("en", "de", "pt-BR").
	Language string `json:"language,omitempty"`
	// LanguageFallback is true when the turn's locale has no catalog and the messages
	// are in English instead.
	LanguageFallback bool `json:"language_fallback,omitempty"`
	// Fallback marks a degraded answer: from stale cached data, with a part left out
	// because a tool failed or gave what cannot be interpreted, or the engine's own
	// apology for a handler that did not answer. Every reply carries it on the wire
	// with Outcome (platform.WireOutcome), and telemetry counts it (FallbackReplies).
	Fallback bool `json:"fallback,omitempty"`
}

// Rich is the structured part of a Reply. Every text in it is already in the reply's
// language; adapters only lay it out.
type Rich struct {
	// Articles are knowledge-base results, best first.
	Articles []Article `json:"articles,omitempty"`
	// Ticket is a ticket the turn created or found.
	Ticket *TicketCard `json:"ticket,omitempty"`
	// Choices are quick replies: what the user may answer next.
	Choices []Choice `json:"choices,omitempty"`
	// OpenLabel labels a button that opens an article's or ticket's link ("Read article").
	OpenLabel string `json:"open_label,omitempty"`
}

// Article is one knowledge-base result.
type Article struct {
	Title   string `json:"title"`
	Snippet string `json:"snippet,omitempty"`
	Link    string `json:"link,omitempty"`
}

// TicketCard is a ticket as a card: its number, subject, link (when the helpdesk gives
// one) and the card's title ("Ticket #123").
type TicketCard struct {
	Number  string `json:"number"`
	Subject string `json:"subject,omitempty"`
	Link    string `json:"link,omitempty"`
	Title   string `json:"title"`
}

// Choice is a quick reply: Label is shown, Value is what the platform sends back.
type Choice struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Data is what a reply disclosed from the tools, as records. Its texts are as the
// tools hold them (raw): the adapter that sends them makes them inert. An intent that
// discloses a new kind of record adds a field here (and the tool API's result and
// schema lay it out: shared/platform/toolapi).
type Data struct {
	// Customer is the verified caller's own record, with what the answer says.
	Customer *CustomerData `json:"customer,omitempty"`
	// Payment is a payment of the verified caller's.
	Payment *PaymentData `json:"payment,omitempty"`
	// Tickets are the caller's tickets the answer quotes (a created ticket is
	// Rich.Ticket).
	Tickets []TicketData `json:"tickets,omitempty"`
}

// CustomerData is a customer's record as disclosed to its owner. Only the fields an
// intent's answer states are set (a lookup states name, company, plan and status;
// phone and address are for an intent that states them).
type CustomerData struct {
	Name    string       `json:"name,omitempty"`
	Email   string       `json:"email"`
	Company string       `json:"company,omitempty"`
	Plan    string       `json:"plan,omitempty"`
	Status  string       `json:"status,omitempty"`
	Phone   string       `json:"phone,omitempty"`
	Address *AddressData `json:"address,omitempty"`
}

// AddressData is a postal address; an empty field is one the tool does not hold.
type AddressData struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// PaymentData is a payment as disclosed to its owner.
type PaymentData struct {
	// Reference is the order number or payment id the caller asked about ("" when
	// the answer names none: a lookup's last payment).
	Reference string `json:"reference,omitempty"`
	// Amount is a decimal number in the currency's major unit ("1200.00").
	Amount string `json:"amount"`
	// Currency is the ISO 4217 code, upper case.
	Currency string `json:"currency"`
	// Status: paid, pending, failed, refunded, or unknown (a status the answer
	// could not interpret).
	Status string `json:"status"`
	// Date is the day the payment was made (YYYY-MM-DD, UTC), "" when unknown.
	Date string `json:"date,omitempty"`
}

// TicketData is a ticket as data.
type TicketData struct {
	Number  string `json:"number"`
	Subject string `json:"subject,omitempty"`
	Link    string `json:"link,omitempty"`
}

// Empty reports whether r has nothing to show.
func (r *Rich) Empty() bool {
	return r == nil || len(r.Articles) == 0 && r.Ticket == nil && len(r.Choices) == 0
}

// Text joins the reply's messages with a space, for platforms with a single text field.
func (r Reply) Text() string { return strings.Join(r.Messages, " ") }

// Value returns a pointer to s, for Reply.SetSlots.
func Value(s string) *string { return &s }

// Handler answers turns. Intent handlers implement it, and so do the layers wrapped
// around them (idempotency, telemetry). A Handler never returns an error: a failure is
// an honest Reply with OutcomeFailed.
type Handler interface {
	Handle(ctx context.Context, t Turn) Reply
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, t Turn) Reply

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, t Turn) Reply { return f(ctx, t) }
