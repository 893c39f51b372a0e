//go:build !lambdabuild

package app

import (
	"context"
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/embedded"

	// Outside Lambda builds (serve, tests) the DynamoDB backend is always linked; a
	// Lambda function links it from its main only if its turns use the store.
	_ "github.com/switchboard-dev/switchboard/shared/store/dynamostore"
)

// openEmbedded opens the embedded SQLite store at path.
func openEmbedded(ctx context.Context, path string) (store.Store, func() error, error) {
	s, err := embedded.Open(ctx, path, embedded.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("store at %s: %w", path, err)
	}
	return s, s.Close, nil
}
