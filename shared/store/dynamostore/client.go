package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
)

// NewClient builds a DynamoDB client from the AWS configuration awsenv.Load finds (the
// Lambda environment, else the SDK's default chain), with retries sized for a chat turn: the
// SDK's default backoff may sleep up to 20 s, far past any platform deadline, so a
// throttled or unreachable table gets two quick retries and then the caller decides
// (fail open or closed). endpoint overrides the service endpoint ("" keeps the SDK's
// resolution, which honours AWS_ENDPOINT_URL).
// optFns adjust the client further (tracing middleware, for one).
func NewClient(ctx context.Context, endpoint string, optFns ...func(*dynamodb.Options)) (*dynamodb.Client, error) {
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("dynamostore: aws config: %w", err)
	}
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.MaxBackoff = 100 * time.Millisecond
		})
	}
	opts := append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}}, optFns...)
	return dynamodb.NewFromConfig(cfg, opts...), nil
}
