// Package lambdafn adapts the engine to AWS Lambda: one handler that accepts an API
// Gateway HTTP API (payload 2.0) event carrying a Dialogflow ES/CX or Rasa webhook, a
// direct Lex V2 code-hook invocation, or the router's envelope of a turn it admitted
// (direct Invoke only), and answers in kind. Every kind passes the same front door
// (server.Door); the envelope skips only the credentials the router checked.
package lambdafn
