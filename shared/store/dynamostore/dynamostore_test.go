package dynamostore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/dynamotable"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The contract runs through NewClient with the environment testenv.AWSEnv sets, so the
// client construction Lambda uses is the one under test; storetest.MotoIsolation gives
// moto the isolation DynamoDB's conditional writes and transactions have.
func TestContract(t *testing.T) {
	endpoint := testenv.Moto(t)
	testenv.AWSEnv(t, endpoint)
	client, err := dynamostore.NewClient(context.Background(), "", storetest.MotoIsolation)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	table := storetest.MotoTable(t, storetest.MotoClient(t))
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return dynamostore.New(client, table, dynamostore.Options{Now: now})
	})
}

func TestCreateTableIsIdempotentAndMatchesTheSchema(t *testing.T) {
	t.Parallel()
	client := storetest.MotoClient(t)
	table := storetest.MotoTable(t, client)
	ctx := context.Background()
	if err := dynamotable.CreateTable(ctx, client, table); err != nil {
		t.Fatalf("second CreateTable: %v", err)
	}
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	tbl := out.Table
	if tbl.TableStatus != types.TableStatusActive {
		t.Errorf("status = %s, want ACTIVE", tbl.TableStatus)
	}
	if len(tbl.KeySchema) != 1 || aws.ToString(tbl.KeySchema[0].AttributeName) != store.PartitionKey || tbl.KeySchema[0].KeyType != types.KeyTypeHash {
		t.Errorf("key schema = %+v, want one %q hash key", tbl.KeySchema, store.PartitionKey)
	}
	if len(tbl.AttributeDefinitions) != 1 || string(tbl.AttributeDefinitions[0].AttributeType) != store.PartitionKeyType {
		t.Errorf("attributes = %+v, want %q of type %s", tbl.AttributeDefinitions, store.PartitionKey, store.PartitionKeyType)
	}
	if tbl.BillingModeSummary == nil || string(tbl.BillingModeSummary.BillingMode) != store.BillingMode {
		t.Errorf("billing = %+v, want %s", tbl.BillingModeSummary, store.BillingMode)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != store.TTLAttribute || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("ttl = %+v, want ENABLED on %q", ttl.TimeToLiveDescription, store.TTLAttribute)
	}
}

func TestCreateTableRejectsAForeignSchema(t *testing.T) {
	t.Parallel()
	client := storetest.MotoClient(t)
	ctx := context.Background()
	name := "switchboard-foreign-" + time.Now().Format("150405.000000000")
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := dynamotable.CreateTable(ctx, client, name); err == nil {
		t.Fatal("CreateTable accepted a table keyed on pk")
	}
}

// The call budget of each request path, the numbers the issue asks to report.
func TestCallCounts(t *testing.T) {
	t.Parallel()
	client, table := storetest.MotoStore(t)
	counting := dynamostore.NewCounting(client)
	s := dynamostore.New(counting, table, dynamostore.Options{})
	ctx := context.Background()
	now := time.Now()
	rec := store.Record{Key: store.Key("fn", "idem", "turn-1"), Status: store.StatusInProgress,
		Expiration: now.Add(time.Hour), InProgressExpiration: now.Add(5 * time.Second), PayloadHash: "h"}

	before := counting.Counts()
	if err := s.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if got := counting.Counts().Sub(before); got != (dynamostore.Counts{PutItem: 1}) {
		t.Errorf("new create = %+v, want exactly 1 PutItem", got)
	}

	before = counting.Counts()
	err := s.Create(ctx, rec)
	var ex *store.ExistsError
	if !errors.As(err, &ex) || ex.Record.PayloadHash != "h" || ex.Record.Status != store.StatusInProgress {
		t.Fatalf("duplicate create = %v, want ExistsError with the old record", err)
	}
	if got := counting.Counts().Sub(before); got != (dynamostore.Counts{PutItem: 1}) {
		t.Errorf("duplicate create = %+v, want 1 PutItem and no GetItem (ALL_OLD)", got)
	}

	before = counting.Counts()
	rec.Data = []byte(`{}`)
	if err := s.Complete(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if got := counting.Counts().Sub(before); got != (dynamostore.Counts{UpdateItem: 1}) {
		t.Errorf("complete = %+v, want 1 UpdateItem", got)
	}
}

func TestUnreachableEndpointIsAnErrorNotAMiss(t *testing.T) {
	t.Parallel()
	dead := storetest.DynamoClient("http://127.0.0.1:" + strconv.Itoa(testenv.FreePort(t)))
	s := dynamostore.New(dead, "switchboard", dynamostore.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := s.Get(ctx, "fn#idem#x"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get on a dead endpoint = %v, want a transport error", err)
	}
	if err := s.Create(ctx, store.Record{Key: "fn#idem#x"}); err == nil || errors.Is(err, store.ErrExists) {
		t.Fatalf("Create on a dead endpoint = %v, want a transport error", err)
	}
}
