package dynamostore

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Counts are DynamoDB calls made through a Counting client.
type Counts struct {
	PutItem, UpdateItem, GetItem, DeleteItem, TransactWriteItems int64
}

// Total is the number of calls of any kind.
func (c Counts) Total() int64 {
	return c.PutItem + c.UpdateItem + c.GetItem + c.DeleteItem + c.TransactWriteItems
}

// Writes is the number of write calls (PutItem, UpdateItem, DeleteItem,
// TransactWriteItems).
func (c Counts) Writes() int64 {
	return c.PutItem + c.UpdateItem + c.DeleteItem + c.TransactWriteItems
}

// Sub returns c minus o, for the calls made between two snapshots.
func (c Counts) Sub(o Counts) Counts {
	return Counts{c.PutItem - o.PutItem, c.UpdateItem - o.UpdateItem, c.GetItem - o.GetItem, c.DeleteItem - o.DeleteItem,
		c.TransactWriteItems - o.TransactWriteItems}
}

// Counting wraps an API and counts every call (failed ones included: they are billed
// and they cost latency). Metrics and tests read Counts.
type Counting struct {
	next                     API
	put, update, get, delete atomic.Int64
	transact                 atomic.Int64
}

var _ API = (*Counting)(nil)

// NewCounting wraps next.
func NewCounting(next API) *Counting { return &Counting{next: next} }

// Counts returns a snapshot of the counters.
func (c *Counting) Counts() Counts {
	return Counts{PutItem: c.put.Load(), UpdateItem: c.update.Load(), GetItem: c.get.Load(), DeleteItem: c.delete.Load(),
		TransactWriteItems: c.transact.Load()}
}

// PutItem counts and forwards.
func (c *Counting) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.put.Add(1)
	return c.next.PutItem(ctx, in, optFns...)
}

// UpdateItem counts and forwards.
func (c *Counting) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.update.Add(1)
	return c.next.UpdateItem(ctx, in, optFns...)
}

// GetItem counts and forwards.
func (c *Counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.get.Add(1)
	return c.next.GetItem(ctx, in, optFns...)
}

// DeleteItem counts and forwards.
func (c *Counting) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.delete.Add(1)
	return c.next.DeleteItem(ctx, in, optFns...)
}

// TransactWriteItems counts and forwards.
func (c *Counting) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.transact.Add(1)
	return c.next.TransactWriteItems(ctx, in, optFns...)
}
