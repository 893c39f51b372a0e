package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// MotoClient returns a DynamoDB client on the test binary's moto_server (started by
// testenv.Moto), with static test credentials passed explicitly so tests using it can
// run in parallel (testenv.AWSEnv sets process environment, which parallel tests cannot).
func MotoClient(t testing.TB) *dynamodb.Client {
	t.Helper()
	return DynamoClient(testenv.Moto(t))
}

// DynamoClient returns a DynamoDB client on endpoint with static test credentials and
// no SDK retries, so a test pointing it at a dead port fails at once.
func DynamoClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", "testing"),
		RetryMaxAttempts: 1,
	})
}

var tableSeq atomic.Int64

// MotoTable creates a fresh table through store.CreateTable (the code path the CDK app
// mirrors) and returns its name.
func MotoTable(t testing.TB, client store.TableAPI) string {
	t.Helper()
	name := fmt.Sprintf("switchboard-test-%d-%d", time.Now().UnixNano(), tableSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := store.CreateTable(ctx, client, name); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	return name
}
