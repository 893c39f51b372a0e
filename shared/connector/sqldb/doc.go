// Package sqldb implements connector.CustomerDirectory, connector.CustomerUpdater and
// connector.Helpdesk over a PostgreSQL database through a pgx connection pool sized
// for AWS Lambda: open it once per process (outside the handler) and every invocation
// of the warm function reuses its connections. The tables it reads and writes are created by Migrate from the
// embedded schema.sql; a company with its own schema can expose views of the same
// names instead.
package sqldb
