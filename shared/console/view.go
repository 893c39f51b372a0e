package console

import (
	"encoding/json"
	"maps"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// View is a reply as the channel shows it: its texts, cards and buttons. Every
// string in it is data from the reply (from the tools, in the end): the page puts it
// in the document as text, never as markup.
type View struct {
	Texts   []string `json:"texts"`
	Cards   []Card   `json:"cards,omitempty"`
	Buttons []Button `json:"buttons,omitempty"`
	// Elicit is the slot the reply asks for, "" when none.
	Elicit string `json:"elicit,omitempty"`
	// Error is the error a non-2xx reply carries.
	Error string `json:"error,omitempty"`
}

// Card is a rich card: an article, a created ticket.
type Card struct {
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle,omitempty"`
	Link     string   `json:"link,omitempty"`
	Buttons  []Button `json:"buttons,omitempty"`
}

// Button is a button or a suggestion chip: Value is what a click sends back, Link a
// page it opens.
type Button struct {
	Text  string `json:"text"`
	Value string `json:"value,omitempty"`
	Link  string `json:"link,omitempty"`
}

// Text is the view's texts, one a line.
func (v View) Text() string { return strings.Join(v.Texts, "\n") }

// Absorb reads the platform's reply to p and moves the conversation on: the
// platform's state to carry into the next request, the slot asked for, the intent
// still in progress.
func (c *Conversation) Absorb(p Pending, status int, reply []byte) View {
	c.Turns++
	var v View
	if status < 200 || status > 299 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(reply, &e)
		v.Error = e.Error
		if v.Error == "" {
			v.Error = strings.TrimSpace(string(reply))
		}
		c.Elicit = ""
		return v
	}
	switch c.Platform {
	case conversation.DialogflowES:
		v = c.absorbES(p, reply)
	case conversation.DialogflowCX:
		v = c.absorbCX(p, reply)
	case conversation.LexV2:
		v = c.absorbLex(reply)
	case conversation.Rasa:
		v = c.absorbRasa(p, reply)
	}
	c.Elicit = v.Elicit
	c.Intent = ""
	if v.Elicit != "" {
		c.Intent = string(p.Intent)
	}
	return v
}

// richContent reads Dialogflow Messenger's richContent (ES and CX): info items are
// cards, a button item after one its link, chips the buttons.
func richContent(v *View, raw json.RawMessage) {
	var p struct {
		RichContent [][]struct {
			Type       string `json:"type"`
			Title      string `json:"title"`
			Subtitle   string `json:"subtitle"`
			Text       string `json:"text"`
			ActionLink string `json:"actionLink"`
			Link       string `json:"link"`
			Anchor     *struct {
				Href string `json:"href"`
			} `json:"anchor"`
			Options []struct {
				Text string `json:"text"`
			} `json:"options"`
		} `json:"richContent"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return
	}
	for _, group := range p.RichContent {
		var card *Card
		for _, it := range group {
			link := it.ActionLink
			if link == "" {
				link = it.Link
			}
			if it.Anchor != nil && link == "" {
				link = it.Anchor.Href
			}
			switch it.Type {
			case "info":
				v.Cards = append(v.Cards, Card{Title: it.Title, Subtitle: it.Subtitle, Link: link})
				card = &v.Cards[len(v.Cards)-1]
			case "button":
				b := Button{Text: it.Text, Link: link}
				if card != nil {
					card.Buttons = append(card.Buttons, b)
				} else {
					v.Buttons = append(v.Buttons, b)
				}
			case "chips":
				for _, o := range it.Options {
					v.Buttons = append(v.Buttons, Button{Text: o.Text, Value: o.Text})
				}
			}
		}
	}
}

type dfMessage struct {
	Text *struct {
		Text []string `json:"text"`
	} `json:"text"`
	Payload json.RawMessage `json:"payload"`
}

func (c *Conversation) absorbES(p Pending, reply []byte) View {
	var r struct {
		FulfillmentMessages []dfMessage       `json:"fulfillmentMessages"`
		FulfillmentText     string            `json:"fulfillmentText"`
		OutputContexts      []json.RawMessage `json:"outputContexts"`
		FollowupEventInput  *struct {
			Name string `json:"name"`
		} `json:"followupEventInput"`
	}
	var v View
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not JSON"
		return v
	}
	for _, m := range r.FulfillmentMessages {
		if m.Text != nil {
			v.Texts = append(v.Texts, m.Text.Text...)
		}
		if len(m.Payload) > 0 {
			richContent(&v, m.Payload)
		}
	}
	if len(v.Texts) == 0 && r.FulfillmentText != "" {
		v.Texts = []string{r.FulfillmentText}
	}
	if f := r.FollowupEventInput; f != nil {
		v.Elicit = strings.TrimPrefix(f.Name, "elicit_")
	}
	// The contexts the reply sets are what the agent holds for the next turn; those
	// the request had and it does not mention keep their remaining lifespan.
	var prev struct {
		QueryResult struct {
			OutputContexts []json.RawMessage `json:"outputContexts"`
		} `json:"queryResult"`
	}
	_ = json.Unmarshal(p.Body, &prev)
	byName := map[string]json.RawMessage{}
	var order []string
	for _, list := range [][]json.RawMessage{prev.QueryResult.OutputContexts, r.OutputContexts} {
		for _, raw := range list {
			var n struct {
				Name string `json:"name"`
			}
			_ = json.Unmarshal(raw, &n)
			if _, ok := byName[n.Name]; !ok {
				order = append(order, n.Name)
			}
			byName[n.Name] = raw
		}
	}
	ctxs := make([]json.RawMessage, 0, len(order))
	for _, n := range order {
		ctxs = append(ctxs, byName[n])
	}
	c.Carry, _ = json.Marshal(map[string]any{"outputContexts": ctxs})
	return v
}

func (c *Conversation) absorbCX(p Pending, reply []byte) View {
	var r struct {
		FulfillmentResponse *struct {
			Messages []dfMessage `json:"messages"`
		} `json:"fulfillmentResponse"`
		SessionInfo *struct {
			Parameters map[string]any `json:"parameters"`
		} `json:"sessionInfo"`
		PageInfo *struct {
			FormInfo *struct {
				ParameterInfo []struct {
					DisplayName string `json:"displayName"`
					State       string `json:"state"`
				} `json:"parameterInfo"`
			} `json:"formInfo"`
		} `json:"pageInfo"`
	}
	var v View
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not JSON"
		return v
	}
	if f := r.FulfillmentResponse; f != nil {
		for _, m := range f.Messages {
			if m.Text != nil {
				v.Texts = append(v.Texts, m.Text.Text...)
			}
			if len(m.Payload) > 0 {
				richContent(&v, m.Payload)
			}
		}
	}
	if p := r.PageInfo; p != nil && p.FormInfo != nil {
		for _, pi := range p.FormInfo.ParameterInfo {
			if pi.State == "INVALID" || pi.State == "EMPTY" {
				v.Elicit = pi.DisplayName
				break
			}
		}
	}
	// CX keeps the session's parameters (those the request carried) across turns;
	// the webhook's are merged in, a null deleting one.
	var prev struct {
		SessionInfo struct {
			Parameters map[string]any `json:"parameters"`
		} `json:"sessionInfo"`
	}
	_ = json.Unmarshal(p.Body, &prev)
	params := map[string]any{}
	maps.Copy(params, prev.SessionInfo.Parameters)
	if r.SessionInfo != nil {
		for k, val := range r.SessionInfo.Parameters {
			if val == nil {
				delete(params, k)
			} else {
				params[k] = val
			}
		}
	}
	c.Carry, _ = json.Marshal(map[string]any{"parameters": params})
	return v
}

func (c *Conversation) absorbLex(reply []byte) View {
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
	var v View
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not JSON"
		return v
	}
	for _, m := range r.Messages {
		switch {
		case m.ImageResponseCard != nil:
			card := Card{Title: m.ImageResponseCard.Title, Subtitle: m.ImageResponseCard.Subtitle}
			for _, b := range m.ImageResponseCard.Buttons {
				btn := Button{Text: b.Text, Value: b.Value}
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
	c.Carry, _ = json.Marshal(map[string]any{"sessionState": r.SessionState})
	return v
}

func (c *Conversation) absorbRasa(p Pending, reply []byte) View {
	var r struct {
		Events    []map[string]any `json:"events"`
		Responses []struct {
			Text    string `json:"text"`
			Buttons []struct {
				Title   string `json:"title"`
				Payload string `json:"payload"`
				URL     string `json:"url"`
			} `json:"buttons"`
		} `json:"responses"`
	}
	var v View
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not JSON"
		return v
	}
	for _, resp := range r.Responses {
		if resp.Text != "" {
			v.Texts = append(v.Texts, resp.Text)
		}
		for _, b := range resp.Buttons {
			v.Buttons = append(v.Buttons, Button{Text: b.Title, Value: b.Payload, Link: b.URL})
		}
	}
	// The tracker Rasa keeps: the request's events and slots, then the action's.
	var req struct {
		Tracker struct {
			Slots  map[string]any   `json:"slots"`
			Events []map[string]any `json:"events"`
		} `json:"tracker"`
		NextAction string `json:"next_action"`
	}
	_ = json.Unmarshal(p.Body, &req)
	slots := req.Tracker.Slots
	if slots == nil {
		slots = map[string]any{}
	}
	events := append(req.Tracker.Events, map[string]any{"event": "action", "name": req.NextAction})
	for _, e := range r.Events {
		events = append(events, e)
		if e["event"] == "slot" {
			name, _ := e["name"].(string)
			if name == "requested_slot" {
				v.Elicit, _ = e["value"].(string)
				continue
			}
			if e["value"] == nil {
				delete(slots, name)
			} else {
				slots[name] = e["value"]
			}
		}
	}
	for _, t := range v.Texts {
		events = append(events, map[string]any{"event": "bot", "text": t})
	}
	events = append(events, map[string]any{"event": "action", "name": "action_listen"})
	c.Carry, _ = json.Marshal(rasaCarry{Slots: slots, Events: events})
	return v
}
