package specs_test

import (
	"go/build"
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	_ "github.com/switchboard-dev/switchboard/shared/connector/all"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
)

// TestEveryToolHasItsSpec: every tool shared/connector/all links, but demo, keeps its
// configuration side in <its package>/spec and this package imports it, so the CDK
// app knows the tool without linking its client.
func TestEveryToolHasItsSpec(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range registry.Connectors() {
		if c.Name == config.ToolDemo {
			continue
		}
		if want := c.Package + "/spec"; !slices.Contains(pkg.Imports, want) {
			t.Errorf("tool %q: shared/connector/specs does not import %s (its configuration side); imports %v", c.Name, want, pkg.Imports)
		}
	}
}
