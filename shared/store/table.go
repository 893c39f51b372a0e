package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The DynamoDB table schema. The CDK app and CreateTable both read these, so the table
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
// with dynamodb:LeadingKeys to "<function>#*").
func DataActions() []string {
	return []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}
}

// TableAPI is the part of the DynamoDB client CreateTable uses.
type TableAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
}

// CreateTable creates the table with the schema above if it does not exist, waits until
// it is ACTIVE, and enables TTL on TTLAttribute. Calling it on an existing table is
// safe; a table with a different key schema is an error.
func CreateTable(ctx context.Context, client TableAPI, tableName string) error {
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(tableName),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(PartitionKey), AttributeType: types.ScalarAttributeType(PartitionKeyType)},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(PartitionKey), KeyType: types.KeyTypeHash},
		},
		BillingMode: types.BillingMode(BillingMode),
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("store: create table %s: %w", tableName, err)
	}
	waitFor := 2 * time.Minute
	if d, ok := ctx.Deadline(); ok {
		waitFor = time.Until(d)
	}
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 200 * time.Millisecond
		o.MaxDelay = 2 * time.Second
	})
	out, err := w.WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tableName)}, waitFor)
	if err != nil {
		return fmt.Errorf("store: wait for table %s: %w", tableName, err)
	}
	if err := checkSchema(out.Table); err != nil {
		return fmt.Errorf("store: table %s: %w", tableName, err)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(tableName)})
	if err != nil {
		return fmt.Errorf("store: describe ttl of %s: %w", tableName, err)
	}
	if d := ttl.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == TTLAttribute &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(tableName),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(TTLAttribute),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("store: enable ttl on %s: %w", tableName, err)
	}
	return nil
}

func checkSchema(t *types.TableDescription) error {
	if t == nil {
		return errors.New("no table description")
	}
	if len(t.KeySchema) != 1 || aws.ToString(t.KeySchema[0].AttributeName) != PartitionKey || t.KeySchema[0].KeyType != types.KeyTypeHash {
		return fmt.Errorf("key schema is not a single %q hash key", PartitionKey)
	}
	return nil
}
