package rasa

import (
	"encoding/json"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// The wire types of the Rasa action server protocol: the body Rasa's RemoteAction
// posts (tracker.current_state(EventVerbosity.ALL) plus next_action, sender_id, domain
// and version) and the body rasa-sdk answers with. Field names are as on the wire.
// Values whose shape depends on the bot (slot values, entity values, the domain, the
// event history) stay raw JSON.

// ActionCall is the body Rasa posts to the action endpoint.
type ActionCall struct {
	NextAction string   `json:"next_action"`
	SenderID   string   `json:"sender_id"`
	Tracker    *Tracker `json:"tracker"`
	// Domain is absent when the endpoint enables selective domain and the action does
	// not ask for it.
	Domain  json.RawMessage `json:"domain,omitempty"`
	Version string          `json:"version"`
}

// Tracker is the conversation state Rasa sends with every action call.
type Tracker struct {
	SenderID string `json:"sender_id"`
	// Slots holds every domain slot; unset slots are null.
	Slots         map[string]json.RawMessage `json:"slots"`
	LatestMessage *Message                   `json:"latest_message"`
	// LatestEventTime is the timestamp of the last event (Unix seconds as a float), or
	// null for an empty tracker. It is kept as the literal Rasa sent.
	LatestEventTime json.Number `json:"latest_event_time"`
	FollowupAction  *string     `json:"followup_action"`
	Paused          bool        `json:"paused"`
	// Events is the whole event history, kept undecoded: it can hold tens of
	// thousands of events and Switchboard needs none of them.
	Events             json.RawMessage `json:"events"`
	LatestInputChannel *string         `json:"latest_input_channel"`
	// ActiveLoop is the active form; {} (a zero Name) when none is active.
	ActiveLoop       *ActiveLoop   `json:"active_loop"`
	LatestAction     *LatestAction `json:"latest_action"`
	LatestActionName *string       `json:"latest_action_name"`
}

// Message is the parse data of the latest user message.
type Message struct {
	Intent        *Intent         `json:"intent"`
	Entities      []Entity        `json:"entities"`
	Text          string          `json:"text"`
	MessageID     string          `json:"message_id"`
	IntentRanking []Intent        `json:"intent_ranking,omitempty"`
	Metadata      json.RawMessage `json:"metadata,omitempty"`
}

// Intent is a classified intent.
type Intent struct {
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"`
}

// Entity is an entity extracted from the latest message.
type Entity struct {
	Entity           string          `json:"entity"`
	Value            json.RawMessage `json:"value"`
	Start            *int            `json:"start,omitempty"`
	End              *int            `json:"end,omitempty"`
	Extractor        string          `json:"extractor,omitempty"`
	ConfidenceEntity *float64        `json:"confidence_entity,omitempty"`
	Role             string          `json:"role,omitempty"`
	Group            string          `json:"group,omitempty"`
}

// ActiveLoop is the form (loop) that is currently active.
type ActiveLoop struct {
	Name           string          `json:"name,omitempty"`
	Validate       *bool           `json:"validate,omitempty"`
	Rejected       *bool           `json:"rejected,omitempty"`
	TriggerMessage json.RawMessage `json:"trigger_message,omitempty"`
}

// LatestAction is the last action run: a named action or an end-to-end action text.
type LatestAction struct {
	ActionName string `json:"action_name,omitempty"`
	ActionText string `json:"action_text,omitempty"`
}

// ActionResponse is the 200 body of an action server.
type ActionResponse struct {
	Events    []Event    `json:"events"`
	Responses []Response `json:"responses"`
	// Switchboard is the reply's outcome. Rasa validates only events and responses
	// (RemoteAction.action_response_format_spec lists them without forbidding other
	// keys) and reads nothing else, so the key reaches the smoke hook and the router
	// without a tracker event or an utterance.
	Switchboard *platform.WireOutcome `json:"switchboard,omitempty"`
}

// Event is an event for Rasa to apply to the tracker. Switchboard returns only slot
// events, shaped as rasa_sdk.events.SlotSet.
type Event struct {
	Event     string   `json:"event"`
	Timestamp *float64 `json:"timestamp"`
	Name      string   `json:"name"`
	// Value is the slot's new value; null resets the slot.
	Value *string `json:"value"`
}

// Response is a message for Rasa to utter to the user: its text, optionally with
// buttons (rasa-sdk's utter_message buttons) and a custom payload the channel passes
// to its front end as is.
type Response struct {
	Text    string          `json:"text"`
	Buttons []Button        `json:"buttons,omitempty"`
	Custom  json.RawMessage `json:"custom,omitempty"`
}

// Button is a button of a response. Payload is what Rasa receives when it is pressed;
// a link button also carries URL and Type "web_url", which the channels that open links
// (Facebook, and web chat widgets) use.
type Button struct {
	Title   string `json:"title"`
	Payload string `json:"payload"`
	URL     string `json:"url,omitempty"`
	Type    string `json:"type,omitempty"`
}

// ActionError is the body of rasa-sdk's 400 (ActionExecutionRejection) and 404
// (ActionNotFoundException) answers.
type ActionError struct {
	Error      string `json:"error"`
	ActionName string `json:"action_name"`
	// Switchboard is the reply's outcome (Rasa reads only action_name and error).
	Switchboard *platform.WireOutcome `json:"switchboard,omitempty"`
}

// ActionInfo is one item of rasa-sdk's GET /actions list.
type ActionInfo struct {
	Name string `json:"name"`
}

// EventSlot is the type of a slot event.
const EventSlot = "slot"

// RequestedSlot is the slot in which an active form keeps the name of the slot it is
// asking for.
const RequestedSlot = "requested_slot"
