// Package lambdafn adapts the engine to AWS Lambda: one handler that accepts an API
// Gateway HTTP API (payload 2.0) event carrying a Dialogflow ES/CX or Rasa webhook, or
// a direct Lex V2 code-hook invocation, and answers in kind.
package lambdafn
