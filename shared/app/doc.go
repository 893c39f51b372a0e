// Package app wires a whole Switchboard from its configuration: connectors, the intent
// handlers and the engine. `switchboard serve`, `switchboard invoke` and every Lambda
// function's main call Build, so they run the same stack.
package app
