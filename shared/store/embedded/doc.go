// Package embedded is the store.Store backend for local runs (`switchboard serve`): one
// SQLite file (pure Go, modernc.org/sqlite) with the same semantics as the DynamoDB
// backend — conditional create returning the existing record, expiry checked in code,
// in-progress lock take-over — so the idempotency and cache layers behave the same on a
// laptop as on Lambda.
package embedded
