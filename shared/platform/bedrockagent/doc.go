// Package bedrockagent speaks the Lambda contract of an Amazon Bedrock agent's action
// group: it decodes the input event, in either form an action group is defined in —
// function details (function, parameters) or an OpenAPI schema (apiPath, httpMethod,
// parameters, requestBody) — into a conversation.Turn, and encodes a
// conversation.Reply as the matching response: functionResponse with a TEXT body, or
// httpStatusCode with an application/json body.
//
// Identity comes only from sessionAttributes.identity_token, which the application
// that calls InvokeAgent sets (and must set on every call: it is never returned). A
// parameter or request body property named identity_token — something the model
// fills in — is dropped, never read, never echoed.
//
// Tool-sourced text (names, ticket subjects, article titles) reaches the model as
// data: both forms answer the tool API's result as JSON (the API-schema form's
// application/json body, the function form's TEXT body), with that text in fields of
// its own, inert (shared/platform/plaintext); the answer's prose names those fields
// ("[tickets[0].subject]") instead of quoting them (shared/intents).
//
// Shapes, from AWS's documentation: "Configure Lambda functions to send information
// that an Amazon Bedrock agent elicits from the user" (Bedrock user guide,
// agents-lambda: input event and response of both forms, responseState FAILURE |
// REPROMPT for functions), and the agent runtime API reference's FunctionResult and
// ApiResult (responseState, responseBody keyed by content type; TEXT for functions).
// testdata/README.md lists them with the sample events built from them.
package bedrockagent
