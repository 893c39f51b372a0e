// Package security guards the webhook endpoints: per-platform webhook authentication
// (basic auth, a header token or a query token, compared in constant time against a
// secret), token-bucket limits per client address and per conversation, and a JSON
// nesting-depth check that runs before any decoding.
package security
