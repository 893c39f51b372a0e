package dialogflowcx

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

// MaxResponseBytes is Dialogflow CX's limit on a webhook response.
const MaxResponseBytes = 64 << 10

var jsonNull = json.RawMessage("null")

// Adapter decodes Dialogflow CX webhook requests.
type Adapter struct {
	names platform.Names
	// PlainText turns rich replies off (platform.dialogflow-cx.rich: false): only text
	// messages are sent.
	PlainText bool
}

var _ platform.Adapter = (*Adapter)(nil)

// New returns an adapter that maps fulfillment tags to canonical intents.
func New(names platform.Names) *Adapter { return &Adapter{names: names} }

// Platform reports conversation.DialogflowCX.
func (a *Adapter) Platform() conversation.Platform { return conversation.DialogflowCX }

// Call is one decoded webhook call.
type Call struct {
	// Wire is the request as Dialogflow CX sent it.
	Wire  *WebhookRequest
	turn  conversation.Turn
	plain bool
}

// Decode parses a WebhookRequest. A body that is not one yields a *platform.BadRequest
// (HTTP 400, {"error": reason}), which CX turns into the webhook.error.bad-request
// event.
func (a *Adapter) Decode(body []byte) (platform.Request, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, bad("empty body")
	}
	var w WebhookRequest
	if !fastDecode(body, &w) {
		w = WebhookRequest{}
		if err := json.Unmarshal(body, &w); err != nil {
			return nil, bad(jsonReason(err))
		}
	}
	if w.DetectIntentResponseID == "" {
		return nil, bad("missing detectIntentResponseId")
	}
	if w.FulfillmentInfo == nil || w.FulfillmentInfo.Tag == "" {
		return nil, bad("missing fulfillmentInfo.tag")
	}
	if w.SessionInfo == nil {
		return nil, bad("missing sessionInfo")
	}
	sessionID, ok := SessionID(w.SessionInfo.Session)
	if !ok {
		return nil, bad("missing or malformed sessionInfo.session")
	}
	text := w.Text
	if text == "" {
		text = w.Transcript
	}
	tag := w.FulfillmentInfo.Tag
	// The identity token: the request's payload (DetectIntent queryParams.payload),
	// else the session parameter identity_token, which is never treated as a slot.
	sl := slots(&w)
	token := platform.TakeIdentityToken(sl)
	if p := platform.IdentityToken(w.Payload); p != "" {
		token = p
	}
	if len(sl) == 0 {
		sl = nil
	}
	return &Call{Wire: &w, plain: a.PlainText, turn: conversation.Turn{
		Platform:  conversation.DialogflowCX,
		Intent:    a.names.Resolve(tag),
		RawIntent: tag,
		Phase:     conversation.PhaseFulfill,
		Slots:     sl,
		SessionID: sessionID,
		TurnID:    w.DetectIntentResponseID,
		Locale:    w.LanguageCode,
		Text:      text,

		IdentityToken: token,
	}}, nil
}

func bad(reason string) *platform.BadRequest {
	return platform.NewBadRequest(conversation.DialogflowCX, reason)
}

// jsonReason says what is wrong with a body without echoing it.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		// The snake_case decoders embed a copy of each type named camel.
		return "wrong type for " + strings.ReplaceAll(te.Field, "camel.", "")
	}
	return "body is not a valid JSON webhook request"
}

// SessionID returns the last segment of a CX session path,
// projects/<p>/locations/<l>/agents/<a>/[environments/<e>/]sessions/<s>.
func SessionID(session string) (string, bool) {
	if !strings.HasPrefix(session, "projects/") || !strings.Contains(session, "/agents/") {
		return "", false
	}
	i := strings.LastIndex(session, "/sessions/")
	if i < 0 {
		return "", false
	}
	id := session[i+len("/sessions/"):]
	if id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}

// slots collects session parameters first, then the matched intent's parameters
// (resolved value, else original value) for names the session does not have.
func slots(w *WebhookRequest) map[string]string {
	out := map[string]string{}
	if w.SessionInfo != nil {
		for k, v := range w.SessionInfo.Parameters {
			if s := paramvalue.Dialogflow(v); k != "" && s != "" {
				out[k] = s
			}
		}
	}
	if w.IntentInfo != nil {
		for k, v := range w.IntentInfo.Parameters {
			if _, seen := out[k]; seen || k == "" {
				continue
			}
			s := paramvalue.Dialogflow(v.ResolvedValue)
			if s == "" {
				s = strings.TrimSpace(v.OriginalValue)
			}
			if s != "" {
				out[k] = s
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Turn returns the decoded turn.
func (c *Call) Turn() conversation.Turn { return c.turn }

// Encode renders reply as a WebhookResponse (always HTTP 200): messages replace the
// fulfillment's own, SetSlots become session parameters (nil as null, which deletes),
// and OutcomeElicitSlot clears the slot and, when the request's page has a form with
// that parameter, marks it INVALID (EMPTY when it was missing) so the page prompts
// again. The payload carries the outcome ({"switchboard": {"outcome", "fallback"}}). A response over MaxResponseBytes
// has its messages truncated.
func (c *Call) Encode(reply conversation.Reply) (int, []byte, error) {
	msgs, err := messages(reply, c.turn.Locale)
	if err != nil {
		return 0, nil, err
	}
	params := make(map[string]json.RawMessage, len(reply.SetSlots)+1)
	for k, v := range reply.SetSlots {
		if v == nil {
			params[k] = jsonNull
		} else {
			params[k] = jsonString(*v)
		}
	}
	resp := WebhookResponse{SessionInfo: &SessionInfo{Session: c.Wire.SessionInfo.Session}}
	if reply.Outcome == conversation.OutcomeElicitSlot {
		slot := reply.SlotToElicit
		if slot == "" {
			return 0, nil, errors.New("dialogflowcx: elicit_slot reply without SlotToElicit")
		}
		state := StateEmpty
		if p, ok := reply.SetSlots[slot]; c.turn.Slots[slot] != "" || (ok && p == nil) {
			state = StateInvalid
		}
		params[slot] = jsonNull
		// Only a form the request's page has can be re-prompted through pageInfo:
		// naming a parameter the page's form lacks (or a page without a form) marks
		// what does not exist. Elsewhere the prompt and the cleared parameter do it.
		if c.formHas(slot) {
			resp.PageInfo = &PageInfo{FormInfo: &FormInfo{ParameterInfo: []ParameterInfo{{
				DisplayName: slot, Required: true, State: state,
			}}}}
		}
	}
	resp.Payload = platform.OutcomePayload(reply)
	if len(params) > 0 {
		resp.SessionInfo.Parameters = params
	}
	var rich *ResponseMessage
	if rc := platform.RichContent(reply.Rich, platform.MessengerCX); rc != nil && !c.plain {
		b, err := platform.EncodeJSON(struct {
			RichContent [][]platform.RichItem `json:"richContent"`
		}{rc})
		if err != nil {
			return 0, nil, fmt.Errorf("dialogflowcx: encode rich content: %w", err)
		}
		rich = &ResponseMessage{Payload: b}
	}
	body, err := fit(&resp, msgs, rich)
	if err != nil {
		return 0, nil, err
	}
	return 200, body, nil
}

// formHas reports whether the request's page has a form with the parameter.
func (c *Call) formHas(param string) bool {
	pi := c.Wire.PageInfo
	if pi == nil || pi.FormInfo == nil {
		return false
	}
	for _, p := range pi.FormInfo.ParameterInfo {
		if p.DisplayName == param {
			return true
		}
	}
	return false
}

// messages returns the texts to send for an outcome, supplying a default where the
// reply has none and the user must be told something.
func messages(r conversation.Reply, locale string) ([]string, error) {
	msgs := slices.DeleteFunc(slices.Clone(r.Messages), func(s string) bool { return strings.TrimSpace(s) == "" })
	var def string
	switch r.Outcome {
	case conversation.OutcomeFulfilled, conversation.OutcomeElicitSlot, conversation.OutcomeDelegate:
	case conversation.OutcomeFailed, conversation.OutcomeUnknownIntent, conversation.OutcomeRejected:
		def = platform.DefaultText(r.Outcome, locale)
	default:
		return nil, fmt.Errorf("dialogflowcx: cannot encode outcome %q", r.Outcome)
	}
	if len(msgs) == 0 && def != "" {
		msgs = []string{def}
	}
	for i, m := range msgs {
		// CX Messenger renders a text response as Markdown: what styling is left in
		// the (already inert) tool text is escaped.
		msgs[i] = plaintext.Markdown(m)
	}
	return msgs, nil
}

// fit marshals resp with msgs and the rich payload message (Dialogflow Messenger's
// richContent, after the texts), dropping the rich message first and then truncating
// the texts (from the end) until the body fits in MaxResponseBytes.
func fit(resp *WebhookResponse, msgs []string, rich *ResponseMessage) ([]byte, error) {
	for range 64 {
		resp.FulfillmentResponse = nil
		if len(msgs) > 0 {
			fr := &FulfillmentResponse{MergeBehavior: MergeReplace, Messages: make([]ResponseMessage, 0, len(msgs)+1)}
			// One text value and one string list for all the messages, each message a
			// one-element window on it.
			texts := make([]Text, len(msgs))
			strs := slices.Clone(msgs)
			for i := range strs {
				texts[i].Text = strs[i : i+1 : i+1]
				fr.Messages = append(fr.Messages, ResponseMessage{Text: &texts[i]})
			}
			if rich != nil {
				fr.Messages = append(fr.Messages, *rich)
			}
			resp.FulfillmentResponse = fr
		}
		body, err := marshal(resp)
		if err != nil {
			return nil, err
		}
		over := len(body) - MaxResponseBytes
		if over <= 0 {
			return body, nil
		}
		if rich != nil {
			rich = nil
			continue
		}
		total := 0
		for _, m := range msgs {
			total += len(m)
		}
		if total == 0 {
			return nil, fmt.Errorf("dialogflowcx: response of %d bytes exceeds %d", len(body), MaxResponseBytes)
		}
		msgs = truncate(msgs, total-(over+len(platform.TruncatedMark)+16))
	}
	return nil, fmt.Errorf("dialogflowcx: response does not fit in %d bytes", MaxResponseBytes)
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

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}
