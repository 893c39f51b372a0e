package lexv2

import (
	"encoding/json"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// simulator plays Amazon Lex V2 in the conversation console: the session state
// (the intent's slots, the session attributes) carries the conversation from one
// turn to the next. It is the platform `switchboard chat` plays when none is named.
var simulator = &platform.Simulator{Short: []string{"lex-v2"}, Default: true, Request: consoleRequest, Read: consoleRead}

// consoleLocale is the Lex locale id of a BCP 47 tag.
func consoleLocale(language string) string {
	switch strings.ToLower(language) {
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
	return strings.ReplaceAll(language, "-", "_")
}

func consoleSlot(v string) map[string]any {
	return map[string]any{"shape": "Scalar", "value": map[string]any{"originalValue": v, "interpretedValue": v, "resolvedValues": []string{v}}}
}

func consoleRequest(t platform.ConsoleTurn) ([]byte, error) {
	var carry struct {
		SessionState map[string]any `json:"sessionState"`
	}
	_ = json.Unmarshal(t.Carry, &carry)
	state := carry.SessionState
	if state == nil {
		state = map[string]any{}
	}
	delete(state, "dialogAction")
	slots := map[string]any{}
	if in, ok := state["intent"].(map[string]any); ok && in["name"] == t.Name && t.Continues {
		if s, ok := in["slots"].(map[string]any); ok {
			slots = s
		}
	}
	for k, v := range t.Slots {
		slots[k] = consoleSlot(v)
	}
	// Lex lists every slot the bot's intent defines, unfilled ones as null; the
	// console's bot defines each slot the intent may ask for.
	for _, name := range t.Form {
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
		slots["email"] = consoleSlot(e)
	}
	if e := t.Slots["email"]; e != "" {
		attrs["email"] = e
	}
	if len(attrs) > 0 {
		state["sessionAttributes"] = attrs
	}
	intent := map[string]any{"name": t.Name, "slots": slots, "state": "ReadyForFulfillment", "confirmationState": "None"}
	state["intent"] = intent
	state["originatingRequestId"] = t.ID
	req := map[string]any{
		"messageVersion":      "1.0",
		"invocationSource":    "FulfillmentCodeHook",
		"inputMode":           "Text",
		"responseContentType": "text/plain; charset=utf-8",
		"sessionId":           t.Session,
		"inputTranscript":     t.Text,
		"bot": map[string]any{"id": "CONSOLE", "name": "SwitchboardConsole", "aliasId": "TSTALIASID",
			"aliasName": "TestBotAlias", "localeId": consoleLocale(t.Language), "version": "DRAFT"},
		"interpretations": []any{map[string]any{"interpretationSource": "Lex", "intent": intent, "nluConfidence": 1}},
		"sessionState":    state,
	}
	if t.Token != "" {
		req["requestAttributes"] = map[string]any{"identity_token": t.Token}
	}
	return json.MarshalIndent(req, "", "  ")
}

func consoleRead(_, reply []byte) (platform.View, json.RawMessage) {
	var r struct {
		SessionState map[string]any `json:"sessionState"`
		Messages     []struct {
			ContentType       string `json:"contentType"`
			Content           string `json:"content"`
			ImageResponseCard *struct {
				Title    string `json:"title"`
				Subtitle string `json:"subtitle"`
				Buttons  []struct {
					Text  string `json:"text"`
					Value string `json:"value"`
				} `json:"buttons"`
			} `json:"imageResponseCard"`
		} `json:"messages"`
	}
	var v platform.View
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not JSON"
		return v, nil
	}
	for _, m := range r.Messages {
		switch {
		case m.ImageResponseCard != nil:
			card := platform.Card{Title: m.ImageResponseCard.Title, Subtitle: m.ImageResponseCard.Subtitle}
			for _, b := range m.ImageResponseCard.Buttons {
				btn := platform.Button{Text: b.Text, Value: b.Value}
				if strings.HasPrefix(b.Value, "https://") || strings.HasPrefix(b.Value, "http://") {
					btn.Link = b.Value
				}
				card.Buttons = append(card.Buttons, btn)
			}
			v.Cards = append(v.Cards, card)
		case m.Content != "":
			v.Texts = append(v.Texts, m.Content)
		}
	}
	if da, ok := r.SessionState["dialogAction"].(map[string]any); ok && da["type"] == "ElicitSlot" {
		v.Elicit, _ = da["slotToElicit"].(string)
	}
	carry, _ := json.Marshal(map[string]any{"sessionState": r.SessionState})
	return v, carry
}
