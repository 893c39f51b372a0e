package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/dynamotable"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// MotoClient returns an AWS SDK DynamoDB client on the test binary's moto_server
// (started by testenv.Moto), for managing tables (MotoTable) and inspecting them, with
// static test credentials passed explicitly so tests using it can run in parallel
// (testenv.AWSEnv sets process environment, which parallel tests cannot).
func MotoClient(t testing.TB) *dynamodb.Client {
	t.Helper()
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(testenv.Moto(t)),
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", "testing"),
		// Setup and inspection, not the code under test: the SDK's own retries ride out
		// moto closing a kept-alive connection under load ("use of closed network
		// connection" while creating a table).
		RetryMaxAttempts: 3,
	})
}

// motoAPI returns the production store client (dynamostore.NewClientWith) on the test
// binary's moto_server, with the same explicit credentials.
func motoAPI(t testing.TB) *dynamodb.Client {
	t.Helper()
	return DynamoClient(testenv.Moto(t))
}

// DynamoClient returns the production store client on endpoint with static test
// credentials and one attempt, so a test pointing it at a dead port fails at once. Its
// conditional writes are isolated from each other (see MotoIsolation).
func DynamoClient(endpoint string) *dynamodb.Client {
	return dynamostore.NewClientWith(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", "testing"),
		RetryMaxAttempts: 1,
	}, endpoint, MotoIsolation)
}

// motoMu orders the DynamoDB calls this test binary makes through MotoIsolation.
var motoMu sync.RWMutex

// MotoIsolation is an SDK middleware giving moto_server the isolation DynamoDB has.
// moto checks a condition and then writes without a lock, so two conditional PutItems
// racing on one key can both succeed; and it runs a TransactWriteItems by copying the
// table and, when the transaction is cancelled, restoring that copy, which undoes
// whatever other requests wrote to the table meanwhile. DynamoDB makes each of these
// one atomic, serializable step. Here every transaction and conditional write runs
// alone, other calls run side by side: what DynamoDB guarantees, held by this process
// (calls from other processes are not covered).
func MotoIsolation(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("MotoIsolation",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			exclusive := false
			switch p := in.Parameters.(type) {
			case *dynamodb.TransactWriteItemsInput:
				exclusive = true
			case *dynamodb.PutItemInput:
				exclusive = p.ConditionExpression != nil
			case *dynamodb.UpdateItemInput:
				exclusive = p.ConditionExpression != nil
			case *dynamodb.DeleteItemInput:
				exclusive = p.ConditionExpression != nil
			}
			if exclusive {
				motoMu.Lock()
				defer motoMu.Unlock()
			} else {
				motoMu.RLock()
				defer motoMu.RUnlock()
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// MotoStore returns a fresh table on moto and the production client to use it with.
func MotoStore(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	return motoAPI(t), MotoTable(t, MotoClient(t))
}

var tableSeq atomic.Int64

// MotoTable creates a fresh table through dynamotable.CreateTable (the code path the
// CDK app mirrors) and returns its name.
func MotoTable(t testing.TB, client dynamotable.TableAPI) string {
	t.Helper()
	name := fmt.Sprintf("switchboard-test-%d-%d", time.Now().UnixNano(), tableSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := dynamotable.CreateTable(ctx, client, name); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	return name
}
