package ddbaudit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/shared/contract/audittable"
)

// TableAPI is the part of the DynamoDB client CreateTable uses.
type TableAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// CreateTable creates an audit table with the schema the CDK app deploys
// (shared/contract/audittable: the id key, the customer index, TTL on the expiry
// attribute) and waits until it is ACTIVE: tests create it on moto, and a developer
// can create one by hand. The CDK app adds what an API call here does not: its own
// KMS key, point-in-time recovery and deletion protection. (A function never calls
// this: the linker leaves it out of the bootstraps.)
func CreateTable(ctx context.Context, client TableAPI, name string) error {
	s := func(n string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			s(audittable.PartitionKey), s(audittable.AttrCustomerID), s(audittable.AttrTime),
		},
		KeySchema:   []types.KeySchemaElement{{AttributeName: aws.String(audittable.PartitionKey), KeyType: types.KeyTypeHash}},
		BillingMode: types.BillingMode(audittable.BillingMode),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(audittable.CustomerIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(audittable.AttrCustomerID), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(audittable.AttrTime), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("ddbaudit: create table %s: %w", name, err)
	}
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 2*time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 2*time.Minute); err != nil {
		return fmt.Errorf("ddbaudit: wait for table %s: %w", name, err)
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(audittable.TTLAttribute), Enabled: aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("ddbaudit: enable ttl on %s: %w", name, err)
	}
	return nil
}
