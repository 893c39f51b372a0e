package store

// The DynamoDB table schema. The CDK app and dynamotable.CreateTable both read these, so the table
// a test creates on moto has the key schema production has.
const (
	// DefaultTableName is the table used when the configuration names none.
	DefaultTableName = "switchboard"
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
)

// DataActions are the DynamoDB actions the functions need on the table (to be scoped
// with dynamodb:LeadingKeys to "<function>#*"). A write's claim is a TransactWriteItems
// of a ConditionCheck and a Put, which IAM authorizes item by item as
// dynamodb:ConditionCheckItem and dynamodb:PutItem.
func DataActions() []string {
	return []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}
}
