// Package router is the single Lambda entry for platforms that call one URL or one
// Lambda for every intent (Lex V2 locale code hooks, the Dialogflow ES agent webhook,
// the Rasa action endpoint): it reads the intent name from the raw event, invokes that
// intent function's `live` alias synchronously with the same event, and returns its
// answer verbatim. Intents that are unknown or outside the rollout stage get a polite,
// platform-valid reply rendered by the platform adapters.
package router
