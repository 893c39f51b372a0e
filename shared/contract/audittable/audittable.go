// Package audittable is the audit trail's DynamoDB table: its key, attribute and
// index names, its retention and the one action the functions have on it. The audit
// sink (shared/identity/ddbaudit), its tests and the CDK app (infra/) read it, so
// the table a test creates has the schema production has. No dependency beyond the
// standard library.
//
// The table is the audit trail's own (not the store table): its own KMS key, its own
// retention, point-in-time recovery and deletion protection, and a grant that lets
// the functions add events and nothing else (no read, no update, no delete).
package audittable

const (
	// PartitionKey is the only key attribute (a string): the event's id, "<time
	// RFC 3339, UTC, nanoseconds>#<16 random hex digits>", so ids sort by time and
	// never collide (each event is a conditional put on a new id).
	PartitionKey = "id"
	// PartitionKeyType is the DynamoDB scalar type of PartitionKey.
	PartitionKeyType = "S"
	// TTLAttribute holds the epoch-seconds time DynamoDB's TTL deletes the event after:
	// the event's time plus RetentionDays.
	TTLAttribute = "expiration"
	// BillingMode is on-demand, as the store table's.
	BillingMode = "PAY_PER_REQUEST"
	// RetentionDays is how long an event is kept. DynamoDB deletes an expired item
	// within days after its expiry, not at once: an event is kept at least this long.
	RetentionDays = 365

	// The event's attributes (identity.Event's JSON names); empty ones are left out.
	AttrTime         = "time" // RFC 3339, UTC, nanoseconds
	AttrIntent       = "intent"
	AttrPlatform     = "platform"
	AttrTurnID       = "turn_id"
	AttrSession      = "session"
	AttrVerification = "verification"
	AttrCustomerID   = "customer_id"
	AttrObject       = "object"
	AttrTool         = "tool"
	AttrOutcome      = "outcome"
	// AttrFields is a string set: the names of the fields a write set or tried to set
	// (update_customer: "phone", "address"), never their values.
	AttrFields = "fields"

	// CustomerIndex is the global secondary index answering "who touched this
	// customer's data, when": partition key AttrCustomerID (the keyed hash of the
	// tool's customer id), sort key AttrTime, every attribute projected. Events that
	// name no customer are not in it.
	CustomerIndex = "customer"
)

// WriteActions are the DynamoDB actions the functions that audit have on the table:
// adding an event, nothing else.
func WriteActions() []string { return []string{"dynamodb:PutItem"} }
