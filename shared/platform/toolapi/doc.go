// Package toolapi is the tool API: every intent as a JSON operation for LLM agents,
// Dialogflow CX playbook tools and custom chatbots. POST /api/v1/<intent> takes the
// intent's slots as JSON properties and answers a JSON result (the answer in the
// caller's language, the outcome, the structured parts of the reply as data fields,
// and the missing inputs with their prompts); GET /openapi.json describes every
// operation (OpenAPI 3.1, generated from the intent registry). Credentials are
// "Authorization: Bearer"; the end user's identity token comes only from the
// X-Switchboard-Identity header, never from the body. The MCP server
// (shared/platform/toolapi/mcp) offers the same operations as MCP tools.
package toolapi
