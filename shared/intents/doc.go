// Package intents holds the four intent handlers — lookup customer, create ticket,
// verify payment, search knowledge base — written against the connector interfaces and
// the platform-neutral Turn and Reply. They validate slots (a missing or malformed slot
// is re-prompted, never sent to a business tool) and turn connector failures into
// honest replies with a manual alternative.
//
// Each intent's contract is its folder, shared/intents/<name> (shared/intents/spec);
// its handler is the file shared/intents/<name>.go, which registers it by intent
// (register): Service.Handle dispatches through that registry and Service.Writes binds
// the writes to the idempotency layer, whose own answers the intents word (Refusal).
package intents
