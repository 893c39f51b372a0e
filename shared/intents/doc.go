// Package intents holds the four intent handlers — lookup customer, create ticket,
// verify payment, search knowledge base — written against the connector interfaces and
// the platform-neutral Turn and Reply. They validate slots (a missing or malformed slot
// is re-prompted, never sent to a business tool) and turn connector failures into
// honest replies with a manual alternative.
package intents
