// Package router is the single Lambda entry for platforms that call one URL or one
// Lambda for every intent (Lex V2 locale code hooks, the Dialogflow ES agent webhook,
// the Rasa action endpoint): it admits each call through the one front door
// (server.Door: credentials, size, budget, inflation, depth, decoding), invokes the
// decoded intent's function `live` alias synchronously with the admitted turn in an
// internal envelope (lambdafn.Envelope), and returns its answer verbatim. Intents that
// are unknown or outside the rollout stage get a polite, platform-valid reply rendered
// by the platform adapters.
package router
