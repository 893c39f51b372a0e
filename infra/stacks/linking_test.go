package stacks_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/infra/stacks"
	"github.com/switchboard-dev/switchboard/shared/config"
	// Every tool's connector (infra itself links only their configuration sides,
	// shared/connector/specs), so the test knows each tool's package.
	_ "github.com/switchboard-dev/switchboard/shared/connector/all"
	"github.com/switchboard-dev/switchboard/shared/connector/registry"
	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

const module = "github.com/switchboard-dev/switchboard/"

// deps lists the packages pkg links with the given build tags (go list -deps).
func deps(t *testing.T, tags, pkg string) []string {
	t.Helper()
	args := []string{"list", "-deps"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(cmd.Args[1:], " "), err)
	}
	return strings.Fields(string(out))
}

// linkedTools returns the registered tools whose packages are among deps, sorted.
func linkedTools(deps []string) []string {
	var out []string
	for _, c := range registry.Connectors() {
		if slices.Contains(deps, c.Package) {
			out = append(out, c.Name)
		}
	}
	sort.Strings(out)
	return out
}

// TestFunctionsLinkOnlyTheirTools builds nothing: it asks `go list -deps` with the
// Lambda build tags which connector packages each function's bootstrap links, and
// holds that to the capabilities the stacks give the function (Function.Uses): every
// tool that can serve one of them, no other (so no tool's code, libraries or secret
// handling ride along in a function that may not use it), and never the demo backend.
func TestFunctionsLinkOnlyTheirTools(t *testing.T) {
	t.Parallel()
	// Spelled out, so a reader sees what each bootstrap contains; a tool added later
	// is held to the stacks by the second check alone, so infra needs no edit for it.
	want := map[string][]string{
		"lookupcustomer":  {"hubspot", "salesforce", "sql", "zendesk"},
		"createticket":    {"sql", "zendesk"},
		"verifypayment":   {"stripe"},
		"searchkb":        {"zendesk"},
		"updatecustomer":  {"hubspot", "salesforce", "sql"},
		stacks.RouterName: nil,
		"smoke":           nil,
	}
	if len(registry.Connectors()) < 6 {
		t.Fatalf("registered tools = %d, want every tool (this test links shared/connector/all)", len(registry.Connectors()))
	}
	// The libraries that make a bootstrap heavy, and the functions that may link them.
	heavy := map[string][]string{
		"github.com/jackc/pgx/v5":            {"lookupcustomer", "createticket", "updatecustomer"},
		"github.com/stripe/stripe-go/v76":    {"verifypayment"},
		"modernc.org/sqlite":                 nil,
		module + "shared/connector/demo":     nil,
		module + "shared/connector/registry": {"lookupcustomer", "createticket", "verifypayment", "searchkb", "updatecustomer"},
		// The AWS SDK's clients (each one's generated schemas and endpoint tables are
		// initialised at start whether or not an operation is called): DynamoDB only
		// where a turn can reach the store (idempotent writes, one-time codes; searchkb's
		// read turns never do) or the audit trail (the intent reads or writes customer
		// data: the audit table is written with the same client), SES only where codes
		// are sent, Lambda only where functions are invoked, and CloudWatch Logs nowhere
		// (its audit sink, cwaudit, is for `switchboard serve` and custom builds).
		"github.com/aws/aws-sdk-go-v2/service/dynamodb":       {"lookupcustomer", "createticket", "verifypayment", "updatecustomer"},
		"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs": nil,
		module + "shared/identity/cwaudit":                    nil,
		module + "shared/identity/ddbaudit":                   {"lookupcustomer", "createticket", "verifypayment", "updatecustomer"},
		"github.com/aws/aws-sdk-go-v2/service/sesv2":          {"lookupcustomer", "verifypayment", "updatecustomer"},
		"github.com/aws/aws-sdk-go-v2/service/lambda":         {stacks.RouterName, "smoke"},
	}
	// The audit sink and the code sender follow from what the stacks give each function:
	// the audit sink on the DynamoDB client wherever the stacks set identity.audit.sink
	// dynamodb (Function.Identity), never the CloudWatch Logs one.
	for _, f := range stacks.IntentFunctions {
		for lib, given := range map[string]bool{
			module + "shared/identity/ddbaudit":                   f.Identity,
			"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs": false,
			"github.com/aws/aws-sdk-go-v2/service/sesv2":          f.Codes,
		} {
			if slices.Contains(heavy[lib], f.Name) != given {
				t.Errorf("%s: links %s should be %v (Identity %v, Codes %v in the stacks)", f.Name, lib, given, f.Identity, f.Codes)
			}
		}
		if f.Identity && !slices.Contains(heavy["github.com/aws/aws-sdk-go-v2/service/dynamodb"], f.Name) {
			t.Errorf("%s audits (Identity in the stacks) but may not link the DynamoDB client its audit table needs", f.Name)
		}
	}
	// Every function is listed: a new one must say what it links.
	dirs, err := os.ReadDir(filepath.Join(testenv.RepoRoot(), "functions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, ok := want[d.Name()]; d.IsDir() && !ok {
			t.Errorf("functions/%s is not in this test", d.Name())
		}
	}
	uses := map[string][]stacks.Capability{stacks.RouterName: nil, "smoke": nil}
	for _, f := range stacks.IntentFunctions {
		uses[f.Name] = f.Uses
	}
	for fn, tools := range want {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			d := deps(t, testenv.LambdaTags, "./functions/"+fn)
			got := linkedTools(d)
			for _, w := range tools {
				if !slices.Contains(got, w) {
					t.Errorf("links tools %v, want %s among them", got, w)
				}
			}
			// The same set follows from the stacks: the tools able to serve what the
			// function is given.
			var fromUses []string
			for _, c := range registry.Connectors() {
				for _, capa := range uses[fn] {
					if c.Serves(string(capa)) && c.Name != config.ToolDemo && !slices.Contains(fromUses, c.Name) {
						fromUses = append(fromUses, c.Name)
					}
				}
			}
			sort.Strings(fromUses)
			if !slices.Equal(got, fromUses) {
				t.Errorf("links tools %v, but the tools that can serve its capabilities %v are %v: "+
					"import exactly those in functions/%s/main.go", got, uses[fn], fromUses, fn)
			}
			for lib, allowed := range heavy {
				linked := slices.ContainsFunc(d, func(p string) bool { return p == lib || strings.HasPrefix(p, lib+"/") })
				if linked != slices.Contains(allowed, fn) {
					t.Errorf("links %s = %v, want %v", lib, linked, !linked)
				}
			}
		})
	}
}

// TestDeploymentBuildsLinkTheirTools: `make build ENV=<name>` builds each intent
// function with the omit tags of its deployment (settings.LinkTags, through
// _tools/linktags); asked with those tags, `go list -deps` finds in each bootstrap
// exactly the tools the deployment chooses for the function's capabilities, pgx only
// where SQL is one of them, and SES v2 only where the function sends codes (sesIdentity
// set). The shipped environment files are the deployments, one of them with codes.
func TestDeploymentBuildsLinkTheirTools(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot()
	ctx, err := stacks.FileContext(filepath.Join(root, "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, over := range map[string]map[string]any{
		"example":        {"env": "example"},
		"salesforce-sql": {"env": "salesforce-sql"},
		// With codes: the code sender stays in the functions that send them.
		"example+codes": {"env": "example", settings.CtxSESIdentity: "codes@example.com"},
	} {
		s, err := stacks.LoadSettings(settings.Sources{Root: root, Context: ctx, Overrides: over})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range stacks.IntentFunctions {
			t.Run(name+"/"+f.Name, func(t *testing.T) {
				t.Parallel()
				tags := append([]string{testenv.LambdaTags}, s.LinkTags(f)...)
				d := deps(t, strings.Join(tags, ","), "./functions/"+f.Name)
				if got, want := linkedTools(d), s.LinkedTools(f); !slices.Equal(got, want) {
					t.Errorf("built with %v links tools %v, want the deployment's %v (tool.* for %v): "+
						"each functions/%s/link_<tool>.go needs //go:build !omit_<tool>", tags, got, want, f.Uses, f.Name)
				}
				pgx := slices.ContainsFunc(d, func(p string) bool { return strings.HasPrefix(p, "github.com/jackc/pgx/") })
				if want := slices.Contains(s.LinkedTools(f), "sql"); pgx != want {
					t.Errorf("links pgx = %v, want %v (tools %v)", pgx, want, s.LinkedTools(f))
				}
				ses := slices.ContainsFunc(d, func(p string) bool { return strings.HasPrefix(p, "github.com/aws/aws-sdk-go-v2/service/sesv2") })
				if want := s.SendsCodes(f); ses != want {
					t.Errorf("links SES v2 (the code sender) = %v, want %v (sesIdentity %q)", ses, want, s.SESIdentity)
				}
				if err := s.CheckLinked(f, tags); err != nil {
					t.Errorf("its own build refused: %v", err)
				}
			})
		}
	}
}

// TestServeLinksEveryTool: `switchboard serve` (cmd/switchboard) links every registered
// tool, the demo backend included.
func TestServeLinksEveryTool(t *testing.T) {
	t.Parallel()
	got := linkedTools(deps(t, "", "./cmd/switchboard"))
	var all []string
	for _, c := range registry.Connectors() {
		all = append(all, c.Name)
	}
	if !slices.Equal(got, all) || !slices.Contains(got, config.ToolDemo) {
		t.Errorf("switchboard links %v, want every tool %v", got, all)
	}
}
