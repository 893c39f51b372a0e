// Package rasa speaks the Rasa custom-action-server protocol (the one rasa-sdk serves):
// it decodes the action call Rasa posts for a custom action, routed by next_action,
// into a conversation.Turn and encodes a conversation.Reply as the action server's
// response, {"events": [...], "responses": [...]}, or as rasa-sdk's error shapes (404
// for an unknown action, 400 for a rejected one). The tracker's event history, which
// can run to tens of thousands of events, is never decoded into Go values.
package rasa
