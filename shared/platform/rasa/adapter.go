package rasa

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
)

// msgInvalidBody is rasa-sdk's answer to a body that is not a JSON object.
const msgInvalidBody = "Invalid body request"

// skippedSlots are Rasa's bookkeeping slots, which carry no user data.
var skippedSlots = map[string]bool{RequestedSlot: true, "session_started_metadata": true}

// Adapter decodes Rasa action calls.
type Adapter struct {
	names platform.Names
	// PlainText turns rich replies off (platform.rasa.rich: false): only text
	// responses are sent.
	PlainText bool
}

var _ platform.Adapter = (*Adapter)(nil)

// New returns an adapter that maps custom action names to canonical intents.
func New(names platform.Names) *Adapter { return &Adapter{names: names} }

// Platform reports conversation.Rasa.
func (a *Adapter) Platform() conversation.Platform { return conversation.Rasa }

// Actions returns the body of rasa-sdk's GET /actions for the configured action names:
// [{"name": "action_…"}, …], sorted by name.
func Actions(names platform.Names) []byte {
	list := make([]ActionInfo, 0, len(names))
	for name := range names {
		list = append(list, ActionInfo{Name: name})
	}
	slices.SortFunc(list, func(a, b ActionInfo) int { return strings.Compare(a.Name, b.Name) })
	b, _ := marshal(list) // a list of names always marshals
	return b
}

// Call is one decoded action call.
type Call struct {
	// Wire is the action call as Rasa sent it. Wire.Tracker.Events is the raw event
	// history.
	Wire  *ActionCall
	turn  conversation.Turn
	plain bool
}

// Decode parses an action call. A body that is not a JSON object yields rasa-sdk's own
// 400 {"error": "Invalid body request"}; a call without next_action a 400 with the
// reason; any other unusable call a 400 in the ActionExecutionRejection shape
// {"error", "action_name"}, which Rasa handles by letting its policies choose another
// action (Rasa reads action_name from every 400 it gets).
func (a *Adapter) Decode(body []byte) (platform.Request, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, invalidBody()
	}
	var w ActionCall
	if !fastDecode(body, &w) {
		w = ActionCall{}
		if err := json.Unmarshal(body, &w); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				return nil, invalidBody()
			}
			// encoding/json decodes the rest of the body after a type error, so
			// next_action is known unless it is the field in error.
			if w.NextAction == "" {
				return nil, platform.NewBadRequest(conversation.Rasa, "wrong type for "+te.Field)
			}
			return nil, rejected(w.NextAction, "wrong type for "+te.Field)
		}
	}
	if w.NextAction == "" {
		return nil, platform.NewBadRequest(conversation.Rasa, "missing next_action")
	}
	if w.Tracker == nil {
		return nil, rejected(w.NextAction, "missing tracker")
	}
	sender := w.SenderID
	if sender == "" {
		sender = w.Tracker.SenderID
	}
	if sender == "" {
		return nil, rejected(w.NextAction, "missing sender_id")
	}
	var text, turnID, locale, token string
	if m := w.Tracker.LatestMessage; m != nil {
		text = m.Text
		locale = metadataLocale(m.Metadata)
		token = platform.IdentityToken(m.Metadata)
		if m.MessageID != "" {
			turnID = sender + ":" + m.MessageID
		}
	}
	sl := slots(w.Tracker)
	if locale == "" {
		locale = sl[LanguageSlot]
	}
	if turnID == "" && w.Tracker.LatestEventTime != "" {
		turnID = sender + ":" + string(w.Tracker.LatestEventTime)
	}
	if t := platform.TakeIdentityToken(sl); token == "" {
		token = t
	}
	if len(sl) == 0 {
		sl = nil
	}
	return &Call{Wire: &w, plain: a.PlainText, turn: conversation.Turn{
		Platform:  conversation.Rasa,
		Intent:    a.names.Resolve(w.NextAction),
		RawIntent: w.NextAction,
		Phase:     conversation.PhaseFulfill,
		Slots:     sl,
		SessionID: sender,
		TurnID:    turnID,
		Locale:    locale,
		Text:      text,

		IdentityToken: token,
	}}, nil
}

// LanguageSlot is the slot that gives the conversation's language when the latest
// message's metadata does not.
const LanguageSlot = "language"

// metadataLocale reads the language a channel put in the message metadata
// ("language", or "locale").
func metadataLocale(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var md struct {
		Language any `json:"language"`
		Locale   any `json:"locale"`
	}
	if json.Unmarshal(raw, &md) != nil {
		return ""
	}
	for _, v := range []any{md.Language, md.Locale} {
		if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func invalidBody() *platform.BadRequest {
	return platform.NewBadRequest(conversation.Rasa, msgInvalidBody)
}

// rejected is a 400 in rasa-sdk's ActionExecutionRejection shape.
func rejected(action, reason string) *platform.BadRequest {
	b, _ := marshal(ActionError{Error: reason, ActionName: action})
	return &platform.BadRequest{Platform: conversation.Rasa, Reason: reason, Status: 400, Body: b}
}

// slots collects the tracker's slots, then, for names still without a value, the
// entities of the latest message. A list slot gives its first value. For an entity
// found more than once the last value wins, as in Rasa's from_entity mapping of a
// non-list slot.
func slots(t *Tracker) map[string]string {
	out := map[string]string{}
	for k, v := range t.Slots {
		if k == "" || skippedSlots[k] {
			continue
		}
		if s := scalar(v); s != "" {
			out[k] = s
		}
	}
	if m := t.LatestMessage; m != nil {
		fromEntities := map[string]string{}
		for _, e := range m.Entities {
			if _, set := out[e.Entity]; set || e.Entity == "" || skippedSlots[e.Entity] {
				continue
			}
			if s := scalar(e.Value); s != "" {
				fromEntities[e.Entity] = s
			}
		}
		for k, v := range fromEntities {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Turn returns the decoded turn.
func (c *Call) Turn() conversation.Turn { return c.turn }

// Encode renders reply as rasa-sdk would answer:
//
//   - fulfilled, failed, delegate: 200 {"events", "responses"}; SetSlots become slot
//     events (nil as null, which resets the slot) and Messages become text responses;
//   - elicit_slot: 200 with the prompt and a slot event resetting SlotToElicit; when a
//     form is active, also requested_slot = SlotToElicit, so that the form fills that
//     slot from the user's next message. No event ends the form (an active_loop null or
//     requested_slot null event would);
//   - unknown_intent: 404 {"error": "No registered action found for name '<x>'.",
//     "action_name"}, as for an action rasa-sdk does not have;
//   - rejected: 400 {"error": <messages>, "action_name"}, rasa-sdk's
//     ActionExecutionRejection. Rasa logs the error (the user does not see it) and lets
//     its policies predict another action.
//
// Every answer carries the outcome under the top-level key "switchboard"
// ({"outcome", "fallback"}).
func (c *Call) Encode(reply conversation.Reply) (int, []byte, error) {
	action := c.Wire.NextAction
	wire := platform.OutcomeOf(reply)
	switch reply.Outcome {
	case conversation.OutcomeUnknownIntent:
		body, err := marshal(ActionError{
			Error:      fmt.Sprintf("No registered action found for name '%s'.", action),
			ActionName: action, Switchboard: &wire,
		})
		return 404, body, err
	case conversation.OutcomeRejected:
		msg := strings.TrimSpace(reply.Text())
		if msg == "" {
			msg = fmt.Sprintf("Custom action '%s' rejected execution.", action)
		}
		body, err := marshal(ActionError{Error: msg, ActionName: action, Switchboard: &wire})
		return 400, body, err
	case conversation.OutcomeFulfilled, conversation.OutcomeFailed, conversation.OutcomeDelegate, conversation.OutcomeElicitSlot:
	default:
		return 0, nil, fmt.Errorf("rasa: cannot encode outcome %q", reply.Outcome)
	}
	elicit := ""
	if reply.Outcome == conversation.OutcomeElicitSlot {
		if elicit = reply.SlotToElicit; elicit == "" {
			return 0, nil, errors.New("rasa: elicit_slot reply without SlotToElicit")
		}
	}
	resp := ActionResponse{Events: []Event{}, Responses: make([]Response, 0, len(reply.Messages)+1), Switchboard: &wire}
	keys := make([]string, 0, len(reply.SetSlots))
	for k := range reply.SetSlots {
		if k != elicit {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		resp.Events = append(resp.Events, slotEvent(k, reply.SetSlots[k]))
	}
	if elicit != "" {
		resp.Events = append(resp.Events, slotEvent(elicit, nil))
		if t := c.Wire.Tracker; t.ActiveLoop != nil && t.ActiveLoop.Name != "" {
			resp.Events = append(resp.Events, slotEvent(RequestedSlot, &elicit))
		}
	}
	for _, m := range reply.Messages {
		if strings.TrimSpace(m) != "" {
			// Rasa webchat renders a text as Markdown: what styling is left in the
			// (already inert) tool text is escaped.
			resp.Responses = append(resp.Responses, Response{Text: plaintext.Markdown(m)})
		}
	}
	if !c.plain && !reply.Rich.Empty() && len(resp.Responses) > 0 {
		if err := addRich(resp.Responses, reply.Rich); err != nil {
			return 0, nil, err
		}
	}
	if reply.Outcome == conversation.OutcomeFailed && len(resp.Responses) == 0 {
		resp.Responses = append(resp.Responses, Response{Text: platform.DefaultText(reply.Outcome, c.turn.Locale)})
	}
	body, err := marshalAction(&resp)
	if err != nil {
		return 0, nil, err
	}
	return 200, body, nil
}

// MaxButtonTitle bounds a button's title; channels cut longer ones anyway (Facebook at
// 20 characters), and a long title makes a poor button.
const MaxButtonTitle = 80

// addRich puts a reply's rich parts on its text responses: the articles' and the
// ticket's links as buttons, and the whole structure as the custom payload, on the
// first response (the heading); the choices as buttons on the last response (the
// question).
//
// Rasa webchat renders button titles as Markdown too: every title is inert and
// escaped (buttonTitle), a link is kept only when it is https (plaintext.Link), and
// the custom payload carries the same inert texts and checked links.
func addRich(rs []Response, r *conversation.Rich) error {
	r = inertRich(r)
	first, last := &rs[0], &rs[len(rs)-1]
	link := func(title, url string) {
		if url != "" {
			first.Buttons = append(first.Buttons, Button{Title: buttonTitle(title), Payload: url, URL: url, Type: "web_url"})
		}
	}
	for _, a := range r.Articles {
		link(a.Title, a.Link)
	}
	if t := r.Ticket; t != nil {
		title := r.OpenLabel
		if title == "" {
			title = t.Title
		}
		link(title, t.Link)
	}
	for _, c := range r.Choices {
		last.Buttons = append(last.Buttons, Button{Title: buttonTitle(c.Label), Payload: c.Value})
	}
	custom, err := marshal(r)
	if err != nil {
		return err
	}
	first.Custom = custom
	return nil
}

// buttonTitle is a button's title as webchat's Markdown shows it plainly.
func buttonTitle(s string) string {
	return plaintext.Markdown(platform.Cut(s, MaxButtonTitle))
}

// inertRich is a copy of r whose texts are inert and whose links are https or none.
func inertRich(r *conversation.Rich) *conversation.Rich {
	out := &conversation.Rich{OpenLabel: plaintext.Inert(r.OpenLabel)}
	for _, a := range r.Articles {
		out.Articles = append(out.Articles, conversation.Article{Title: plaintext.Inert(a.Title),
			Snippet: plaintext.Inert(a.Snippet), Link: plaintext.Link(a.Link)})
	}
	if t := r.Ticket; t != nil {
		out.Ticket = &conversation.TicketCard{Number: plaintext.Inert(t.Number), Subject: plaintext.Inert(t.Subject),
			Link: plaintext.Link(t.Link), Title: plaintext.Inert(t.Title)}
	}
	for _, c := range r.Choices {
		out.Choices = append(out.Choices, conversation.Choice{Label: plaintext.Inert(c.Label), Value: c.Value})
	}
	return out
}

func slotEvent(name string, value *string) Event {
	return Event{Event: EventSlot, Name: name, Value: value}
}

// marshal encodes a response with platform.EncodeJSON (no HTML escaping).
func marshal(v any) ([]byte, error) {
	b, err := platform.EncodeJSON(v)
	if err != nil {
		return nil, fmt.Errorf("rasa: encode response: %w", err)
	}
	return b, nil
}
