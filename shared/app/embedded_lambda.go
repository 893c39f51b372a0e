//go:build lambdabuild

package app

import (
	"context"
	"errors"

	"github.com/switchboard-dev/switchboard/shared/store"
)

// openEmbedded: Lambda builds (tag lambdabuild) leave the SQLite store out; a function
// keeps its idempotency records and cache in DynamoDB (store.backend: dynamodb), as the
// CDK app configures it.
func openEmbedded(context.Context, string) (store.Store, func() error, error) {
	return nil, nil, errors.New("the embedded store is not in Lambda builds: set store.backend to dynamodb")
}
