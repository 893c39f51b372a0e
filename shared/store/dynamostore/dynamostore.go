package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/shared/store"
)

// attrMap is a DynamoDB item (or key) by attribute name.
type attrMap = map[string]types.AttributeValue

// Options configure the store. The zero value is the default.
type Options struct {
	// Now is the clock used for expiry conditions (time.Now when nil).
	Now func() time.Time
}

// Store is a store.Store on one DynamoDB table created by store.CreateTable (or the
// CDK app, which uses the same schema constants).
type Store struct {
	api   API
	table string
	now   func() time.Time
}

var _ store.Store = (*Store)(nil)

// New returns a store on table.
func New(api API, table string, opts Options) *Store {
	s := &Store{api: api, table: table, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// The condition under which Create may write: no item, or an expired one, or an
// in-progress one whose owner ran out of time (the Powertools condition, with "<="
// so that code and condition agree on the boundary second).
const createCondition = "attribute_not_exists(#id) OR #exp <= :now OR (#status = :inprogress AND #ipe <= :nowms)"

// Create implements store.Store with a single conditional PutItem; on a failed
// condition DynamoDB returns the existing item, so a duplicate costs no extra read.
func (s *Store) Create(ctx context.Context, rec store.Record) error {
	names, values := createExpression(s.now())
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(s.table),
		Item:                                marshal(rec),
		ConditionExpression:                 aws.String(createCondition),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &failed) && failed.Item != nil:
		return &store.ExistsError{Record: unmarshal(failed.Item)}
	case errors.As(err, &failed):
		// An endpoint that ignores ALL_OLD: read the record instead, at one extra call.
		old, gerr := s.Get(ctx, rec.Key)
		if gerr != nil {
			return fmt.Errorf("dynamostore: create %s: condition failed and the existing record is unreadable: %w", rec.Key, gerr)
		}
		return &store.ExistsError{Record: old}
	default:
		return fmt.Errorf("dynamostore: create %s: %w", rec.Key, err)
	}
}

// createExpression returns the names and values createCondition uses at now.
func createExpression(now time.Time) (map[string]string, attrMap) {
	return map[string]string{
			"#id": store.PartitionKey, "#exp": store.TTLAttribute,
			"#status": store.AttrStatus, "#ipe": store.AttrInProgressExpiration,
		}, attrMap{
			":now":        num(now.Unix()),
			":nowms":      num(now.UnixMilli()),
			":inprogress": str(string(store.StatusInProgress)),
		}
}

// The condition under which a guard lets CreateGuarded write: no item, or an expired
// one.
const guardCondition = "attribute_not_exists(#id) OR #exp <= :now"

// conflictRetries bounds how often CreateGuarded retries a transaction DynamoDB
// cancelled because another request was writing one of its items at that moment
// (TransactionConflict): the retry then meets the other writer's result.
const conflictRetries = 4

// CreateGuarded implements store.Store with one TransactWriteItems: a ConditionCheck
// on guard and the conditional Put of rec. On a failed condition DynamoDB returns the
// item that failed it with the cancellation, so a refusal costs no extra read. The
// SDK fills in the ClientRequestToken, so its own retry of a transaction whose answer
// was lost is not applied twice.
func (s *Store) CreateGuarded(ctx context.Context, rec store.Record, guard string) error {
	if guard == "" {
		return s.Create(ctx, rec)
	}
	if guard == rec.Key {
		return fmt.Errorf("dynamostore: create %s: the guard is the record's own key", rec.Key)
	}
	for attempt := 0; ; attempt++ {
		now := s.now()
		names := map[string]string{"#id": store.PartitionKey, "#exp": store.TTLAttribute}
		putNames, putValues := createExpression(now)
		_, err := s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{ConditionCheck: &types.ConditionCheck{
				TableName:                           aws.String(s.table),
				Key:                                 key(guard),
				ConditionExpression:                 aws.String(guardCondition),
				ExpressionAttributeNames:            names,
				ExpressionAttributeValues:           attrMap{":now": num(now.Unix())},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}},
			{Put: &types.Put{
				TableName:                           aws.String(s.table),
				Item:                                marshal(rec),
				ConditionExpression:                 aws.String(createCondition),
				ExpressionAttributeNames:            putNames,
				ExpressionAttributeValues:           putValues,
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}},
		}})
		var cancelled *types.TransactionCanceledException
		if err == nil {
			return nil
		}
		if !errors.As(err, &cancelled) || len(cancelled.CancellationReasons) != 2 {
			return fmt.Errorf("dynamostore: create %s: %w", rec.Key, err)
		}
		guardReason, recReason := cancelled.CancellationReasons[0], cancelled.CancellationReasons[1]
		var refused error
		switch {
		case aws.ToString(recReason.Code) == "ConditionalCheckFailed":
			refused = s.existing(ctx, rec.Key, recReason.Item, func(r store.Record) error { return &store.ExistsError{Record: r} })
		case aws.ToString(guardReason.Code) == "ConditionalCheckFailed":
			refused = s.existing(ctx, guard, guardReason.Item, func(r store.Record) error { return &store.GuardedError{Record: r} })
		case aws.ToString(recReason.Code) == "TransactionConflict" || aws.ToString(guardReason.Code) == "TransactionConflict":
		default:
			return fmt.Errorf("dynamostore: create %s: %w", rec.Key, err)
		}
		if refused != nil {
			return refused
		}
		if attempt >= conflictRetries {
			// Still contended: whoever holds the key answers this delivery.
			if old, gerr := s.Get(ctx, rec.Key); gerr == nil {
				return &store.ExistsError{Record: old}
			}
			return fmt.Errorf("dynamostore: create %s: %w", rec.Key, err)
		}
		// A conflict, or the refusing record gone by the time it was read: try again.
		t := time.NewTimer(time.Duration(10*(attempt+1)) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("dynamostore: create %s: %w", rec.Key, ctx.Err())
		case <-t.C:
		}
	}
}

// existing turns the item a failed condition returned into the refusal wrap builds.
// An endpoint that ignores ALL_OLD costs one read instead; when the record is gone by
// then, there is no refusal (nil) and the caller tries again.
func (s *Store) existing(ctx context.Context, k string, item attrMap, wrap func(store.Record) error) error {
	if item != nil {
		return wrap(unmarshal(item))
	}
	old, err := s.Get(ctx, k)
	switch {
	case err == nil:
		return wrap(old)
	case errors.Is(err, store.ErrNotFound):
		return nil
	default:
		return fmt.Errorf("dynamostore: %s: condition failed and the existing record is unreadable: %w", k, err)
	}
}

// Complete implements store.Store with one UpdateItem (as Powertools completes a
// record): status, expiry, payload hash and the stored reply.
func (s *Store) Complete(ctx context.Context, rec store.Record) error {
	names := map[string]string{"#status": store.AttrStatus, "#exp": store.TTLAttribute, "#val": store.AttrPayloadHash, "#data": store.AttrData}
	values := attrMap{
		":completed": str(string(store.StatusCompleted)),
		":exp":       num(rec.Expiration.Unix()),
		":val":       str(rec.PayloadHash),
	}
	expr := "SET #status = :completed, #exp = :exp, #val = :val"
	if len(rec.Data) > 0 {
		expr += ", #data = :data"
		values[":data"] = &types.AttributeValueMemberB{Value: rec.Data}
	} else {
		expr += " REMOVE #data"
	}
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(rec.Key),
		UpdateExpression:          aws.String(expr),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if err != nil {
		return fmt.Errorf("dynamostore: complete %s: %w", rec.Key, err)
	}
	return nil
}

// Get implements store.Store with a strongly consistent GetItem, so a poller sees a
// completion the moment it is written.
func (s *Store) Get(ctx context.Context, k string) (store.Record, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(k), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return store.Record{}, fmt.Errorf("dynamostore: get %s: %w", k, err)
	}
	item := out.Item
	if item == nil {
		return store.Record{}, store.ErrNotFound
	}
	rec := unmarshal(item)
	if rec.Expired(s.now()) {
		return store.Record{}, store.ErrNotFound
	}
	return rec, nil
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, rec store.Record) error {
	if _, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: marshal(rec)}); err != nil {
		return fmt.Errorf("dynamostore: put %s: %w", rec.Key, err)
	}
	return nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, k string) error {
	if _, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: key(k)}); err != nil {
		return fmt.Errorf("dynamostore: delete %s: %w", k, err)
	}
	return nil
}

func key(k string) attrMap { return attrMap{store.PartitionKey: str(k)} }

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func marshal(rec store.Record) attrMap {
	item := key(rec.Key)
	if rec.Status != "" {
		item[store.AttrStatus] = str(string(rec.Status))
	}
	if !rec.Expiration.IsZero() {
		item[store.TTLAttribute] = num(rec.Expiration.Unix())
	}
	if !rec.InProgressExpiration.IsZero() {
		item[store.AttrInProgressExpiration] = num(rec.InProgressExpiration.UnixMilli())
	}
	if rec.PayloadHash != "" {
		item[store.AttrPayloadHash] = str(rec.PayloadHash)
	}
	if len(rec.Data) > 0 {
		item[store.AttrData] = &types.AttributeValueMemberB{Value: rec.Data}
	}
	if !rec.FetchedAt.IsZero() {
		item[store.AttrFetchedAt] = num(rec.FetchedAt.UnixMilli())
	}
	return item
}

func unmarshal(item attrMap) store.Record {
	var rec store.Record
	if v, ok := item[store.PartitionKey].(*types.AttributeValueMemberS); ok {
		rec.Key = v.Value
	}
	if v, ok := item[store.AttrStatus].(*types.AttributeValueMemberS); ok {
		rec.Status = store.Status(v.Value)
	}
	if n, ok := number(item[store.TTLAttribute]); ok {
		rec.Expiration = time.Unix(n, 0)
	}
	if n, ok := number(item[store.AttrInProgressExpiration]); ok {
		rec.InProgressExpiration = time.UnixMilli(n)
	}
	if v, ok := item[store.AttrPayloadHash].(*types.AttributeValueMemberS); ok {
		rec.PayloadHash = v.Value
	}
	if v, ok := item[store.AttrData].(*types.AttributeValueMemberB); ok {
		rec.Data = v.Value
	}
	if n, ok := number(item[store.AttrFetchedAt]); ok {
		rec.FetchedAt = time.UnixMilli(n)
	}
	return rec
}

func number(v types.AttributeValue) (int64, bool) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		// TTL values written by other tools may carry a fraction; keep the seconds.
		f, ferr := strconv.ParseFloat(n.Value, 64)
		if ferr != nil {
			return 0, false
		}
		i = int64(f)
	}
	return i, true
}
