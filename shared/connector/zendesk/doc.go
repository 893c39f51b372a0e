// Package zendesk implements connector.Helpdesk and connector.KnowledgeBase over
// Zendesk's REST API: tickets are created with POST /api/v2/tickets.json, deduplicated
// by external_id (the turn's idempotency key); a requester's open tickets are read from
// /api/v2/users/{id}/tickets/requested.json after finding the user by email; knowledge
// base answers come from the Help Center article search. Zendesk's payloads are mapped
// onto the connector model in one place (normalize.go). Package zdtest is an in-process
// stand-in server that follows the same documented API.
package zendesk
