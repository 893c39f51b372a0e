// Package ddbaudit writes the audit trail to its own DynamoDB table
// (aws-sdk-go-v2/service/dynamodb, the client the functions that audit already link
// for the store). Importing it registers the "dynamodb" audit sink
// (identity.audit.sink: dynamodb, what the CDK app sets); a binary that audits nothing
// leaves it out. The table's schema is shared/contract/audittable.
//
// Record is one conditional PutItem of a new item and returns once DynamoDB has
// acknowledged it (a PutItem is durable when it returns): the reply that depends on
// the event goes out only after it, and a failed put fails the turn's disclosure
// (no trail, no disclosure), as the CloudWatch Logs sink (cwaudit) does.
package ddbaudit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/contract/audittable"
	"github.com/switchboard-dev/switchboard/shared/identity"
)

func init() {
	identity.RegisterAuditor(identity.AuditDynamoDB, func(ctx context.Context, c identity.AuditorOptions) (identity.Auditor, error) {
		cfg, err := awsenv.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("identity: audit: %w", err)
		}
		return New(cfg, c.Endpoint, c.Table), nil
	})
}

// API is the part of the SDK's DynamoDB client the sink uses.
type API interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Table writes events to their own DynamoDB table (its KMS key, point-in-time
// recovery and the 365-day TTL are the table's, set by the CDK app; the expiry
// attribute is the sink's).
type Table struct {
	Client API
	Name   string
}

// New returns the sink on cfg (awsenv.Load), at endpoint when not empty.
func New(cfg aws.Config, endpoint, table string) *Table {
	c := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return &Table{Client: c, Name: table}
}

// Record puts one event as a new item: a conditional PutItem that never overwrites
// (an id that exists fails the put, and so the turn's disclosure).
func (t *Table) Record(ctx context.Context, e identity.Event) error {
	_, err := t.Client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(t.Name),
		Item:                     Item(e, newID(e.Time)),
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": audittable.PartitionKey},
	})
	if err != nil {
		return fmt.Errorf("identity: audit PutItem: %w", err)
	}
	return nil
}

// timeFormat is the events' time: RFC 3339 in UTC with nanoseconds, fixed width so
// that ids and the customer index's sort key order as the times do.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

// newID is a new event id: its time, then 64 random bits.
func newID(at time.Time) string {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	return at.UTC().Format(timeFormat) + "#" + hex.EncodeToString(rnd[:])
}

// Item is the DynamoDB item of event e under id: one string attribute per field of
// the event that is set, and the TTL attribute (the event's time plus
// audittable.RetentionDays).
func Item(e identity.Event, id string) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		audittable.PartitionKey: &types.AttributeValueMemberS{Value: id},
		audittable.AttrTime:     &types.AttributeValueMemberS{Value: e.Time.UTC().Format(timeFormat)},
		audittable.TTLAttribute: &types.AttributeValueMemberN{Value: strconv.FormatInt(
			e.Time.Add(audittable.RetentionDays*24*time.Hour).Unix(), 10)},
	}
	for k, v := range map[string]string{
		audittable.AttrIntent: e.Intent, audittable.AttrPlatform: e.Platform, audittable.AttrTurnID: e.TurnID,
		audittable.AttrSession: e.Session, audittable.AttrVerification: e.Verification,
		audittable.AttrCustomerID: e.CustomerID, audittable.AttrObject: e.Object, audittable.AttrTool: e.Tool,
		audittable.AttrOutcome: e.Outcome,
	} {
		if v != "" {
			item[k] = &types.AttributeValueMemberS{Value: v}
		}
	}
	if len(e.Fields) > 0 {
		item[audittable.AttrFields] = &types.AttributeValueMemberSS{Value: slices.Clone(e.Fields)}
	}
	return item
}

// fields reads the fields set back in the order the event named them (a set has
// none: sorted), nil when absent.
func fields(v types.AttributeValue) []string {
	ss, ok := v.(*types.AttributeValueMemberSS)
	if !ok || len(ss.Value) == 0 {
		return nil
	}
	out := slices.Clone(ss.Value)
	slices.SortFunc(out, func(a, b string) int { return fieldOrder(a) - fieldOrder(b) })
	return out
}

// fieldOrder orders the contact fields as connector.ContactChange.Fields does.
func fieldOrder(f string) int {
	switch f {
	case "phone":
		return 0
	case "address":
		return 1
	}
	return 2
}

// Event reads an item Item wrote back into an event (audit readers, tests).
func Event(item map[string]types.AttributeValue) (identity.Event, error) {
	s := func(k string) string {
		if v, ok := item[k].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	at, err := time.Parse(time.RFC3339Nano, s(audittable.AttrTime))
	if err != nil {
		return identity.Event{}, fmt.Errorf("ddbaudit: item %q: time: %w", s(audittable.PartitionKey), err)
	}
	return identity.Event{
		Time: at, Intent: s(audittable.AttrIntent), Platform: s(audittable.AttrPlatform), TurnID: s(audittable.AttrTurnID),
		Session: s(audittable.AttrSession), Verification: s(audittable.AttrVerification),
		CustomerID: s(audittable.AttrCustomerID), Object: s(audittable.AttrObject), Tool: s(audittable.AttrTool),
		Outcome: s(audittable.AttrOutcome), Fields: fields(item[audittable.AttrFields]),
	}, nil
}
