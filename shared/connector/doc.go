// Package connector is the normalized business model Switchboard works with (Customer,
// Ticket, Payment, Article), the interfaces every business tool implements over it, and
// the typed errors those implementations return. It has no dependencies, so every
// connector package (salesforce, hubspot, zendesk, stripe, sqldb, demo) and the intent
// handlers can import it.
package connector
