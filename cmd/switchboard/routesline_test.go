package main

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// The listening line names every registered platform where serve answers it (it used
// to list four webhooks by hand, leaving out Amazon Bedrock Agents), and a platform
// registered later without any edit here.
func TestRoutesLineFromTheRegistry(t *testing.T) {
	t.Parallel()
	specs := append(names.All(), names.Spec{Name: "teams", Title: "Teams"})
	got := routesLine(specs)
	if !strings.HasPrefix(got, "webhooks under "+names.PathPrefix+"{") {
		t.Fatalf("line %q does not start with the webhooks", got)
	}
	for _, sp := range specs {
		if len(sp.APIRoutes) == 0 {
			if !strings.Contains(got, sp.Name+",") && !strings.Contains(got, sp.Name+"}") {
				t.Errorf("%s's webhook is not in %q", sp.Name, got)
			}
			continue
		}
		if !strings.Contains(got, sp.Title+" at ") {
			t.Errorf("%s is not named in %q", sp.Title, got)
		}
		for _, r := range sp.APIRoutes {
			_, path, _ := strings.Cut(r, " ")
			if !strings.Contains(got, path) {
				t.Errorf("%s's route %s is not in %q", sp.Name, path, got)
			}
		}
	}
	// A path with several methods (MCP's POST, GET and DELETE /mcp) is listed once.
	if n := strings.Count(routesLine(names.All()), "/mcp"); n != 1 {
		t.Errorf("/mcp listed %d times: %q", n, routesLine(names.All()))
	}
}
