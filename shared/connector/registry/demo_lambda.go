//go:build lambdabuild

package registry

import (
	"context"
	"errors"
)

// openDemo: Lambda builds (tag lambdabuild) leave the SQLite demo backend out — a
// deployed function never answers from demo data, and the CDK app sets every
// capability a function does not use to "none".
func openDemo(context.Context, string) (built, error) {
	return built{}, errors.New("the demo backend is not in Lambda builds: set this capability to a real tool or none")
}
