package dialogflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/paramvalue"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

const (
	// ContextID is the id of the output context that carries slot values between
	// turns. Context ids are lower case.
	ContextID = "switchboard"
	// ContextLifespan is how many turns the switchboard context stays active.
	ContextLifespan = 5
	// ElicitEventPrefix prefixes the follow-up event raised to ask for a slot again:
	// elicit_email, elicit_payment_reference, … The agent maps each event to an intent
	// that prompts for the slot.
	ElicitEventPrefix = "elicit_"
	// MaxResponseBytes is Dialogflow's limit on a webhook response.
	MaxResponseBytes = 64 << 10
)

// Adapter decodes Dialogflow ES webhook requests.
type Adapter struct {
	names platform.Names
	// PlainText turns rich replies off (platform.dialogflow.rich: false): only text
	// messages are sent.
	PlainText bool
}

var _ platform.Adapter = (*Adapter)(nil)

// New returns an adapter that maps intent display names to canonical intents.
func New(names platform.Names) *Adapter { return &Adapter{names: names} }

// Platform reports conversation.DialogflowES.
func (a *Adapter) Platform() conversation.Platform { return conversation.DialogflowES }

// Call is one decoded webhook call.
type Call struct {
	// Wire is the request as Dialogflow sent it: the fields a turn reads (kept).
	Wire  *WebhookRequest
	turn  conversation.Turn
	plain bool
	// others are the slots read from another context than Switchboard's, which are
	// not Switchboard's to carry forward (the other slots are: the matched intent's
	// own and those of the switchboard context). Usually none: nil.
	others map[string]bool
	// store holds the request the fast path decodes, in the Call's allocation.
	store wireStore
}

// wireStore is a request and the parts of it the fast path fills.
type wireStore struct {
	w  WebhookRequest
	q  QueryResult
	in Intent
}

// Decode parses a WebhookRequest. A body that is not one yields a *platform.BadRequest
// (HTTP 400, {"error": reason}).
func (a *Adapter) Decode(body []byte) (platform.Request, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, bad("empty body")
	}
	call := &Call{plain: a.PlainText}
	w := &call.store.w
	// The site's identity token rides in originalDetectIntentRequest.payload.
	token, fast := fastDecode(body, &call.store)
	if !fast {
		*w = WebhookRequest{}
		if err := json.Unmarshal(body, w); err != nil {
			return nil, bad(jsonReason(err))
		}
		if o := w.OriginalDetectIntentRequest; o != nil {
			token = platform.IdentityToken(o.Payload)
		}
		kept(w)
	}
	if w.ResponseID == "" {
		return nil, bad("missing responseId")
	}
	sessionID, ok := SessionID(w.Session)
	if !ok {
		return nil, bad("missing or malformed session")
	}
	q := w.QueryResult
	if q == nil {
		return nil, bad("missing queryResult")
	}
	if q.Intent == nil || q.Intent.DisplayName == "" {
		return nil, bad("missing queryResult.intent.displayName")
	}
	raw := q.Intent.DisplayName
	sl, others := slots(w.Session, q)
	// A token that arrived as a parameter is taken out of the slots so it is never
	// carried forward in the output context; the payload's wins.
	if p := platform.TakeIdentityToken(sl); token == "" {
		token = p
	}
	if len(sl) == 0 {
		sl = nil
	}
	call.Wire, call.others = w, others
	call.turn = conversation.Turn{
		Platform:  conversation.DialogflowES,
		Intent:    a.names.Resolve(raw),
		RawIntent: raw,
		Phase:     conversation.PhaseFulfill,
		Slots:     sl,
		SessionID: sessionID,
		TurnID:    w.ResponseID,
		Locale:    q.LanguageCode,
		Text:      q.QueryText,

		IdentityToken: token,
	}
	return call, nil
}

// kept clears what a turn never reads from a request json.Unmarshal decoded, so that
// Wire holds the same whichever path decoded it: the fast path builds only the
// response id, the session, and of queryResult the query text, language code,
// parameters, intent display name and output contexts (name, and parameters unless
// the context is one of Dialogflow's own); originalDetectIntentRequest is read for its
// payload's identity token only. TestFastDecodeAsUnmarshal holds the two equal.
func kept(w *WebhookRequest) {
	w.OriginalDetectIntentRequest = nil
	q := w.QueryResult
	if q == nil {
		return
	}
	*q = QueryResult{QueryText: q.QueryText, LanguageCode: q.LanguageCode, Parameters: q.Parameters,
		OutputContexts: q.OutputContexts, Intent: q.Intent}
	if q.Intent != nil {
		q.Intent = &Intent{DisplayName: q.Intent.DisplayName}
	}
	for i := range q.OutputContexts {
		c := &q.OutputContexts[i]
		c.LifespanCount = 0
		if systemContext(c.Name) {
			c.Parameters = nil
		}
	}
}

func bad(reason string) *platform.BadRequest {
	return platform.NewBadRequest(conversation.DialogflowES, reason)
}

// jsonReason says what is wrong with a body without echoing it.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "wrong type for " + te.Field
	}
	return "body is not a valid JSON webhook request"
}

// SessionID returns the session id segment of a session path:
// projects/<p>/agent/sessions/<s>, projects/<p>/agent/environments/<e>/users/<u>/sessions/<s>
// or the same under projects/<p>/locations/<l>/.
func SessionID(session string) (string, bool) {
	if !strings.HasPrefix(session, "projects/") || !strings.Contains(session, "/agent/") {
		return "", false
	}
	// The id is the last segment, after ".../sessions/".
	i := strings.LastIndexByte(session, '/')
	if id := session[i+1:]; id != "" && strings.HasSuffix(session[:i], "/sessions") {
		return id, true
	}
	return "", false
}

// slots collects parameter values: queryResult.parameters first, then the switchboard
// context, then the other contexts in request order; the first non-empty value of a
// name wins. ".original" companions and Dialogflow's own contexts (ids starting with
// "__", such as __system_counters__) are skipped.
//
// Switchboard carries forward in its context the parameters of the matched intent and
// of the switchboard context. What other contexts hold (an integration's
// facebook_sender_id or slack_channel, another agent flow's city) is read for this
// turn but never copied into Switchboard's context: others names those slots.
func slots(session string, q *QueryResult) (out map[string]string, others map[string]bool) {
	out = make(map[string]string, len(q.Parameters))
	add := func(params map[string]json.RawMessage, mine bool) {
		for k, v := range params {
			if k == "" || strings.HasSuffix(k, ".original") {
				continue
			}
			if _, seen := out[k]; seen {
				continue
			}
			if s := paramvalue.Dialogflow(v); s != "" {
				out[k] = s
				if !mine {
					if others == nil {
						others = map[string]bool{}
					}
					others[k] = true
				}
			}
		}
	}
	add(q.Parameters, true)
	for _, c := range q.OutputContexts {
		if ownContext(c.Name, session) {
			add(c.Parameters, true)
		}
	}
	for _, c := range q.OutputContexts {
		if !ownContext(c.Name, session) && !systemContext(c.Name) {
			add(c.Parameters, false)
		}
	}
	if len(out) == 0 {
		return nil, others
	}
	return out, others
}

// ownContext reports whether a context name is session + "/contexts/" + ContextID.
func ownContext(name, session string) bool {
	const suffix = "/contexts/" + ContextID
	return len(name) == len(session)+len(suffix) && strings.HasPrefix(name, session) && strings.HasSuffix(name, suffix)
}

// systemContext reports whether a context name is one of Dialogflow's own contexts
// (id starting with "__", such as __system_counters__).
func systemContext(name string) bool {
	return strings.HasPrefix(name[strings.LastIndexByte(name, '/')+1:], "__")
}

// Turn returns the decoded turn.
func (c *Call) Turn() conversation.Turn { return c.turn }

// Encode renders reply as a WebhookResponse (always HTTP 200): the messages as
// fulfillmentText and text fulfillmentMessages, the slots carried forward in the
// switchboard output context, and for OutcomeElicitSlot the follow-up event
// elicit_<slot>. The payload carries the outcome ({"switchboard": {"outcome",
// "fallback"}}). A response over MaxResponseBytes has its messages truncated.
func (c *Call) Encode(reply conversation.Reply) (int, []byte, error) {
	msgs, err := messages(reply, c.turn.Locale)
	if err != nil {
		return 0, nil, err
	}
	// The payload carries platform.OutcomePayload(reply) and the output context is
	// the switchboard context: marshalReply writes them.
	var resp WebhookResponse
	if reply.Outcome == conversation.OutcomeElicitSlot {
		if reply.SlotToElicit == "" {
			return 0, nil, errors.New("dialogflow: elicit_slot reply without SlotToElicit")
		}
		resp.FollowupEventInput = c.elicitEvent(reply.SlotToElicit)
	}
	var rich []Message
	if !c.plain && resp.FollowupEventInput == nil {
		// With a follow-up event Dialogflow ignores every message: send none.
		rich = richMessages(reply.Rich, msgs)
	}
	body, err := fit(&resp, &replyParts{msgs: msgs, rich: rich, outcome: platform.OutcomeOf(reply),
		ctx: &ownCtx{session: c.Wire.Session, slots: c.turn.Slots, others: c.others, set: reply.SetSlots}})
	if err != nil {
		return 0, nil, err
	}
	return 200, body, nil
}

// messages returns the texts to send for an outcome, supplying a default where the
// reply has none and the user must be told something.
func messages(r conversation.Reply, locale string) ([]string, error) {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	msgs := r.Messages // not written to: a blank message means a copy without it
	if slices.ContainsFunc(msgs, blank) {
		msgs = slices.DeleteFunc(slices.Clone(msgs), blank)
	}
	var def string
	switch r.Outcome {
	case conversation.OutcomeFulfilled, conversation.OutcomeElicitSlot, conversation.OutcomeDelegate:
	case conversation.OutcomeFailed, conversation.OutcomeUnknownIntent, conversation.OutcomeRejected:
		def = platform.DefaultText(r.Outcome, locale)
	default:
		return nil, fmt.Errorf("dialogflow: cannot encode outcome %q", r.Outcome)
	}
	if len(msgs) == 0 && def != "" {
		msgs = []string{def}
	}
	return msgs, nil
}

// ownCtx is a reply's switchboard output context: Switchboard's own slots (the
// matched intent's parameters and the switchboard context's, never another context's:
// others) with set applied (nil deletes). The context replaces the active one of the
// same name, so it carries every such slot, not only the changes.
type ownCtx struct {
	session string
	slots   map[string]string
	others  map[string]bool
	set     map[string]*string
}

// build returns the output contexts: the switchboard context, or none.
func (x *ownCtx) build() []Context {
	params := make(map[string]json.RawMessage, len(x.slots)+len(x.set))
	for k, v := range x.slots {
		if p, ok := x.set[k]; (ok && p == nil) || x.others[k] {
			continue
		}
		params[k] = jsonString(v)
	}
	for k, v := range x.set {
		if v != nil {
			params[k] = jsonString(*v)
		}
	}
	if len(params) == 0 && len(x.set) == 0 {
		return nil
	}
	return []Context{{
		Name:          x.session + "/contexts/" + ContextID,
		LifespanCount: ContextLifespan,
		Parameters:    params,
	}}
}

type param struct{ key, value string }

// params appends to ps the context's parameters, sorted by name (as encoding/json
// sorts a map's keys), and reports whether build makes a context at all.
func (x *ownCtx) params(ps []param) ([]param, bool) {
	for k, v := range x.slots {
		if _, ok := x.set[k]; ok || x.others[k] {
			continue // deleted, or set below
		}
		ps = append(ps, param{k, v})
	}
	for k, v := range x.set {
		if v != nil {
			ps = append(ps, param{k, *v})
		}
	}
	slices.SortFunc(ps, func(a, b param) int { return strings.Compare(a.key, b.key) })
	return ps, len(ps) > 0 || len(x.set) > 0
}

func (c *Call) elicitEvent(slot string) *EventInput {
	lang := c.turn.Locale
	if lang == "" {
		lang = "en"
	}
	return &EventInput{
		Name:         ElicitEventPrefix + slot,
		LanguageCode: lang,
		Parameters: map[string]json.RawMessage{
			"slot":   jsonString(slot),
			"intent": jsonString(c.turn.RawIntent),
		},
	}
}

// fit marshals resp with the reply's parts (marshalReply), dropping the rich messages
// first and then truncating the texts (from the end) until the body fits in
// MaxResponseBytes. If the texts are gone and it still does not fit, the largest
// context parameters are dropped.
func fit(resp *WebhookResponse, parts *replyParts) ([]byte, error) {
	for range 64 {
		body, err := marshalReply(resp, parts)
		if err != nil {
			return nil, fmt.Errorf("dialogflow: encode response: %w", err)
		}
		over := len(body) - MaxResponseBytes
		if over <= 0 {
			return body, nil
		}
		if parts.rich != nil {
			parts.rich = nil
			continue
		}
		if total := textBytes(parts.msgs); total > 0 {
			// Each message appears twice (fulfillmentText and fulfillmentMessages), and
			// escaping may grow it: cut a little more than half the overflow per round.
			parts.msgs = truncate(parts.msgs, total-(over/2+len(platform.TruncatedMark)+16))
			continue
		}
		if parts.ctx != nil {
			// The context's parameters are dropped from the built context.
			resp.OutputContexts, parts.ctx = parts.ctx.build(), nil
		}
		if !dropLargestParam(resp) {
			return nil, fmt.Errorf("dialogflow: response of %d bytes exceeds %d", len(body), MaxResponseBytes)
		}
	}
	return nil, fmt.Errorf("dialogflow: response does not fit in %d bytes", MaxResponseBytes)
}

// setMessages sets the response's messages as marshalReply writes them.
func setMessages(resp *WebhookResponse, msgs []string, rich []Message) {
	resp.FulfillmentText = strings.Join(msgs, " ")
	resp.FulfillmentMessages = slices.Grow(resp.FulfillmentMessages[:0], len(msgs)+len(rich))
	// One text value and one string list for all the messages, each message a
	// one-element window on it (a copy: later rounds of fit may change msgs).
	texts := make([]Text, len(msgs))
	strs := slices.Clone(msgs)
	for i := range strs {
		texts[i].Text = strs[i : i+1 : i+1]
		resp.FulfillmentMessages = append(resp.FulfillmentMessages, Message{Text: &texts[i]})
	}
	resp.FulfillmentMessages = append(resp.FulfillmentMessages, rich...)
}

// richMessages renders a reply's rich parts as Dialogflow's own messages — a card per
// article and for the ticket (title, subtitle, a button opening the link), the choices
// as quick replies — and, for Dialogflow Messenger, which shows none of those, the same
// as a richContent payload. The text messages stay first, for voice and text-only
// integrations.
func richMessages(r *conversation.Rich, msgs []string) []Message {
	if r.Empty() {
		return nil
	}
	var out []Message
	// Tool text is inert on every integration (plaintext.Inert) and a button opens a
	// link only when it is https (plaintext.Link).
	card := func(title, subtitle, link string) {
		title, link = plaintext.Inert(title), plaintext.Link(link)
		c := Card{Title: platform.Cut(title, MaxCardText), Subtitle: platform.Cut(plaintext.Inert(subtitle), MaxCardText)}
		if link != "" {
			label := plaintext.Inert(r.OpenLabel)
			if label == "" {
				label = title
			}
			c.Buttons = []CardButton{{Text: platform.Cut(label, MaxCardText), Postback: link}}
		}
		out = append(out, Message{Card: mustRaw(c)})
	}
	for _, a := range r.Articles {
		card(a.Title, a.Snippet, a.Link)
	}
	if t := r.Ticket; t != nil {
		card(t.Title, t.Subject, t.Link)
	}
	if len(r.Choices) > 0 {
		q := QuickReplies{}
		if len(msgs) > 0 {
			q.Title = platform.Cut(msgs[len(msgs)-1], MaxCardText)
		}
		for _, c := range r.Choices {
			q.QuickReplies = append(q.QuickReplies, platform.Cut(plaintext.Inert(c.Label), MaxCardText))
		}
		out = append(out, Message{QuickReplies: mustRaw(q)})
	}
	rc := platform.RichContent(r, platform.MessengerES)
	out = append(out, Message{Payload: mustRaw(map[string]any{"richContent": rc})})
	return out
}

func mustRaw(v any) json.RawMessage {
	b, err := platform.EncodeJSON(v)
	if err != nil {
		panic(err) // only our own plain structs are encoded here
	}
	return b
}

func textBytes(msgs []string) int {
	n := 0
	for _, m := range msgs {
		n += len(m)
	}
	return n
}

// truncate keeps at most budget bytes of text, cutting at a rune boundary and marking
// the cut so the user knows the answer was shortened.
func truncate(msgs []string, budget int) []string {
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if budget <= len(platform.TruncatedMark) {
			break
		}
		if len(m) <= budget {
			out = append(out, m)
			budget -= len(m)
			continue
		}
		cut := budget - len(platform.TruncatedMark)
		for cut > 0 && !utf8.RuneStart(m[cut]) {
			cut--
		}
		out = append(out, strings.TrimSpace(m[:cut])+platform.TruncatedMark)
		break
	}
	return out
}

func dropLargestParam(resp *WebhookResponse) bool {
	if len(resp.OutputContexts) == 0 {
		return false
	}
	params := resp.OutputContexts[0].Parameters
	largest := ""
	for k, v := range params {
		if largest == "" || len(v) > len(params[largest]) || (len(v) == len(params[largest]) && k < largest) {
			largest = k
		}
	}
	if largest == "" {
		return false
	}
	delete(params, largest)
	return true
}

// jsonString is json.Marshal(s).
func jsonString(s string) json.RawMessage {
	if platform.HandEncode {
		return platform.AppendMarshalString(make([]byte, 0, len(s)+2), s)
	}
	b, _ := json.Marshal(s) // a string always marshals
	return b
}
