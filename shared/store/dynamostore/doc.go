// Package dynamostore is the store.Store backend on Amazon DynamoDB (aws-sdk-go-v2):
// one conditional PutItem (ReturnValuesOnConditionCheckFailure=ALL_OLD) per new record,
// one UpdateItem per completion, consistent GetItem for polling, and a Counting wrapper
// that reports how many DynamoDB calls each request path costs.
package dynamostore
