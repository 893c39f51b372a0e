// Package demo is the embedded demo backend: one SQLite database (pure Go, no cgo),
// seeded from seed.json, that implements every connector interface — customers,
// tickets, payments and a full-text-searchable knowledge base — so Switchboard answers
// real questions locally without any external tool. It is what `switchboard serve`
// uses by default and what the connector contract suite is checked against first.
package demo
