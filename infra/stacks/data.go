package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// DataStack holds the stateful resources: the store table and the key encrypting it.
// Both are retained when the stack is deleted; idempotency records and cache entries
// are cheap to lose but the key is not (backups need it).
type DataStack struct {
	awscdk.Stack
	Table awsdynamodb.Table
	Key   awskms.Key
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
	return &DataStack{Stack: st, Table: table, Key: key}
}
