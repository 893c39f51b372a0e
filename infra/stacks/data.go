package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/contract/audittable"
)

// DataStack holds the stateful resources: the store table and the key encrypting it,
// and the audit trail's own table and key. All are retained when the stack is
// deleted; idempotency records and cache entries are cheap to lose but the keys are
// not (backups need them), and audit events must outlive the stack.
type DataStack struct {
	awscdk.Stack
	Table awsdynamodb.Table
	Key   awskms.Key
	// AuditTable holds the audit trail (shared/contract/audittable): the functions
	// that read or write customer data may add items to it and do nothing else.
	AuditTable awsdynamodb.Table
	AuditKey   awskms.Key
}

// NewDataStack creates the data stack.
func NewDataStack(scope constructs.Construct, id string, s Settings, props *awscdk.StackProps) *DataStack {
	st := awscdk.NewStack(scope, jsii.String(id), props)
	key := awskms.NewKey(st, jsii.String("TableKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the Switchboard store table (" + s.Prefix + ")"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	table := awsdynamodb.NewTable(st, jsii.String("Store"), &awsdynamodb.TableProps{
		TableName:           jsii.String(s.TableName()),
		PartitionKey:        &awsdynamodb.Attribute{Name: jsii.String(TablePartitionKey), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		TimeToLiveAttribute: jsii.String(TableTTLAttribute),
		Encryption:          awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey:       key,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	ds := &DataStack{Stack: st, Table: table, Key: key}
	ds.AuditTable, ds.AuditKey = newAuditTable(st, s)
	return ds
}

// newAuditTable creates the audit trail's own table: apart from the store, encrypted
// with its own customer-managed key, events expiring audittable.RetentionDays after
// they were written (DynamoDB's TTL), point-in-time recovery, deletion protection,
// retained when the stack goes, and the customer index for "who touched this
// customer's data".
func newAuditTable(st awscdk.Stack, s Settings) (awsdynamodb.Table, awskms.Key) {
	key := awskms.NewKey(st, jsii.String("AuditKey"), &awskms.KeyProps{
		Description:       jsii.String("Switchboard " + s.Prefix + " audit trail"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	str := func(n string) *awsdynamodb.Attribute {
		return &awsdynamodb.Attribute{Name: jsii.String(n), Type: awsdynamodb.AttributeType_STRING}
	}
	table := awsdynamodb.NewTable(st, jsii.String("Audit"), &awsdynamodb.TableProps{
		TableName:           jsii.String(s.AuditTableName()),
		PartitionKey:        str(audittable.PartitionKey),
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		TimeToLiveAttribute: jsii.String(audittable.TTLAttribute),
		Encryption:          awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey:       key,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
	})
	table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(audittable.CustomerIndex),
		PartitionKey:   str(audittable.AttrCustomerID),
		SortKey:        str(audittable.AttrTime),
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	})
	return table, key
}
