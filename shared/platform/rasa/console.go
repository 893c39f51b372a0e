package rasa

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// simulator plays Rasa in the conversation console: the tracker (its slots and
// events) carries the conversation from one turn to the next.
var simulator = &platform.Simulator{Request: consoleRequest, Read: consoleRead}

type consoleCarry struct {
	Slots  map[string]any   `json:"slots"`
	Events []map[string]any `json:"events"`
}

func consoleRequest(t platform.ConsoleTurn) ([]byte, error) {
	var carry consoleCarry
	_ = json.Unmarshal(t.Carry, &carry)
	slots := map[string]any{}
	maps.Copy(slots, carry.Slots)
	at := t.At
	if at.IsZero() {
		at = time.Now()
	}
	now := float64(at.UnixMicro()) / 1e6
	entities := []any{}
	for _, k := range slices.Sorted(maps.Keys(t.Slots)) {
		slots[k] = t.Slots[k]
		entities = append(entities, map[string]any{"entity": k, "value": t.Slots[k], "extractor": "console"})
	}
	metadata := map[string]any{"language": t.Language}
	if t.Token != "" {
		metadata["identity_token"] = t.Token
	}
	rasaIntent := strings.TrimPrefix(t.Name, "action_")
	latest := map[string]any{
		"intent": map[string]any{"name": rasaIntent, "confidence": 1}, "entities": entities,
		"text": t.Text, "message_id": t.ID, "metadata": metadata,
	}
	events := slices.Clone(carry.Events)
	events = append(events, map[string]any{"event": "user", "timestamp": now, "text": t.Text,
		"parse_data":    map[string]any{"intent": latest["intent"], "entities": entities, "text": t.Text, "message_id": t.ID},
		"input_channel": "console", "message_id": t.ID, "metadata": metadata})
	for _, k := range slices.Sorted(maps.Keys(t.Slots)) {
		events = append(events, map[string]any{"event": "slot", "timestamp": now, "name": k, "value": t.Slots[k]})
	}
	// The conversation runs as a form per intent, so a reply that asks for a slot
	// says which (requested_slot), as Rasa forms do.
	loop := map[string]any{"name": rasaIntent + "_form"}
	req := map[string]any{
		"next_action": t.Name,
		"sender_id":   t.Session,
		"tracker": map[string]any{
			"sender_id": t.Session, "slots": slots, "latest_message": latest,
			"latest_event_time": now, "followup_action": nil, "paused": false, "events": events,
			"latest_input_channel": "console", "active_loop": loop,
			"latest_action": map[string]any{"action_name": "action_listen"}, "latest_action_name": "action_listen",
		},
		"domain":  map[string]any{"version": "3.1", "intents": []string{rasaIntent}, "actions": []string{t.Name}},
		"version": "3.6.20",
	}
	return json.MarshalIndent(req, "", "  ")
}

func consoleRead(request, reply []byte) (platform.View, json.RawMessage) {
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
	var v platform.View
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not JSON"
		return v, nil
	}
	for _, resp := range r.Responses {
		if resp.Text != "" {
			v.Texts = append(v.Texts, resp.Text)
		}
		for _, b := range resp.Buttons {
			v.Buttons = append(v.Buttons, platform.Button{Text: b.Title, Value: b.Payload, Link: b.URL})
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
	_ = json.Unmarshal(request, &req)
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
	carry, _ := json.Marshal(consoleCarry{Slots: slots, Events: events})
	return v, carry
}
