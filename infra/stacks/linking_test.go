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
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
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
// holds that to the capabilities the stacks give the function (Function.Uses, from its
// intent's contract): every tool that can serve one of them, no other (so no tool's
// code, libraries or secret handling ride along in a function that may not use it),
// and never the demo backend. A new intent or tool is checked without an edit here.
func TestFunctionsLinkOnlyTheirTools(t *testing.T) {
	t.Parallel()
	if len(registry.Connectors()) < 6 {
		t.Fatalf("registered tools = %d, want every tool (this test links shared/connector/all)", len(registry.Connectors()))
	}
	// What each function is given: the router and the smoke function no capability,
	// each intent function its intent's (the stacks' Function, and whether it writes).
	type given struct {
		stacks.Function
		intent, write bool
	}
	fns := map[string]given{stacks.RouterName: {}, "smoke": {}}
	for _, f := range stacks.IntentFunctions {
		in, ok := spec.Lookup(string(f.Intent))
		if !ok {
			t.Fatalf("%s: intent %s is not registered", f.Name, f.Intent)
		}
		fns[f.Name] = given{Function: f, intent: true, write: in.Write}
	}
	// Every function is listed: a new one must be an intent's (spec.Intent.Function) or
	// say here what it links.
	dirs, err := os.ReadDir(filepath.Join(testenv.RepoRoot(), "functions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, ok := fns[d.Name()]; d.IsDir() && !ok {
			t.Errorf("functions/%s is no registered intent's function and not in this test", d.Name())
		}
	}
	// The libraries that make a bootstrap heavy, and which functions may link them
	// (given what the stacks give them and the tools they link).
	heavy := map[string]func(g given, tools []string) bool{
		// A tool's own client library, only with the tool.
		"github.com/jackc/pgx/v5":            func(_ given, tools []string) bool { return slices.Contains(tools, "sql") },
		"github.com/stripe/stripe-go/v76":    func(_ given, tools []string) bool { return slices.Contains(tools, "stripe") },
		"modernc.org/sqlite":                 func(given, []string) bool { return false },
		module + "shared/connector/demo":     func(given, []string) bool { return false },
		module + "shared/connector/registry": func(g given, _ []string) bool { return g.intent },
		// The AWS SDK's clients (each one's generated schemas and endpoint tables are
		// initialised at start whether or not an operation is called): DynamoDB only
		// where a turn can reach the store (idempotent writes, one-time codes; a public
		// read's turns never do) or the audit trail (the intent reads or writes customer
		// data: the audit table is written with the same client), SES only where codes
		// are sent, Lambda only where functions are invoked, and CloudWatch Logs nowhere
		// (its audit sink, cwaudit, is for `switchboard serve` and custom builds).
		"github.com/aws/aws-sdk-go-v2/service/dynamodb": func(g given, _ []string) bool {
			return g.write || g.Codes || g.Identity
		},
		"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs": func(given, []string) bool { return false },
		module + "shared/identity/cwaudit":                    func(given, []string) bool { return false },
		// The audit sink on the DynamoDB client wherever the stacks set
		// identity.audit.sink dynamodb (Function.Identity).
		module + "shared/identity/ddbaudit":          func(g given, _ []string) bool { return g.Identity },
		"github.com/aws/aws-sdk-go-v2/service/sesv2": func(g given, _ []string) bool { return g.Codes },
		"github.com/aws/aws-sdk-go-v2/service/lambda": func(g given, _ []string) bool {
			return !g.intent // the router and the smoke function invoke functions
		},
	}
	for fn, g := range fns {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			d := deps(t, testenv.LambdaTags, "./functions/"+fn)
			got := linkedTools(d)
			// The tools able to serve what the function is given.
			var fromUses []string
			for _, c := range registry.Connectors() {
				for _, capa := range g.Uses {
					if c.Serves(string(capa)) && c.Name != config.ToolDemo && !slices.Contains(fromUses, c.Name) {
						fromUses = append(fromUses, c.Name)
					}
				}
			}
			sort.Strings(fromUses)
			if !slices.Equal(got, fromUses) {
				t.Errorf("links tools %v, but the tools that can serve its capabilities %v are %v: "+
					"import exactly those in functions/%s/main.go", got, g.Uses, fromUses, fn)
			}
			if g.intent && len(fromUses) == 0 {
				t.Errorf("no tool serves its capabilities %v", g.Uses)
			}
			for lib, allowed := range heavy {
				linked := slices.ContainsFunc(d, func(p string) bool { return p == lib || strings.HasPrefix(p, lib+"/") })
				if want := allowed(g, fromUses); linked != want {
					t.Errorf("links %s = %v, want %v", lib, linked, want)
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
