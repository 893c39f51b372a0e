// Package lambdafn adapts the engine to AWS Lambda: one handler that accepts an API
// Gateway HTTP API (payload 2.0) event carrying a Dialogflow ES/CX or Rasa webhook, a
// direct Lex V2 code-hook invocation, a direct invocation by another platform that
// invokes Lambda itself (a Bedrock agent's action group, told by its shape:
// platform.Entry.Invoked), or the router's envelope of a turn it admitted (direct
// Invoke only), and answers in kind. Every kind passes the same front door
// (server.Door); the envelope skips only the credentials the router checked.
package lambdafn
