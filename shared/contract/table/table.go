// Package table is the DynamoDB table's schema: the key and attribute names, the key
// prefixes that scope each function to its own items, and the actions the functions
// need. shared/store, shared/identity, the moto test helpers and the CDK app (infra/)
// all read it, so the table a test creates has the key schema production has. No
// dependency beyond the standard library.
package table

const (
	// DefaultName is the table used when the configuration names none.
	DefaultName = "switchboard"
	// PartitionKey is the only key attribute (a string); there is no sort key.
	PartitionKey = "id"
	// PartitionKeyType is the DynamoDB scalar type of PartitionKey.
	PartitionKeyType = "S"
	// TTLAttribute holds the epoch-seconds expiry DynamoDB's TTL deletes by.
	TTLAttribute = "expiration"
	// BillingMode is on-demand: traffic follows chat volume, which is spiky.
	BillingMode = "PAY_PER_REQUEST"

	// Non-key attributes (Powertools names where Powertools has one).
	AttrStatus               = "status"
	AttrInProgressExpiration = "in_progress_expiration" // epoch milliseconds
	AttrPayloadHash          = "validation"
	AttrData                 = "data"
	AttrFetchedAt            = "fetched_at" // epoch milliseconds

	// IdentityPrefix starts every key of the identity layer ("identity#…"): the
	// functions that verify callers may touch those items too.
	IdentityPrefix = "identity"
)

// KeyPrefix is the prefix of every key a function writes: "<function>#".
func KeyPrefix(function string) string { return function + "#" }

// LeadingKeysPattern is the dynamodb:LeadingKeys StringLike value that limits a
// function's role to its own items.
func LeadingKeysPattern(function string) string { return KeyPrefix(function) + "*" }

// DataActions are the DynamoDB actions the functions need on the table (to be scoped
// with dynamodb:LeadingKeys to "<function>#*"). A write's claim is a TransactWriteItems
// of a ConditionCheck and a Put, which IAM authorizes item by item as
// dynamodb:ConditionCheckItem and dynamodb:PutItem.
func DataActions() []string {
	return []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}
}
