package bedrockagent

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

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
)

// Platform is the platform's canonical name (shared/platform/names).
const Platform conversation.Platform = "bedrock-agent"

// LocaleAttribute is the session attribute the application that calls InvokeAgent may
// set to the user's locale.
const LocaleAttribute = "locale"

// Adapter decodes action group events.
type Adapter struct {
	names platform.Names
	// PlainText (platform.bedrock-agent.rich: false) leaves the quick replies
	// (choices) out of the result. The records stay: the answer refers to them
	// rather than quoting tool text (shared/intents: Answer.Tool).
	PlainText bool
}

var _ platform.Adapter = (*Adapter)(nil)

// New returns an adapter that maps function names (and API paths without their
// leading "/") to canonical intents.
func New(names platform.Names) *Adapter { return &Adapter{names: names} }

// Platform reports the platform's name.
func (a *Adapter) Platform() conversation.Platform { return Platform }

// Call is one decoded action group invocation.
type Call struct {
	// Wire is the event as the agent sent it.
	Wire  *Event
	turn  conversation.Turn
	plain bool
}

// API reports whether the action group is defined by an OpenAPI schema (the event
// names an apiPath) rather than by function details.
func (c *Call) API() bool { return c.Wire.APIPath != "" }

// Decode parses an action group input event. A body that is not one yields a
// *platform.BadRequest (HTTP 400, {"error": reason}); on Lambda the lambdafn layer
// answers a direct invocation.
func (a *Adapter) Decode(body []byte) (platform.Request, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, bad("empty body")
	}
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, bad(jsonReason(err))
	}
	switch {
	case e.MessageVersion == "":
		return nil, bad("missing messageVersion")
	case e.MessageVersion != MessageVersion:
		return nil, bad("messageVersion must be " + MessageVersion)
	case e.SessionID == "":
		return nil, bad("missing sessionId")
	case e.ActionGroup == "":
		return nil, bad("missing actionGroup")
	case e.Function == "" && e.APIPath == "":
		return nil, bad("missing function or apiPath")
	case e.Function != "" && e.APIPath != "":
		return nil, bad("both function and apiPath")
	case e.APIPath != "" && e.HTTPMethod == "":
		return nil, bad("missing httpMethod")
	}
	name := e.Function
	if e.APIPath != "" {
		name = strings.TrimPrefix(e.APIPath, "/")
	}
	slots := parameterValues(&e)
	// A parameter (or body property) the model fills is never where an identity
	// token comes from: it is dropped from the turn, and never echoed.
	platform.TakeIdentityToken(slots)
	if len(slots) == 0 {
		slots = nil
	}
	token := strings.TrimSpace(e.SessionAttributes[conversation.IdentityField])
	return &Call{Wire: &e, plain: a.PlainText, turn: conversation.Turn{
		Platform:  Platform,
		Intent:    a.names.Resolve(name),
		RawIntent: name,
		Phase:     conversation.PhaseFulfill,
		Slots:     slots,
		SessionID: e.SessionID,
		TurnID:    turnID(&e, name, slots),
		Text:      e.InputText,
		// The agent sends no locale: the application may set one (BCP 47, "de-DE")
		// in sessionAttributes.locale, as it sets the identity token.
		Locale: strings.TrimSpace(e.SessionAttributes[LocaleAttribute]),

		IdentityToken: token,
	}}, nil
}

func bad(reason string) *platform.BadRequest { return platform.NewBadRequest(Platform, reason) }

// jsonReason says what is wrong with a body without echoing it.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "wrong type for " + te.Field
	}
	return "body is not a valid JSON Bedrock agent action group event"
}

// parameterValues reads the parameters and the JSON request body's properties (a
// property wins over a parameter of the same name), trimmed; empty values are left
// out.
func parameterValues(e *Event) map[string]string {
	out := map[string]string{}
	add := func(ps []Parameter) {
		for _, p := range ps {
			if v := strings.TrimSpace(p.Value); p.Name != "" && v != "" {
				out[p.Name] = v
			}
		}
	}
	add(e.Parameters)
	if e.RequestBody != nil {
		add(e.RequestBody.Content[ContentJSON].Properties)
	}
	return out
}

// turnID is the idempotency key of one invocation. The event carries no request id,
// so the key is sessionId:h<hash>, the hash (SHA-256, 128 bits shown) of the action
// group, the function or operation, the user's input and the parameter values: an
// identical call in the same session counts as a repeat of the earlier one.
func turnID(e *Event, name string, slots map[string]string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", e.ActionGroup, e.HTTPMethod, name, e.InputText)
	for _, k := range slices.Sorted(maps.Keys(slots)) {
		fmt.Fprintf(h, "\x00%s=%s", k, slots[k])
	}
	return e.SessionID + ":h" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Turn returns the decoded turn.
func (c *Call) Turn() conversation.Turn { return c.turn }

// Encode renders reply as the Lambda response (always status 200: the agent reads
// the answer from the body). Session and prompt session attributes are echoed
// without an identity token; the session attributes switchboard_outcome and
// switchboard_fallback carry the reply's outcome. SetSlots are not carried: the
// model fills the parameters again from the conversation.
//
// Both forms answer the tool API's result (see Body): the answer, whose prose names
// the fields holding any text a tool gave ("[tickets[0].subject]") instead of
// quoting it, and those fields as JSON data.
//
// Function details: the TEXT body is that result as a JSON document. A function's
// response has no other field for data, and Bedrock passes the TEXT body to the model
// as the function's result whatever it holds, so the model reads the records as JSON
// string values, as in the API-schema form. An elicit_slot reply is a REPROMPT whose
// result names the missing parameter (missing), so the model asks the user rather
// than guessing. A failure is the apology with no responseState: FAILURE would end
// the user's turn in a dependency failure exception and lose the apology.
//
// API schema: the application/json body is the result and the HTTP status code says
// the outcome: 200 fulfilled, 400 a missing or invalid parameter, 403 rejected, 404
// an operation that is no intent, 500 failed.
func (c *Call) Encode(reply conversation.Reply) (int, []byte, error) {
	switch reply.Outcome {
	case conversation.OutcomeFulfilled, conversation.OutcomeFailed, conversation.OutcomeUnknownIntent,
		conversation.OutcomeRejected, conversation.OutcomeDelegate:
	case conversation.OutcomeElicitSlot:
		if reply.SlotToElicit == "" {
			return 0, nil, errors.New("bedrockagent: elicit_slot reply without SlotToElicit")
		}
	default:
		return 0, nil, fmt.Errorf("bedrockagent: unknown outcome %q", reply.Outcome)
	}
	msgs := reply.Messages
	if len(msgs) == 0 && reply.Outcome != conversation.OutcomeDelegate {
		if d := platform.DefaultText(reply.Outcome, c.turn.Locale); d != "" {
			msgs = []string{d}
		}
	}
	attrs := withoutToken(c.Wire.SessionAttributes)
	maps.Copy(attrs, platform.LexAttributes(reply))
	resp := Response{
		MessageVersion:          MessageVersion,
		SessionAttributes:       attrs,
		PromptSessionAttributes: withoutToken(c.Wire.PromptSessionAttributes),
		Response:                ActionResponse{ActionGroup: c.Wire.ActionGroup},
	}
	doc, err := json.Marshal(body(reply, c.turn, msgs, c.plain))
	if err != nil {
		return 0, nil, err
	}
	if c.API() {
		resp.Response.APIPath, resp.Response.HTTPMethod = c.Wire.APIPath, c.Wire.HTTPMethod
		resp.Response.HTTPStatusCode = statusCode(reply.Outcome)
		resp.Response.ResponseBody = map[string]BodyString{ContentJSON: {Body: string(doc)}}
	} else {
		fr := &FunctionResponse{ResponseBody: map[string]BodyString{"TEXT": {Body: string(doc)}}}
		if reply.Outcome == conversation.OutcomeElicitSlot {
			fr.ResponseState = StateReprompt
		}
		resp.Response.Function, resp.Response.FunctionResponse = c.Wire.Function, fr
	}
	out, err := platform.EncodeJSON(&resp)
	if err != nil {
		return 0, nil, err
	}
	return 200, out, nil
}

// withoutToken copies attributes without an identity token (never an absent map:
// the response replaces the session's attributes).
func withoutToken(m map[string]string) map[string]string {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	delete(out, conversation.IdentityField)
	return out
}

func statusCode(o conversation.Outcome) int {
	switch o {
	case conversation.OutcomeElicitSlot:
		return 400
	case conversation.OutcomeRejected:
		return 403
	case conversation.OutcomeUnknownIntent:
		return 404
	case conversation.OutcomeFailed:
		return 500
	}
	return 200
}

// Body is the JSON document an API operation answers with, and a function's TEXT
// body: the tool API's result (shared/platform/toolapi), the same body POST
// /api/v1/<intent> answers. The answer is in the caller's language and, as separate
// fields, the structured parts whose text comes from tools (the verified owner's
// customer record and payment, tickets, articles), so that no tool text is merged
// into prose the model could take for instructions (the answer refers to those
// fields: "[customer.company]"); missing names the parameter to ask the user for
// (outcome elicit_slot).
type Body = toolapi.Result

func body(reply conversation.Reply, t conversation.Turn, msgs []string, plain bool) Body {
	in, _ := spec.Lookup(string(t.Intent))
	// One answer, its messages a line each, every line inert (the intents quote no
	// tool text to a model; a message is still never markup).
	reply.Messages = nil
	lines := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if m = plaintext.Inert(m); m != "" {
			lines = append(lines, m)
		}
	}
	if len(lines) > 0 {
		reply.Messages = []string{strings.Join(lines, "\n")}
	}
	if plain && reply.Rich != nil {
		// The records stay: the answer names them in place of the tool's text.
		rich := *reply.Rich
		rich.Choices = nil
		reply.Rich = &rich
	}
	return toolapi.ResultOf(reply, t, in)
}
