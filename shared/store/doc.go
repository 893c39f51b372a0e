// Package store is the one-table storage behind idempotency records and the read cache:
// the Record shape, the Store interface both backends implement (DynamoDB in
// store/dynamostore, SQLite in store/embedded), the key layout that lets each Lambda's
// role be scoped to its own "<function>#" items, and the table schema shared with the
// CDK app.
package store
