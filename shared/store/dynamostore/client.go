package dynamostore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/awsjson"
)

// API is the part of DynamoDB the store uses; *Client and *Counting implement it.
type API interface {
	// PutItem writes an item; a failed condition is a *ConditionFailedError.
	PutItem(ctx context.Context, in *PutItemInput) error
	UpdateItem(ctx context.Context, in *UpdateItemInput) error
	// GetItem returns the item, or nil when there is none.
	GetItem(ctx context.Context, in *GetItemInput) (Item, error)
	DeleteItem(ctx context.Context, in *DeleteItemInput) error
}

// AttributeValue is a DynamoDB attribute value in the JSON protocol's form. The store
// writes strings, numbers and binary; the other kinds are read and ignored.
type AttributeValue struct {
	S    *string `json:"S,omitempty"`
	N    *string `json:"N,omitempty"`
	B    []byte  `json:"B,omitempty"`
	BOOL *bool   `json:"BOOL,omitempty"`
	NULL *bool   `json:"NULL,omitempty"`
}

// Item is a DynamoDB item (or key) by attribute name.
type Item map[string]AttributeValue

// PutItemInput is the PutItem request.
type PutItemInput struct {
	TableName                           string
	Item                                Item
	ConditionExpression                 string            `json:",omitempty"`
	ExpressionAttributeNames            map[string]string `json:",omitempty"`
	ExpressionAttributeValues           Item              `json:",omitempty"`
	ReturnValuesOnConditionCheckFailure string            `json:",omitempty"`
}

// UpdateItemInput is the UpdateItem request.
type UpdateItemInput struct {
	TableName                 string
	Key                       Item
	UpdateExpression          string
	ExpressionAttributeNames  map[string]string `json:",omitempty"`
	ExpressionAttributeValues Item              `json:",omitempty"`
}

// GetItemInput is the GetItem request.
type GetItemInput struct {
	TableName      string
	Key            Item
	ConsistentRead bool `json:",omitempty"`
}

// DeleteItemInput is the DeleteItem request.
type DeleteItemInput struct {
	TableName string
	Key       Item
}

// ConditionFailedError is DynamoDB's ConditionalCheckFailedException, with the item
// that failed the condition when the request asked for it (ALL_OLD).
type ConditionFailedError struct {
	Item Item
	Err  error
}

func (e *ConditionFailedError) Error() string { return "conditional check failed: " + e.Err.Error() }
func (e *ConditionFailedError) Unwrap() error { return e.Err }

// Client is the DynamoDB client the store uses in production: four operations over
// awsjson, which keeps the AWS SDK's DynamoDB package (and its ~0.5 ms of package
// initialisation) out of every function.
type Client struct{ c *awsjson.Client }

var _ API = (*Client)(nil)

// NewClient builds a client from the AWS configuration awsenv.Load finds (the Lambda
// environment, else the SDK's default chain), with retries sized for a chat turn: the
// SDK's default backoff may sleep up to 20 s, far past any platform deadline, so a
// throttled or unreachable table gets two quick retries and then the caller decides
// (fail open or closed). endpoint overrides the service endpoint ("" keeps
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else the regional endpoint). observe,
// if not nil, wraps every call (tracing).
func NewClient(ctx context.Context, endpoint string, observe awsjson.Observer) (*Client, error) {
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("dynamostore: aws config: %w", err)
	}
	return NewClientWith(cfg, awsjson.Options{Endpoint: endpoint, Observe: observe, MaxAttempts: 3, MaxBackoff: 100 * time.Millisecond})
}

// NewClientWith builds a client from an explicit configuration (tests: fixed
// credentials, one attempt).
func NewClientWith(cfg aws.Config, o awsjson.Options) (*Client, error) {
	c, err := awsjson.New(cfg, awsjson.DynamoDB, o)
	if err != nil {
		return nil, fmt.Errorf("dynamostore: %w", err)
	}
	return &Client{c: c}, nil
}

// PutItem implements API.
func (c *Client) PutItem(ctx context.Context, in *PutItemInput) error {
	err := c.c.Call(ctx, "PutItem", in, nil)
	var e *awsjson.Error
	if errors.As(err, &e) && e.Code == "ConditionalCheckFailedException" {
		var body struct{ Item Item }
		_ = json.Unmarshal(e.Body, &body)
		return &ConditionFailedError{Item: body.Item, Err: err}
	}
	return err
}

// UpdateItem implements API.
func (c *Client) UpdateItem(ctx context.Context, in *UpdateItemInput) error {
	return c.c.Call(ctx, "UpdateItem", in, nil)
}

// GetItem implements API.
func (c *Client) GetItem(ctx context.Context, in *GetItemInput) (Item, error) {
	var out struct{ Item Item }
	if err := c.c.Call(ctx, "GetItem", in, &out); err != nil {
		return nil, err
	}
	return out.Item, nil
}

// DeleteItem implements API.
func (c *Client) DeleteItem(ctx context.Context, in *DeleteItemInput) error {
	return c.c.Call(ctx, "DeleteItem", in, nil)
}
