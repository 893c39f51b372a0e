package store

import "github.com/switchboard-dev/switchboard/shared/contract/table"

// The DynamoDB table schema. The CDK app and dynamotable.CreateTable both read these, so the table
// a test creates on moto has the key schema production has.
// They are defined in shared/contract/table, the leaf package infra reads.
const (
	// PartitionKey is the only key attribute (a string); there is no sort key.
	PartitionKey = table.PartitionKey
	// PartitionKeyType is the DynamoDB scalar type of PartitionKey.
	PartitionKeyType = table.PartitionKeyType
	// TTLAttribute holds the epoch-seconds expiry DynamoDB's TTL deletes by.
	TTLAttribute = table.TTLAttribute
	// BillingMode is on-demand: traffic follows chat volume, which is spiky.
	BillingMode = table.BillingMode

	// Non-key attributes (Powertools names where Powertools has one).
	AttrStatus               = table.AttrStatus
	AttrInProgressExpiration = table.AttrInProgressExpiration // epoch milliseconds
	AttrPayloadHash          = table.AttrPayloadHash
	AttrData                 = table.AttrData
	AttrFetchedAt            = table.AttrFetchedAt // epoch milliseconds
)

// DataActions are the DynamoDB actions the functions need on the table (to be scoped
// with dynamodb:LeadingKeys to "<function>#*"): table.DataActions.
func DataActions() []string { return table.DataActions() }
