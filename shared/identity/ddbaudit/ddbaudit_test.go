package ddbaudit_test

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/contract/audittable"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/identity/ddbaudit"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// auditTable creates a fresh audit table on moto with ddbaudit.CreateTable.
func auditTable(t *testing.T, c *dynamodb.Client) string {
	t.Helper()
	name := fmt.Sprintf("switchboard-audit-test-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ddbaudit.CreateTable(ctx, c, name); err != nil {
		t.Fatal(err)
	}
	return name
}

func items(t *testing.T, c *dynamodb.Client, table string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := c.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Items
}

// TestRecordIsDurableWhenItReturns builds the sink as a function does (the registered
// "dynamodb" sink, awsenv's configuration) and records two events: when Record
// returns, each is an item of its own in the table, field for field, with its expiry
// 365 days after the event; the customer index finds a customer's events in order.
func TestRecordIsDurableWhenItReturns(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	c := storetest.MotoClient(t)
	table := auditTable(t, c)
	ctx := context.Background()
	sink, ok, err := identity.NewAuditor(ctx, config.AuditDynamoDB, identity.AuditorOptions{Table: table, Endpoint: moto})
	if !ok || err != nil {
		t.Fatalf("NewAuditor(dynamodb) = %v, %v", ok, err)
	}
	at := time.Date(2026, 12, 4, 21, 30, 0, 123456789, time.UTC)
	e := identity.Event{Time: at, Intent: "lookup_customer", Platform: "lex", TurnID: "0123456789abcdef",
		Session: "fedcba9876543210", Verification: "token", CustomerID: "aaaabbbbccccdddd", Tool: "hubspot", Outcome: "answered",
		Fields: []string{"phone", "address"}}
	if err := sink.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	got := items(t, c, table)
	if len(got) != 1 {
		t.Fatalf("%d items after one Record, want 1", len(got))
	}
	back, err := ddbaudit.Event(got[0])
	if err != nil || !reflect.DeepEqual(back, e) {
		t.Errorf("item reads back as %+v, %v; want %+v", back, err, e)
	}
	exp, _ := got[0][audittable.TTLAttribute].(*types.AttributeValueMemberN)
	if want := strconv.FormatInt(at.AddDate(0, 0, 365).Unix(), 10); exp == nil || exp.Value != want {
		t.Errorf("expiry %v, want %s (365 days on)", got[0][audittable.TTLAttribute], want)
	}
	if _, ok := got[0][audittable.AttrObject]; ok {
		t.Errorf("an empty field is stored: %v", got[0])
	}
	// The same event again is a second item: events are added, never overwritten.
	later := e
	later.Time = at.Add(time.Second)
	later.Outcome = "refused_other_customer"
	if err := sink.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := sink.Record(ctx, later); err != nil {
		t.Fatal(err)
	}
	if n := len(items(t, c, table)); n != 3 {
		t.Errorf("%d items after three Records, want 3", n)
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(table), IndexName: aws.String(audittable.CustomerIndex),
		KeyConditionExpression:    aws.String("#c = :c"),
		ExpressionAttributeNames:  map[string]string{"#c": audittable.AttrCustomerID},
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: e.CustomerID}},
		ScanIndexForward:          aws.Bool(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Items) != 3 {
		t.Fatalf("customer index: %d events, want 3", len(q.Items))
	}
	if first, _ := ddbaudit.Event(q.Items[0]); first.Outcome != later.Outcome {
		t.Errorf("customer index, newest first: %+v, want the later event", first)
	}
}

// TestRecordFailsWhenTheEventIsNotWritten: a table that is not there (deleted,
// misnamed, or a role without PutItem) is an error from Record, which the policy turns
// into a withheld answer (tests/audit_dynamodb_test.go runs that end to end).
func TestRecordFailsWhenTheEventIsNotWritten(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	sink, ok, err := identity.NewAuditor(context.Background(), config.AuditDynamoDB,
		identity.AuditorOptions{Table: "switchboard-audit-missing", Endpoint: moto})
	if !ok || err != nil {
		t.Fatalf("NewAuditor(dynamodb) = %v, %v", ok, err)
	}
	err = sink.Record(context.Background(), identity.Event{Time: time.Now(), Intent: "lookup_customer", Outcome: "answered"})
	if err == nil || !strings.Contains(err.Error(), "PutItem") {
		t.Errorf("Record on a missing table = %v, want the PutItem error", err)
	}
}

// TestConfigNeedsTheTable: the dynamodb sink without a table is refused at start.
func TestConfigNeedsTheTable(t *testing.T) {
	_, err := config.Load("", []string{"SWITCHBOARD_IDENTITY_AUDIT_SINK=dynamodb"})
	if err == nil || !strings.Contains(err.Error(), "identity.audit.table") {
		t.Errorf("config.Load without a table = %v, want identity.audit.table required", err)
	}
	c, err := config.Load("", []string{"SWITCHBOARD_IDENTITY_AUDIT_SINK=dynamodb", "SWITCHBOARD_IDENTITY_AUDIT_TABLE=x-audit"})
	if err != nil || c.Identity.Audit.Table != "x-audit" {
		t.Errorf("config.Load with a table = %+v, %v", c.Identity.Audit, err)
	}
}
