//go:build !lambdabuild

package registry

import (
	"context"
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/connector/demo"
)

// openDemo opens the embedded demo backend (SQLite) at path.
func openDemo(ctx context.Context, path string) (built, error) {
	b, err := demo.Open(ctx, path)
	if err != nil {
		return built{}, fmt.Errorf("demo backend at %s: %w", path, err)
	}
	return built{impl: b, auth: "none", closer: b.Close}, nil
}
