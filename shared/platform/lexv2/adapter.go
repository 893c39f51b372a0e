package lexv2

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// MaxMessages caps how many messages one response carries; a longer reply is cut and
// marked. The runtime API documents no higher count to rely on, and a chat turn of more
// than ten bubbles is unreadable anyway.
const MaxMessages = 10

// Adapter decodes Lex V2 code hook events.
type Adapter struct {
	names platform.Names
	// PlainText turns rich replies off (platform.lex.rich: false): only PlainText
	// messages are sent.
	PlainText bool
}

var _ platform.Adapter = (*Adapter)(nil)

// New returns an adapter that maps Lex intent names to canonical intents.
func New(names platform.Names) *Adapter { return &Adapter{names: names} }

// Platform reports conversation.LexV2.
func (a *Adapter) Platform() conversation.Platform { return conversation.LexV2 }

// Call is one decoded code hook invocation.
type Call struct {
	// Wire is the event as Lex sent it.
	Wire  *Event
	turn  conversation.Turn
	plain bool
	// problems are the ConfigProblems of the last Encode.
	problems []platform.ConfigProblem
}

var _ platform.ProblemReporter = (*Call)(nil)

// ConfigProblems returns what the last Encode had to leave out because the bot's
// intent does not define it.
func (c *Call) ConfigProblems() []platform.ConfigProblem { return c.problems }

// Decode parses a Lex V2 input event. A body that is not one yields a
// *platform.BadRequest (HTTP 400, {"error": reason}). Lex itself never sees that
// body: it invokes a Lambda, whose layer (lambdafn) answers a direct invocation.
func (a *Adapter) Decode(body []byte) (platform.Request, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, bad("empty body")
	}
	var e Event
	if !fastDecode(body, &e) {
		e = Event{}
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, bad(jsonReason(err))
		}
	}
	var phase conversation.Phase
	switch e.InvocationSource {
	case DialogCodeHook:
		phase = conversation.PhaseValidate
	case FulfillmentCodeHook:
		phase = conversation.PhaseFulfill
	case "":
		return nil, bad("missing invocationSource")
	default:
		return nil, bad("invocationSource must be DialogCodeHook or FulfillmentCodeHook")
	}
	if e.SessionID == "" {
		return nil, bad("missing sessionId")
	}
	if e.SessionState.Intent == nil {
		return nil, bad("missing sessionState.intent")
	}
	name := e.SessionState.Intent.Name
	if name == "" {
		return nil, bad("missing sessionState.intent.name")
	}
	slots := slotValues(e.SessionState.Intent.Slots)
	// A slot named identity_token is not a place a token is read from; it is dropped
	// from the turn (and cleared in the response, see Encode).
	platform.TakeIdentityToken(slots)
	if len(slots) == 0 {
		slots = nil
	}
	// requestAttributes are per request and not returned; a token in sessionAttributes
	// is read, and left out of the attributes the response returns (docs/identity.md).
	token := strings.TrimSpace(e.RequestAttributes[conversation.IdentityField])
	if token == "" {
		token = strings.TrimSpace(e.SessionState.SessionAttributes[conversation.IdentityField])
	}
	return &Call{Wire: &e, plain: a.PlainText, turn: conversation.Turn{
		Platform:  conversation.LexV2,
		Intent:    a.names.Resolve(name),
		RawIntent: name,
		Phase:     phase,
		Slots:     slots,
		SessionID: e.SessionID,
		TurnID:    turnID(&e, phase, slots),
		Locale:    e.Bot.LocaleID,
		Text:      e.InputTranscript,

		IdentityToken: token,
	}}, nil
}

var errElicitWithoutSlot = errors.New("lexv2: elicit_slot reply without SlotToElicit")

func bad(reason string) *platform.BadRequest {
	return platform.NewBadRequest(conversation.LexV2, reason)
}

// jsonReason says what is wrong with a body without echoing it.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "wrong type for " + te.Field
	}
	return "body is not a valid JSON Lex V2 event"
}

// turnID is the idempotency key of one invocation. Lex puts no request id of its own
// in the event, so:
//
//   - with sessionState.originatingRequestId (the id of the runtime request that
//     started this turn) the key is sessionId:originatingRequestId:phase:intent. The
//     phase and intent are part of it because one runtime request can invoke the code
//     hook more than once — the dialog hook and then the fulfillment hook, or the
//     dialog hook again after the intent switched — and each needs its own answer.
//   - without it, the key is sessionId:h<hash>, the hash (SHA-256, 128 bits shown) of
//     the phase, the transcript, the intent and its slot values: an identical turn in
//     the same session counts as a repeat of the earlier one.
func turnID(e *Event, phase conversation.Phase, slots map[string]string) string {
	intent := e.SessionState.Intent.Name
	if id := e.SessionState.OriginatingRequestID; id != "" {
		return e.SessionID + ":" + id + ":" + string(phase) + ":" + intent
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", phase, e.InputTranscript, intent)
	for _, k := range slices.Sorted(maps.Keys(slots)) {
		fmt.Fprintf(h, "\x00%s=%s", k, slots[k])
	}
	return e.SessionID + ":h" + hex.EncodeToString(h.Sum(nil)[:16])
}

// slotValues reduces the intent's slots to strings: the interpreted value, else the
// original value; for a list slot without an overall value, its first element. Null
// slots, composite slots and empty values are left out.
func slotValues(slots map[string]*Slot) map[string]string {
	out := map[string]string{}
	for k, s := range slots {
		if v := slotString(s, 0); k != "" && v != "" {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func slotString(s *Slot, depth int) string {
	if s == nil || depth > 2 {
		return ""
	}
	if s.Value != nil {
		if v := strings.TrimSpace(s.Value.InterpretedValue); v != "" {
			return v
		}
		if v := strings.TrimSpace(s.Value.OriginalValue); v != "" {
			return v
		}
	}
	for i := range s.Values {
		if v := slotString(&s.Values[i], depth+1); v != "" {
			return v
		}
	}
	return ""
}

// Turn returns the decoded turn.
func (c *Call) Turn() conversation.Turn { return c.turn }

// Encode renders reply as the Lambda response (always status 200). The session state
// echoes the event's session attributes, active contexts and runtime hints, and its
// intent with SetSlots applied — all without an identity token (an identity_token slot
// or sub-slot is returned null, the attribute is left out):
//
//   - OutcomeFulfilled → Close, intent Fulfilled
//   - OutcomeFailed, OutcomeUnknownIntent, OutcomeRejected → Close, intent Failed
//   - OutcomeElicitSlot → ElicitSlot with slotToElicit, that slot cleared to null, when
//     the intent defines the slot (Lex lists every slot of the intent in
//     sessionState.intent.slots, null when unfilled). Otherwise Lex would reject the
//     reply and fail the user's turn: the prompt goes out with ElicitIntent (Close,
//     Failed with the default apology when there is no prompt) and ConfigProblems
//     reports the slot the bot lacks.
//   - OutcomeDelegate → Delegate, intent state as Lex sent it
//
// The session attributes switchboard_outcome and switchboard_fallback carry the
// reply's outcome (platform.LexAttributes).
//
// A SetSlots name that is a slot of the intent (Lex lists every one, null when unfilled)
// sets the slot, nil clearing it; any other name is a session attribute, nil removing
// it. Messages are PlainText, split to MaxMessageChars and capped at MaxMessages.
//
// From Go 1.27 (platform.HandEncode) the response is written straight from the reply
// and the event (writeReply), without building it; before, encodeStruct builds it and
// platform.EncodeJSON writes it. TestWriteReplyAsStruct holds the two byte-equal.
func (c *Call) Encode(reply conversation.Reply) (int, []byte, error) {
	c.problems = nil
	undefined := false
	if reply.Outcome == conversation.OutcomeElicitSlot && reply.SlotToElicit != "" {
		_, defined := c.Wire.SessionState.Intent.Slots[reply.SlotToElicit]
		undefined = !defined
	}
	if !platform.HandEncode {
		return c.encodeStruct(reply, undefined)
	}
	return c.writeReply(reply, undefined)
}

// encodeStruct builds the response as a Response and encodes it (undefined: the slot
// to elicit is not one of the intent's, see elicitUndefined).
func (c *Call) encodeStruct(reply conversation.Reply, undefined bool) (int, []byte, error) {
	if undefined {
		return c.elicitUndefined(reply)
	}
	msgs, err := messages(reply, c.turn.Locale)
	if err != nil {
		return 0, nil, err
	}
	in := c.Wire.SessionState.Intent
	intent := &Intent{Name: in.Name, ConfirmationState: in.ConfirmationState, Slots: make(map[string]*Slot, len(in.Slots))}
	for k, s := range in.Slots {
		intent.Slots[k] = cloneSlot(s)
	}
	// The attributes a response returns replace the stored set: echo them all but an
	// identity token, which is never returned from any field (a slot of that name is
	// cleared, and the active contexts' attributes lose it too).
	attrs := maps.Clone(c.Wire.SessionState.SessionAttributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	delete(attrs, conversation.IdentityField)
	if _, ok := intent.Slots[conversation.IdentityField]; ok {
		intent.Slots[conversation.IdentityField] = nil
	}
	for k, v := range reply.SetSlots {
		if k == conversation.IdentityField {
			continue
		}
		_, isSlot := in.Slots[k]
		switch {
		case isSlot && v == nil:
			intent.Slots[k] = nil
		case isSlot:
			intent.Slots[k] = &Slot{Value: &SlotValue{OriginalValue: *v, InterpretedValue: *v, ResolvedValues: []string{}}}
		case v == nil:
			delete(attrs, k)
		default:
			attrs[k] = *v
		}
	}
	maps.Copy(attrs, platform.LexAttributes(reply))
	action := &DialogAction{}
	switch reply.Outcome {
	case conversation.OutcomeFulfilled:
		action.Type, intent.State = ActionClose, StateFulfilled
	case conversation.OutcomeFailed, conversation.OutcomeUnknownIntent, conversation.OutcomeRejected:
		action.Type, intent.State = ActionClose, StateFailed
	case conversation.OutcomeElicitSlot:
		if reply.SlotToElicit == "" {
			return 0, nil, errElicitWithoutSlot
		}
		action.Type, action.SlotToElicit, intent.State = ActionElicitSlot, reply.SlotToElicit, StateInProgress
		// Lex re-elicits a filled slot only once it is null.
		intent.Slots[reply.SlotToElicit] = nil
	case conversation.OutcomeDelegate:
		action.Type, intent.State = ActionDelegate, in.State
		if intent.State == "" {
			intent.State = StateInProgress
		}
	}
	if len(intent.Slots) == 0 {
		intent.Slots = nil
	}
	resp := Response{SessionState: SessionState{
		ActiveContexts:    withoutToken(c.Wire.SessionState.ActiveContexts),
		SessionAttributes: attrs,
		RuntimeHints:      c.Wire.SessionState.RuntimeHints,
		DialogAction:      action,
		Intent:            intent,
	}}
	resp.Messages = plainMessages(msgs)
	if !c.plain && !c.speech() {
		for _, card := range cards(reply.Rich, msgs) {
			if len(resp.Messages) >= MaxMessages {
				break
			}
			resp.Messages = append(resp.Messages, Message{ContentType: ContentImageResponseCard, ImageResponseCard: card})
		}
	}
	body, err := marshal(&resp)
	if err != nil {
		return 0, nil, err
	}
	return 200, body, nil
}

// elicitUndefined answers an elicit_slot reply for a slot the request's intent does
// not define: the prompt with ElicitIntent (the user's answer is matched to an intent
// again, which Lex accepts), or, with no prompt to send, Close with the intent Failed
// and the default apology. Slots are echoed as Lex sent them; SetSlots that are not
// slots still go to the session attributes.
func (c *Call) elicitUndefined(reply conversation.Reply) (int, []byte, error) {
	in := c.Wire.SessionState.Intent
	attrs := maps.Clone(c.Wire.SessionState.SessionAttributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	delete(attrs, conversation.IdentityField) // never echoed, on this path too
	for k, v := range reply.SetSlots {
		if _, isSlot := in.Slots[k]; isSlot || k == conversation.IdentityField {
			continue
		}
		if v == nil {
			delete(attrs, k)
		} else {
			attrs[k] = *v
		}
	}
	maps.Copy(attrs, platform.LexAttributes(reply))
	msgs, err := messages(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: reply.Messages}, c.turn.Locale)
	if err != nil {
		return 0, nil, err
	}
	resp := Response{SessionState: SessionState{
		ActiveContexts:    withoutToken(c.Wire.SessionState.ActiveContexts),
		SessionAttributes: attrs,
		RuntimeHints:      c.Wire.SessionState.RuntimeHints,
		DialogAction:      &DialogAction{Type: ActionElicitIntent},
	}}
	sent := "ElicitIntent with the prompt"
	if len(msgs) == 0 {
		intent := &Intent{Name: in.Name, ConfirmationState: in.ConfirmationState, State: StateFailed}
		for k, s := range in.Slots {
			if intent.Slots == nil {
				intent.Slots = make(map[string]*Slot, len(in.Slots))
			}
			intent.Slots[k] = cloneSlot(s)
		}
		if _, ok := intent.Slots[conversation.IdentityField]; ok {
			intent.Slots[conversation.IdentityField] = nil
		}
		resp.SessionState.DialogAction.Type, resp.SessionState.Intent = ActionClose, intent
		msgs = []string{platform.DefaultText(conversation.OutcomeFailed, c.turn.Locale)}
		sent = "Close (Failed) with the default apology"
	}
	resp.Messages = plainMessages(msgs)
	c.problems = undefinedProblem(reply, in.Name, sent)
	body, err := marshal(&resp)
	if err != nil {
		return 0, nil, err
	}
	return 200, body, nil
}

// undefinedProblem is the ConfigProblem of an elicit_slot reply for a slot the intent
// does not define, answered with sent.
func undefinedProblem(reply conversation.Reply, intent, sent string) []platform.ConfigProblem {
	return []platform.ConfigProblem{{Kind: "slot", Name: reply.SlotToElicit, Intent: intent, Reply: sent}}
}

func plainMessages(msgs []string) []Message {
	if len(msgs) == 0 {
		return nil
	}
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, Message{ContentType: ContentPlainText, Content: m})
	}
	return out
}

// withoutToken returns the active contexts with no identity_token context attribute
// (the input is not changed).
func withoutToken(ctxs []ActiveContext) []ActiveContext {
	if !slices.ContainsFunc(ctxs, func(c ActiveContext) bool {
		_, ok := c.ContextAttributes[conversation.IdentityField]
		return ok
	}) {
		return ctxs
	}
	out := slices.Clone(ctxs)
	for i := range out {
		if _, ok := out[i].ContextAttributes[conversation.IdentityField]; ok {
			out[i].ContextAttributes = maps.Clone(out[i].ContextAttributes)
			delete(out[i].ContextAttributes, conversation.IdentityField)
		}
	}
	return out
}

// cloneSlot deep-copies a slot for the response in the form Lex accepts there: every
// value has an interpretedValue (the original value when Lex sent none) and a
// resolvedValues list, never null; a slot left with no value at all is null.
func cloneSlot(s *Slot) *Slot {
	if s == nil {
		return nil
	}
	out := &Slot{Shape: s.Shape}
	if s.Value != nil {
		v := *s.Value
		if strings.TrimSpace(v.InterpretedValue) == "" {
			v.InterpretedValue = strings.TrimSpace(v.OriginalValue)
		}
		v.ResolvedValues = slices.Clone(v.ResolvedValues)
		if v.ResolvedValues == nil {
			v.ResolvedValues = []string{}
		}
		if v.InterpretedValue != "" {
			out.Value = &v
		}
	}
	for i := range s.Values {
		if c := cloneSlot(&s.Values[i]); c != nil {
			out.Values = append(out.Values, *c)
		}
	}
	if s.SubSlots != nil {
		out.SubSlots = make(map[string]*Slot, len(s.SubSlots))
		for k, sub := range s.SubSlots {
			if k == conversation.IdentityField {
				out.SubSlots[k] = nil // never echoed, as at the top level
				continue
			}
			out.SubSlots[k] = cloneSlot(sub)
		}
	}
	if out.Value == nil && len(out.Values) == 0 && len(out.SubSlots) == 0 {
		return nil
	}
	return out
}

// messages returns the texts to send for an outcome — a default where the reply has
// none and the user must be told something — split to fit MaxMessageChars and cut to
// MaxMessages.
func messages(r conversation.Reply, locale string) ([]string, error) {
	var def string
	switch r.Outcome {
	case conversation.OutcomeFulfilled, conversation.OutcomeElicitSlot, conversation.OutcomeDelegate:
	case conversation.OutcomeFailed, conversation.OutcomeUnknownIntent, conversation.OutcomeRejected:
		def = platform.DefaultText(r.Outcome, locale)
	default:
		return nil, fmt.Errorf("lexv2: cannot encode outcome %q", r.Outcome)
	}
	out := make([]string, 0, min(len(r.Messages), MaxMessages))
	for _, m := range r.Messages {
		m = strings.TrimSpace(m)
		if m != "" && len(out) < MaxMessages && len(m) <= MaxMessageChars {
			out = append(out, m) // fits (bytes ≥ characters): split would give it whole
			continue
		}
		for _, part := range split(m, MaxMessageChars) {
			if len(out) == MaxMessages {
				out[MaxMessages-1] = mark(out[MaxMessages-1])
				return out, nil
			}
			out = append(out, part)
		}
	}
	if len(out) == 0 && def != "" {
		out = []string{def}
	}
	return out, nil
}

// split cuts s into parts of at most limit characters, at a space where there is one
// in the second half of the part. An empty s gives no part.
func split(s string, limit int) []string {
	var parts []string
	for s != "" {
		if utf8.RuneCountInString(s) <= limit {
			parts = append(parts, s)
			break
		}
		cut, n := 0, 0 // cut: byte offset after limit runes
		for i := range s {
			if n == limit {
				cut = i
				break
			}
			n++
		}
		if sp := strings.LastIndexFunc(s[:cut], unicode.IsSpace); sp > cut/2 {
			cut = sp
		}
		parts = append(parts, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	return parts
}

// mark ends a message with the truncation mark, keeping it within MaxMessageChars.
func mark(m string) string {
	room := MaxMessageChars - utf8.RuneCountInString(platform.TruncatedMark)
	if r := []rune(m); len(r) > room {
		m = strings.TrimSpace(string(r[:room]))
	}
	return m + platform.TruncatedMark
}

// speech reports whether the caller listens rather than reads: the user spoke, or Lex
// asks for an audio reply. Cards are then left out (the text is what is said).
func (c *Call) speech() bool {
	return strings.EqualFold(c.Wire.InputMode, "Speech") ||
		strings.HasPrefix(strings.ToLower(strings.TrimSpace(c.Wire.ResponseContentType)), "audio/")
}

// The ImageResponseCard limits (Lex V2 runtime API): title and subtitle 1-250
// characters, at most 5 buttons, button text and value 1-50 characters.
const (
	MaxCardTitle    = 250
	MaxCardSubtitle = 250
	MaxCardButtons  = 5
	MaxButtonText   = 50
	MaxButtonValue  = 50
)

// cards renders a reply's rich parts as ImageResponseCards, cut to Lex's limits: one
// per article and for the ticket (the link in the subtitle, since a Lex button can only
// send a value back, and the texts carry it too), and one card of buttons for the
// choices, titled with the question.
func cards(r *conversation.Rich, msgs []string) []*ImageResponseCard {
	if r.Empty() {
		return nil
	}
	var out []*ImageResponseCard
	// Tool text is inert (plaintext.Inert: the Lex web UI strips tags and links URLs in
	// what it shows) and a link is shown only when it is https (plaintext.Link).
	card := func(title, subtitle, link string) {
		if title = platform.Cut(plaintext.Inert(title), MaxCardTitle); title == "" {
			return
		}
		c := &ImageResponseCard{Title: title, Subtitle: cardSubtitle(plaintext.Inert(subtitle), plaintext.Link(link))}
		out = append(out, c)
	}
	for _, a := range r.Articles {
		card(a.Title, a.Snippet, a.Link)
	}
	if t := r.Ticket; t != nil {
		card(t.Title, t.Subject, t.Link)
	}
	if len(r.Choices) > 0 {
		title := ""
		if len(msgs) > 0 {
			title = platform.Cut(msgs[len(msgs)-1], MaxCardTitle)
		}
		c := &ImageResponseCard{Title: title}
		for _, ch := range r.Choices {
			if len(c.Buttons) == MaxCardButtons {
				break
			}
			text, value := platform.Cut(plaintext.Inert(ch.Label), MaxButtonText), platform.Cut(ch.Value, MaxButtonValue)
			if text == "" || value == "" {
				continue
			}
			c.Buttons = append(c.Buttons, Button{Text: text, Value: value})
		}
		if c.Title != "" && len(c.Buttons) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// cardSubtitle is the snippet and, on its own line, the link, within MaxCardSubtitle:
// the snippet is shortened to make room for the link; a link too long to fit is left to
// the text messages. "" when there is neither.
func cardSubtitle(snippet, link string) string {
	snippet = strings.TrimSpace(snippet)
	n := utf8.RuneCountInString(link)
	switch {
	case link == "" || n > MaxCardSubtitle:
		return platform.Cut(snippet, MaxCardSubtitle)
	case snippet == "" || n+2 > MaxCardSubtitle:
		return link
	}
	return platform.Cut(snippet, MaxCardSubtitle-n-1) + "\n" + link
}
