// Package intents answers the intents — lookup customer, create ticket, verify
// payment, search knowledge base, update customer — over the connector interfaces and
// the platform-neutral Turn and Reply. It validates slots (a missing or malformed slot
// is re-prompted, never sent to a business tool), applies the identity policy, and
// turns connector failures into honest replies with a manual alternative.
//
// Each intent is one folder, shared/intents/<name>: its contract (the leaf package
// itself, registered with shared/intents/spec, with its reply catalogues under
// locales/) and its handler (the package <name>/handler, which registers its answer by
// intent: Register). Service.Handle dispatches through that registry and
// Service.Writes binds the writes to the idempotency layer, whose own answers the
// intents word (Refusal). A binary answers the intents whose handlers it imports: an
// intent's function its own, everything else that answers every intent the generated
// list shared/intents/handlers (go generate ./shared/intents: shared/intents/gen).
package intents

// The lists of the intents' folders, shared/intents/all and shared/intents/handlers.
//
//go:generate go run ./gen
