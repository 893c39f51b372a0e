// Package dynamotable creates Switchboard's DynamoDB table with the schema the CDK app
// deploys (shared/store's constants): tests create it on moto, and a developer can
// create it by hand. It uses the AWS SDK's DynamoDB client, which the functions never
// link: they only read and write items (shared/store/dynamostore).
package dynamotable

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/shared/store"
)

// TableAPI is the part of the DynamoDB client CreateTable uses.
type TableAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
}

// CreateTable creates the table with the schema above if it does not exist, waits until
// it is ACTIVE, and enables TTL on store.TTLAttribute. Calling it on an existing table is
// safe; a table with a different key schema is an error.
func CreateTable(ctx context.Context, client TableAPI, tableName string) error {
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(tableName),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(store.PartitionKey), AttributeType: types.ScalarAttributeType(store.PartitionKeyType)},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(store.PartitionKey), KeyType: types.KeyTypeHash},
		},
		BillingMode: types.BillingMode(store.BillingMode),
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("dynamotable: create table %s: %w", tableName, err)
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
		return fmt.Errorf("dynamotable: wait for table %s: %w", tableName, err)
	}
	if err := checkSchema(out.Table); err != nil {
		return fmt.Errorf("dynamotable: table %s: %w", tableName, err)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(tableName)})
	if err != nil {
		return fmt.Errorf("dynamotable: describe ttl of %s: %w", tableName, err)
	}
	if d := ttl.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == store.TTLAttribute &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(tableName),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(store.TTLAttribute),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("dynamotable: enable ttl on %s: %w", tableName, err)
	}
	return nil
}

func checkSchema(t *types.TableDescription) error {
	if t == nil {
		return errors.New("no table description")
	}
	if len(t.KeySchema) != 1 || aws.ToString(t.KeySchema[0].AttributeName) != store.PartitionKey || t.KeySchema[0].KeyType != types.KeyTypeHash {
		return fmt.Errorf("key schema is not a single %q hash key", store.PartitionKey)
	}
	return nil
}
