// Package registry builds the connectors a configuration asks for: the secrets
// provider, one client per business tool in use, and the four capabilities
// (customers, tickets, payments, kb) served by them, plus the list of tools that
// `switchboard check` pings. It knows no connector package: each registers itself
// from its init (Register), like a database/sql driver, so a binary contains exactly
// the tools its main imports.
package registry
