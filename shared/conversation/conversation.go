package conversation

import (
	"context"
	"strings"
	"time"
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

// Platforms lists every supported platform in a stable order.
var Platforms = []Platform{DialogflowES, DialogflowCX, LexV2, Rasa}

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

// Intents lists every canonical intent in a stable order.
var Intents = []Intent{LookupCustomer, CreateTicket, VerifyPayment, SearchKB}

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
