package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/store"
)

// API is the part of the AWS SDK's DynamoDB client the store uses, with the SDK's own
// signatures: *dynamodb.Client and *Counting implement it.
type API interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// NewClient builds the SDK's DynamoDB client from the AWS configuration awsenv.Load
// finds (the Lambda environment, else the SDK's default chain), with awsenv's retryer:
// a throttled or unreachable table gets two quick retries and then the caller decides
// (fail open or closed). endpoint overrides the service endpoint ("" keeps
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else the regional endpoint). apiOptions
// are added to every call's middleware stack (tracing).
func NewClient(ctx context.Context, endpoint string, apiOptions ...func(*middleware.Stack) error) (*dynamodb.Client, error) {
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("dynamostore: aws config: %w", err)
	}
	return NewClientWith(cfg, endpoint, apiOptions...), nil
}

// NewClientWith builds the client from an explicit configuration (tests: fixed
// credentials, one attempt).
func NewClientWith(cfg aws.Config, endpoint string, apiOptions ...func(*middleware.Stack) error) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.APIOptions = append(o.APIOptions, apiOptions...)
	})
}

// The store.backend "dynamodb": a binary links the DynamoDB client only if it imports
// this package (functions/<fn>/main.go of the functions whose turns use the store).
func init() {
	store.RegisterBackend("dynamodb", func(ctx context.Context, o store.BackendOptions) (store.Store, error) {
		client, err := NewClient(ctx, o.Endpoint, o.APIOptions...)
		if err != nil {
			return nil, err
		}
		return New(client, o.Table, Options{}), nil
	})
}
