// Package registry builds the connectors a configuration asks for: the secrets
// provider, one client per business tool in use, and the four capabilities
// (customers, tickets, payments, kb) served by them, plus the list of tools that
// `switchboard check` pings. It is the one place that knows every connector package.
package registry
