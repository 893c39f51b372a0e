// Package dialogflow speaks the Dialogflow ES (v2) fulfillment webhook: it decodes a
// WebhookRequest into a conversation.Turn and encodes a conversation.Reply as a
// WebhookResponse. Dialogflow parses the response strictly as proto JSON, so the
// response types carry only fields of the v2 WebhookResponse, in camelCase.
//
// Slot values travel between turns in one output context, <session>/contexts/switchboard;
// a slot to ask for again is elicited with the follow-up event elicit_<slot>.
package dialogflow
