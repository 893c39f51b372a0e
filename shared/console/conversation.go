// Package console is the conversation console: a page served by `switchboard serve`
// at /console, its API, and the conversation model the page and `switchboard chat`
// share. A Conversation plays the platform: from the user's message and the
// platform's own state carried over from the previous reply (Dialogflow ES output
// contexts, CX session parameters, the Lex V2 session state, the Rasa tracker) it
// builds the exact webhook request the platform would send, and reads the reply the
// way the platform would.
package console

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents"
)

// Conversation is one conversation with one platform. It is plain data (the page
// keeps it between turns and sends it back); Carry is the platform's own state from
// the previous reply.
type Conversation struct {
	Platform conversation.Platform `json:"platform"`
	// Language is a BCP 47 tag (en, de, fr, es, pt-BR); each platform gets it in its
	// own field and form.
	Language string `json:"language"`
	Session  string `json:"session"`
	// Token is the identity token the site embedding the bot passes (signed in), or "".
	Token string `json:"token,omitempty"`
	// Intent is the intent in progress (canonical name), "" between intents.
	Intent string `json:"intent,omitempty"`
	// Elicit is the slot the last reply asked for, "" when none.
	Elicit string `json:"elicit,omitempty"`
	Turns  int    `json:"turns"`
	// Carry is the platform state the next request is built from.
	Carry json.RawMessage `json:"carry,omitempty"`
	// Names maps canonical intents to this platform's intent names (default: the
	// configuration's defaults).
	Names map[string]string `json:"names,omitempty"`
}

// Platforms the console can play, in the order the page lists them.
var Platforms = []conversation.Platform{conversation.DialogflowES, conversation.DialogflowCX, conversation.LexV2, conversation.Rasa}

// ParsePlatform accepts a platform's id or a short name (es, cx, lex, rasa).
func ParsePlatform(s string) (conversation.Platform, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "es", "dialogflow", "dialogflow-es":
		return conversation.DialogflowES, true
	case "cx", "dialogflow-cx":
		return conversation.DialogflowCX, true
	case "lex", "lexv2", "lex-v2":
		return conversation.LexV2, true
	case "rasa":
		return conversation.Rasa, true
	}
	return "", false
}

// New starts a conversation with a fresh session id.
func New(p conversation.Platform, language string, names config.Intents) *Conversation {
	if language == "" {
		language = "en"
	}
	c := &Conversation{Platform: p, Language: language, Session: "console-" + randomID(8), Names: map[string]string{}}
	for name, in := range names.Names(p) {
		// Several names may map to one intent: keep the first in sort order, stably.
		if cur, ok := c.Names[string(in)]; !ok || name < cur {
			c.Names[string(in)] = name
		}
	}
	return c
}

// Input is one user message, and optionally the intent the user names (skipping the
// console's keyword matching).
type Input struct {
	Text   string              `json:"text"`
	Intent conversation.Intent `json:"intent,omitempty"`
}

// Pending is a request built for one message, waiting for its reply.
type Pending struct {
	Body   []byte              `json:"-"`
	Intent conversation.Intent `json:"intent"`
	Slots  map[string]string   `json:"slots,omitempty"`
}

// Request builds the webhook request the platform would send for the message. It
// does not change c: Absorb the reply to move the conversation on.
func (c *Conversation) Request(in Input) (Pending, error) {
	if _, ok := ParsePlatform(string(c.Platform)); !ok {
		return Pending{}, fmt.Errorf("console: unknown platform %q", c.Platform)
	}
	if in.Intent != "" && !slices.Contains(conversation.Intents, in.Intent) {
		return Pending{}, fmt.Errorf("console: unknown intent %q", in.Intent)
	}
	intent, slots := understand(c, in.Text, in.Intent)
	name := c.Names[string(intent)]
	if name == "" {
		for n, i := range config.DefaultIntentNames().Names(c.Platform) {
			if i == intent && (name == "" || n < name) {
				name = n
			}
		}
	}
	t := turn{c: c, text: in.Text, intent: intent, name: name, slots: slots, id: randomID(16)}
	var v any
	switch c.Platform {
	case conversation.DialogflowES:
		v = t.dialogflow()
	case conversation.DialogflowCX:
		v = t.cx()
	case conversation.LexV2:
		v = t.lex()
	case conversation.Rasa:
		v = t.rasa()
	}
	b, err := json.MarshalIndent(v, "", "  ")
	return Pending{Body: b, Intent: intent, Slots: slots}, err
}

type turn struct {
	c      *Conversation
	text   string
	intent conversation.Intent
	name   string
	slots  map[string]string
	id     string
}

// language forms per platform.
func (c *Conversation) lexLocale() string {
	switch strings.ToLower(c.Language) {
	case "de", "de-de":
		return "de_DE"
	case "fr", "fr-fr":
		return "fr_FR"
	case "es", "es-es":
		return "es_ES"
	case "pt", "pt-br":
		return "pt_BR"
	case "en", "en-us", "":
		return "en_US"
	}
	return strings.ReplaceAll(c.Language, "-", "_")
}

// ---- Dialogflow ES ----

func (t turn) dialogflow() map[string]any {
	c := t.c
	session := "projects/switchboard-console/agent/sessions/" + c.Session
	var carry struct {
		OutputContexts []map[string]any `json:"outputContexts"`
	}
	_ = json.Unmarshal(c.Carry, &carry)
	// Dialogflow passes the contexts still alive: each turn takes one off their
	// lifespan.
	var contexts []map[string]any
	for _, ctx := range carry.OutputContexts {
		if n, ok := ctx["lifespanCount"].(float64); ok {
			if n <= 1 {
				continue
			}
			ctx["lifespanCount"] = n - 1
		}
		contexts = append(contexts, ctx)
	}
	params := map[string]any{}
	for k, v := range t.slots {
		params[k] = v
	}
	q := map[string]any{
		"queryText":                 t.text,
		"parameters":                params,
		"allRequiredParamsPresent":  true,
		"intent":                    map[string]any{"name": "projects/switchboard-console/agent/intents/" + string(t.intent), "displayName": t.name},
		"intentDetectionConfidence": 1,
		"languageCode":              c.Language,
	}
	if len(contexts) > 0 {
		q["outputContexts"] = contexts
	}
	req := map[string]any{"responseId": t.id, "session": session, "queryResult": q}
	payload := map[string]any{}
	if c.Token != "" {
		payload["identity_token"] = c.Token
	}
	req["originalDetectIntentRequest"] = map[string]any{"source": "switchboard-console", "payload": payload}
	return req
}

// ---- Dialogflow CX ----

func (t turn) cx() map[string]any {
	c := t.c
	var carry struct {
		Parameters map[string]any `json:"parameters"`
	}
	_ = json.Unmarshal(c.Carry, &carry)
	params := map[string]any{}
	maps.Copy(params, carry.Parameters)
	intentParams := map[string]any{}
	for k, v := range t.slots {
		params[k] = v
		intentParams[k] = map[string]any{"originalValue": v, "resolvedValue": v}
	}
	agent := "projects/switchboard-console/locations/global/agents/console"
	req := map[string]any{
		"detectIntentResponseId": t.id,
		"intentInfo": map[string]any{
			"lastMatchedIntent": agent + "/intents/" + string(t.intent),
			"displayName":       string(t.intent), "parameters": intentParams, "confidence": 1,
		},
		"sessionInfo":     map[string]any{"session": agent + "/sessions/" + c.Session, "parameters": params},
		"pageInfo":        t.cxPage(agent, params),
		"fulfillmentInfo": map[string]any{"tag": t.name},
		"text":            t.text,
		"languageCode":    c.Language,
	}
	if c.Token != "" {
		req["payload"] = map[string]any{"identity_token": c.Token}
	}
	return req
}

// cxPage is the page the console's agent is on: one page per intent whose form lists
// every parameter the intent may ask for (as the CX guide sets agents up), so a
// re-prompt can mark its parameter the way a real agent's form allows.
func (t turn) cxPage(agent string, params map[string]any) map[string]any {
	var info []any
	for _, name := range intents.ElicitedSlots(t.intent, true) {
		state := "EMPTY"
		if v, ok := params[name]; ok && v != nil && v != "" {
			state = "FILLED"
		}
		info = append(info, map[string]any{"displayName": name, "required": false, "state": state})
	}
	return map[string]any{
		"currentPage": agent + "/flows/00000000-0000-0000-0000-000000000000/pages/" + string(t.intent),
		"displayName": string(t.intent),
		"formInfo":    map[string]any{"parameterInfo": info},
	}
}

// ---- Lex V2 ----

func lexSlot(v string) map[string]any {
	return map[string]any{"shape": "Scalar", "value": map[string]any{"originalValue": v, "interpretedValue": v, "resolvedValues": []string{v}}}
}

func (t turn) lex() map[string]any {
	c := t.c
	var carry struct {
		SessionState map[string]any `json:"sessionState"`
	}
	_ = json.Unmarshal(c.Carry, &carry)
	state := carry.SessionState
	if state == nil {
		state = map[string]any{}
	}
	delete(state, "dialogAction")
	slots := map[string]any{}
	if in, ok := state["intent"].(map[string]any); ok && in["name"] == t.name && c.Intent == string(t.intent) {
		if s, ok := in["slots"].(map[string]any); ok {
			slots = s
		}
	}
	for k, v := range t.slots {
		slots[k] = lexSlot(v)
	}
	// Lex lists every slot the bot's intent defines, unfilled ones as null; the
	// console's bot defines each slot the intent may ask for.
	for _, name := range intents.ElicitedSlots(t.intent, true) {
		if _, ok := slots[name]; !ok {
			slots[name] = nil
		}
	}
	// The console's bot keeps the email in a session attribute and defaults the email
	// slot of every intent from it ([email] as the slot's default value), as Lex bots
	// are set up to do.
	attrs, _ := state["sessionAttributes"].(map[string]any)
	if attrs == nil {
		attrs = map[string]any{}
	}
	if e, ok := attrs["email"].(string); ok && e != "" && slots["email"] == nil {
		slots["email"] = lexSlot(e)
	}
	if e := t.slots["email"]; e != "" {
		attrs["email"] = e
	}
	if len(attrs) > 0 {
		state["sessionAttributes"] = attrs
	}
	intent := map[string]any{"name": t.name, "slots": slots, "state": "ReadyForFulfillment", "confirmationState": "None"}
	state["intent"] = intent
	state["originatingRequestId"] = t.id
	req := map[string]any{
		"messageVersion":      "1.0",
		"invocationSource":    "FulfillmentCodeHook",
		"inputMode":           "Text",
		"responseContentType": "text/plain; charset=utf-8",
		"sessionId":           c.Session,
		"inputTranscript":     t.text,
		"bot": map[string]any{"id": "CONSOLE", "name": "SwitchboardConsole", "aliasId": "TSTALIASID",
			"aliasName": "TestBotAlias", "localeId": c.lexLocale(), "version": "DRAFT"},
		"interpretations": []any{map[string]any{"interpretationSource": "Lex", "intent": intent, "nluConfidence": 1}},
		"sessionState":    state,
	}
	if c.Token != "" {
		req["requestAttributes"] = map[string]any{"identity_token": c.Token}
	}
	return req
}

// ---- Rasa ----

type rasaCarry struct {
	Slots  map[string]any   `json:"slots"`
	Events []map[string]any `json:"events"`
}

func (t turn) rasa() map[string]any {
	c := t.c
	var carry rasaCarry
	_ = json.Unmarshal(c.Carry, &carry)
	slots := map[string]any{}
	maps.Copy(slots, carry.Slots)
	now := float64(time.Now().UnixMicro()) / 1e6
	entities := []any{}
	for _, k := range slices.Sorted(maps.Keys(t.slots)) {
		slots[k] = t.slots[k]
		entities = append(entities, map[string]any{"entity": k, "value": t.slots[k], "extractor": "console"})
	}
	metadata := map[string]any{"language": c.Language}
	if c.Token != "" {
		metadata["identity_token"] = c.Token
	}
	rasaIntent := strings.TrimPrefix(t.name, "action_")
	latest := map[string]any{
		"intent": map[string]any{"name": rasaIntent, "confidence": 1}, "entities": entities,
		"text": t.text, "message_id": t.id, "metadata": metadata,
	}
	events := slices.Clone(carry.Events)
	events = append(events, map[string]any{"event": "user", "timestamp": now, "text": t.text,
		"parse_data":    map[string]any{"intent": latest["intent"], "entities": entities, "text": t.text, "message_id": t.id},
		"input_channel": "console", "message_id": t.id, "metadata": metadata})
	for _, k := range slices.Sorted(maps.Keys(t.slots)) {
		events = append(events, map[string]any{"event": "slot", "timestamp": now, "name": k, "value": t.slots[k]})
	}
	// The conversation runs as a form per intent, so a reply that asks for a slot
	// says which (requested_slot), as Rasa forms do.
	loop := map[string]any{"name": rasaIntent + "_form"}
	return map[string]any{
		"next_action": t.name,
		"sender_id":   c.Session,
		"tracker": map[string]any{
			"sender_id": c.Session, "slots": slots, "latest_message": latest,
			"latest_event_time": now, "followup_action": nil, "paused": false, "events": events,
			"latest_input_channel": "console", "active_loop": loop,
			"latest_action": map[string]any{"action_name": "action_listen"}, "latest_action_name": "action_listen",
		},
		"domain":  map[string]any{"version": "3.1", "intents": []string{rasaIntent}, "actions": []string{t.name}},
		"version": "3.6.20",
	}
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
