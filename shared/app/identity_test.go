package app

import (
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot"
	"github.com/switchboard-dev/switchboard/shared/connector/sqldb"
)

func TestToolIdentity(t *testing.T) {
	a, b := config.Default(), config.Default()
	a.Connectors.Tools[hubspot.Tool].(*hubspot.Config).BaseURL = "https://api.hubapi.com"
	b.Connectors.Tools[hubspot.Tool].(*hubspot.Config).BaseURL = "http://127.0.0.1:9999"
	if toolIdentity(a, "hubspot") == toolIdentity(b, "hubspot") {
		t.Error("two HubSpot base URLs share an identity")
	}
	if toolIdentity(a, "hubspot") == "hubspot" {
		t.Error("the HubSpot identity carries no digest of its configuration")
	}
	if toolIdentity(a, "hubspot") == toolIdentity(a, "demo") {
		t.Error("HubSpot and the demo share an identity")
	}
	a.DataDir, b.DataDir = "/srv/a", "/srv/b"
	if toolIdentity(a, "demo") == toolIdentity(b, "demo") {
		t.Error("two demo data directories share an identity")
	}
	// A DSN's password is not part of the identity (a rotated password is the same
	// database); its host and database are.
	sa, sb := a.Connectors.Tools[sqldb.Tool].(*sqldb.Config), b.Connectors.Tools[sqldb.Tool].(*sqldb.Config)
	sa.DSN, sb.DSN = "postgres://u:one@db:5432/crm", "postgres://u:two@db:5432/crm"
	if toolIdentity(a, "sql") != toolIdentity(b, "sql") {
		t.Error("the DSN's password changed the identity")
	}
	sb.DSN = "postgres://u:one@db:5432/other"
	if toolIdentity(a, "sql") == toolIdentity(b, "sql") {
		t.Error("two databases share an identity")
	}
}

// TestToolIdentitiesOnce: the read cache's identity of a tool (toolIdentities) is
// ToolIdentity's, computed once: asking again (every cached read asks) allocates
// nothing.
func TestToolIdentitiesOnce(t *testing.T) {
	cfg := config.Default()
	cfg.Connectors.Tools[hubspot.Tool].(*hubspot.Config).BaseURL = "https://api.hubapi.com"
	ids := toolIdentities(cfg)
	for _, tool := range []string{"hubspot", "none", "demo"} {
		if got, want := ids(tool), toolIdentity(cfg, tool); got != want {
			t.Errorf("%s: %q, want toolIdentity's %q", tool, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = ids("hubspot") }); n != 0 {
		t.Errorf("a known tool's identity costs %v allocations, want 0", n)
	}
}
