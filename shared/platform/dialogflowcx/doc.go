// Package dialogflowcx speaks the Dialogflow CX (v3) webhook: it decodes a
// WebhookRequest, routed by its fulfillment tag, into a conversation.Turn and encodes a
// conversation.Reply as a WebhookResponse that replaces the fulfillment messages,
// updates session parameters (null deletes one) and, to ask for a slot again, marks the
// form parameter INVALID. Field names are accepted in camelCase and snake_case.
package dialogflowcx
