package adapters_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	_ "github.com/switchboard-dev/switchboard/shared/intents/all"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
	_ "github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// Every platform names lists is registered by its folder, with its docs page and its
// sample events.
func TestEveryPlatformIsRegistered(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot()
	for _, s := range names.All() {
		e, ok := platform.Lookup(conversation.Platform(s.Name))
		if !ok {
			t.Errorf("%s: in shared/platform/names but no folder registers it (platform.Register, imported by shared/platform/adapters)", s.Name)
			continue
		}
		if e.Name != s.Name || e.Title == "" {
			t.Errorf("%s: entry %+v does not carry its Spec", s.Name, e.Spec)
		}
		if want := "github.com/switchboard-dev/switchboard/shared/platform/" + s.Folder; e.Package != want {
			t.Errorf("%s: registered by %s, want its folder %s", s.Name, e.Package, want)
		}
		// A platform driven by a webhook body alone must let the console play it. One
		// that cannot be (the tool API: intent in the path, identity in a header) says
		// why in Smoke.Unsupported; the console's chat over it is not built yet.
		if c := e.Console; (c == nil || c.Request == nil || c.Read == nil) && e.Smoke.Unsupported == "" {
			t.Errorf("%s: no console simulator (platform.Entry.Console, shared/platform/%s/console.go): the conversation console cannot play it", s.Name, s.Folder)
		}
		if _, err := os.Stat(filepath.Join(root, "docs", "platforms", s.Doc)); err != nil {
			t.Errorf("%s: docs page: %v", s.Name, err)
		}
		if _, err := os.Stat(filepath.Join(root, "events", s.Name)); err != nil {
			t.Errorf("%s: sample events: %v", s.Name, err)
		}
	}
	if got, want := len(platform.Entries()), len(names.All()); got != want {
		t.Errorf("%d platforms registered, %d in shared/platform/names", got, want)
	}
}

// namedOutside lists the places the platforms are still named outside their folders on
// purpose, by file, with the reason. Everything else that lists "all platforms"
// iterates the registry (platform.Entries) or the names leaf (names.All): adding a
// platform touches its folder, its names entry, the adapters import, its events and
// its docs page (docs/extending.md), nothing else.
var namedOutside = map[string]string{
	// The Go constants (conversation.DialogflowES, …), kept for tests and benchmarks
	// that drive one platform; product code outside the folders does not use them.
	"shared/conversation/conversation.go": "the platform constants",
	// The one import of every platform folder (like shared/connector/all).
	"shared/platform/adapters/adapters.go": "links every platform",
	// `switchboard check`'s Lex bot check calls the Lex model-building API: it stays
	// in the CLI so that the adapter links no AWS SDK.
	"cmd/switchboard/checklex.go": "Lex bot check",
	// A direct Lambda invocation (no API Gateway envelope) is a Lex turn: how a Lambda
	// event is classified belongs to the admission front door (issue 23), not here.
	// Other direct invocations (Bedrock agents) are classified by their folder's
	// platform.Entry.Invoked.
	"shared/lambdafn/lambdafn.go": "Lex direct invocation",
	// "lex" as the ARN's service (arn:aws:lex:…), not as the platform.
	"shared/deploy/settings/settings.go": "Lex bot alias ARN",
}

// TestPlatformsAreNamedOnlyInTheirFolders fails when product code names a platform
// outside shared/platform/<name> and shared/platform/names: a string literal that is a
// platform name or older spelling ("rasa", "dialogflow_cx") or a webhook path
// ("/webhooks/rasa"), a platform constant (conversation.DialogflowCX, as in `case
// conversation.DialogflowCX:`), or an import of a platform's folder. Tests, the
// benchmark tools under tests/ and the folders themselves may.
func TestPlatformsAreNamedOnlyInTheirFolders(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot()
	found, err := scanNamed(root)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range found {
		if _, ok := namedOutside[f.file]; ok {
			seen[f.file] = true
			continue
		}
		t.Errorf("%s:%d names the platform by %s: list the platforms with names.All or platform.Entries, or put the code in the platform's folder (docs/extending.md)", f.file, f.line, f.what)
	}
	for file, why := range namedOutside {
		if !seen[file] {
			t.Errorf("%s is allowed to name platforms (%s) but no longer does: drop it from namedOutside", file, why)
		}
	}
}

// The scan finds each kind of naming it is meant to find.
func TestScanFindsPlatformNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package x

import (
	"github.com/switchboard-dev/switchboard/shared/conversation"
	_ "github.com/switchboard-dev/switchboard/shared/platform/rasa"
)

func f(p conversation.Platform) string {
	switch p {
	case conversation.DialogflowCX:
		return "/webhooks/dialogflow-cx"
	}
	return "dialogflow_cx"
}
`
	if err := os.MkdirAll(filepath.Join(dir, "shared", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shared", "x", "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// The same in a test file and in a platform's folder is fine.
	for _, p := range []string{"shared/x/x_test.go", "shared/platform/rasa/x.go"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	found, err := scanNamed(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		got = append(got, fmt.Sprintf("%s:%d %s", f.file, f.line, f.what))
	}
	want := []string{
		"shared/x/x.go:5 import of shared/platform/rasa",
		"shared/x/x.go:10 conversation.DialogflowCX",
		`shared/x/x.go:11 "/webhooks/dialogflow-cx"`,
		`shared/x/x.go:13 "dialogflow_cx"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("scan found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

type naming struct {
	file string // slash-separated, relative to the root
	line int
	what string
}

const module = "github.com/switchboard-dev/switchboard/"

// scanner finds where non-test Go files name a kind of plug-in: a string literal in
// spelled (or a webhook path whose segment is), a conversation.<const> in consts, or an
// import of one of folders (with sub, of a package under one too). The folders
// themselves, skip, and tests/ are not scanned.
type scanner struct {
	spelled, consts, folders, skip map[string]bool
	sub                            bool
}

// platformScanner names the platforms: their names and older spellings, their
// constants, their folders; the names leaf is not scanned.
func platformScanner() scanner {
	sc := scanner{spelled: map[string]bool{}, consts: map[string]bool{}, folders: map[string]bool{},
		skip: map[string]bool{"shared/platform/names": true}}
	for _, s := range names.All() {
		sc.spelled[s.Name] = true
		for _, a := range s.Aliases {
			sc.spelled[a] = true
		}
	}
	for _, e := range platform.Entries() {
		sc.folders[strings.TrimPrefix(e.Package, module)] = true
		sc.skip[strings.TrimPrefix(e.Package, module)] = true
	}
	for name, v := range map[string]conversation.Platform{"DialogflowES": conversation.DialogflowES,
		"DialogflowCX": conversation.DialogflowCX, "LexV2": conversation.LexV2, "Rasa": conversation.Rasa} {
		if sc.spelled[string(v)] {
			sc.consts[name] = true
		}
	}
	return sc
}

func scanNamed(root string) ([]naming, error) { return platformScanner().scan(root) }

// imports reports whether importing path (relative to the module) names a plug-in.
func (sc scanner) imports(path string) bool {
	for p := path; ; {
		if sc.folders[p] {
			return true
		}
		i := strings.LastIndexByte(p, '/')
		if !sc.sub || i < 0 {
			return false
		}
		p = p[:i]
	}
}

// scan parses every non-test Go file under root outside the skipped folders and
// tests/, and returns where they name a plug-in.
func (sc scanner) scan(root string) ([]naming, error) {
	var out []naming
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(path, root), string(filepath.Separator)))
		if d.IsDir() {
			n := d.Name()
			if rel != "" && (strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || n == "testdata" || n == "node_modules" || rel == "tests" || sc.skip[rel]) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		at := func(n ast.Node, what string) {
			out = append(out, naming{file: rel, line: fset.Position(n.Pos()).Line, what: what})
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.ImportSpec:
				v, _ := strconv.Unquote(x.Path.Value)
				if strings.HasPrefix(v, module) && sc.imports(strings.TrimPrefix(v, module)) {
					at(x, "import of "+strings.TrimPrefix(v, module))
				}
				return false
			case *ast.BasicLit:
				if x.Kind != token.STRING {
					return true
				}
				v, err := strconv.Unquote(x.Value)
				if err != nil {
					return true
				}
				seg, _, _ := strings.Cut(strings.TrimPrefix(v, names.PathPrefix), "/")
				if sc.spelled[v] || strings.HasPrefix(v, names.PathPrefix) && sc.spelled[seg] {
					at(x, x.Value)
				}
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok && id.Name == "conversation" && sc.consts[x.Sel.Name] {
					at(x, "conversation."+x.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	return out, err
}

// Every intent registered in shared/intents/spec has its Lambda function, its sample
// event on every platform, its reply catalogue keys, and a default name on every
// platform that no other intent has.
func TestEveryIntentIsComplete(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot()
	if len(spec.All()) == 0 {
		t.Fatal("no intent registered")
	}
	taken := map[string]string{}
	for _, in := range spec.All() {
		if _, err := os.Stat(filepath.Join(root, "functions", in.Function, "main.go")); err != nil {
			t.Errorf("%s: function: %v", in.Name, err)
		}
		for _, p := range names.All() {
			if _, err := os.Stat(filepath.Join(root, "events", p.Name, in.Samples)); err != nil {
				t.Errorf("%s: sample event on %s: %v", in.Name, p.Name, err)
			}
			n := p.DefaultIntentName(in.Name, in.Display)
			if other, dup := taken[p.Name+"/"+n]; dup {
				t.Errorf("%s and %s have the same default name %q on %s", in.Name, other, n, p.Name)
			}
			taken[p.Name+"/"+n] = in.Name
		}
		keys := append([]string{in.Withheld, in.Slow, in.Unfinished, in.StoreDown, in.Pending}, in.Replies...)
		for _, sl := range in.Slots {
			keys = append(keys, sl.Prompt, sl.Retry)
		}
		for _, k := range keys {
			if k != "" && !catalogHas(k) {
				t.Errorf("%s: reply catalogue key %q is not in the English catalogue", in.Name, k)
			}
		}
	}
	if !slices.Equal(intentNames(), conversation.Intents) {
		t.Errorf("conversation.Intents = %v, want the registered %v", conversation.Intents, intentNames())
	}
}

func intentNames() []conversation.Intent {
	var out []conversation.Intent
	for _, in := range spec.All() {
		out = append(out, conversation.Intent(in.Name))
	}
	return out
}

// catalogHas reports whether the English catalogue has key, or a key it starts
// (a prefix ending in ".").
func catalogHas(key string) bool {
	for _, k := range i18n.Keys(language.English) {
		if k == key || strings.HasSuffix(key, ".") && strings.HasPrefix(k, key) {
			return true
		}
	}
	return false
}

// namedIntentOutside lists the places the intents are still named outside their
// folders, by file, with the reason (docs/extending.md). An intent's folder,
// shared/intents/<name>, holds its contract and its handler (<name>/handler); its
// function, functions/<name>/main.go, names it and imports its handler; the generated
// lists (intentLists) import every folder.
var namedIntentOutside = map[string]string{
	"shared/conversation/conversation.go": "the intent constants, for tests and the functions' mains",
	// The constant tests/golden_test.go and tests/lambda_test.go drive update_customer by.
	// What a smoke answer must carry, per intent (the profile's truth).
	"shared/smoke/cases.go": "smoke truth per intent",
	// The calls that bring a tool's injected text back, for the agent surfaces' tests.
	"shared/platform/toolapi/agenttest/agenttest.go": "hostile calls per intent",
	// The alarm on too few lookups watches the lookup function.
	"infra/stacks/monitoring.go": "low-lookups alarm",
	// "create_ticket" as a tool's operation name (logs, metrics), not the intent.
	"shared/connector/demo/tickets.go": "operation name", "shared/connector/sqldb/tickets.go": "operation name",
	"shared/connector/zendesk/tickets.go": "operation name", "shared/resilience/decorators.go": "operation name",
	// "update_customer" as a tool's operation name, not the intent.
	"shared/connector/demo/customers.go": "operation name", "shared/connector/sqldb/customers.go": "operation name",
}

// intentLists are the two lists of every intent's folder, generated from the
// directory listing (go generate ./shared/intents): the contracts and the handlers.
var intentLists = map[string]bool{"shared/intents/all/all.go": true, "shared/intents/handlers/handlers.go": true}

// intentScanner names the intents: their canonical names, function names and constants
// (conversation.CreateTicket), and an import of their folder or of a package in it (its
// handler), outside shared/intents/<function>.
func intentScanner(ins []spec.Intent) scanner {
	sc := scanner{spelled: map[string]bool{}, consts: map[string]bool{}, folders: map[string]bool{},
		skip: map[string]bool{"shared/intents/spec": true}, sub: true}
	for _, in := range ins {
		sc.spelled[in.Name] = true
		sc.spelled[in.Function] = true
		sc.folders["shared/intents/"+in.Function] = true
		sc.skip["shared/intents/"+in.Function] = true
	}
	for name, v := range map[string]conversation.Intent{"LookupCustomer": conversation.LookupCustomer,
		"CreateTicket": conversation.CreateTicket, "VerifyPayment": conversation.VerifyPayment, "SearchKB": conversation.SearchKB} {
		if sc.spelled[string(v)] {
			sc.consts[name] = true
		}
	}
	return sc
}

// allowedIntentNaming reports whether file may name in's intents: a generated list,
// or an intent's function (its generated wiring: function.Main(<its intent>) and the
// import of its handler).
func allowedIntentNaming(ins []spec.Intent, file string) bool {
	if intentLists[file] {
		return true
	}
	for _, in := range ins {
		if file == "functions/"+in.Function+"/main.go" {
			return true
		}
	}
	return false
}

// TestIntentsAreNamedOnlyInTheirFolders is TestPlatformsAreNamedOnlyInTheirFolders
// for intents: their canonical names, function names, constants
// (conversation.CreateTicket) and folders (an import of shared/intents/<name> or of
// its handler), outside shared/intents/<name>.
func TestIntentsAreNamedOnlyInTheirFolders(t *testing.T) {
	t.Parallel()
	found, err := intentScanner(spec.All()).scan(testenv.RepoRoot())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range found {
		if allowedIntentNaming(spec.All(), f.file) {
			continue
		}
		if _, ok := namedIntentOutside[f.file]; ok {
			seen[f.file] = true
			continue
		}
		t.Errorf("%s:%d names the intent by %s: list the intents with shared/intents/spec.All, or put it in the intent's folder (docs/extending.md)", f.file, f.line, f.what)
	}
	for file, why := range namedIntentOutside {
		if !seen[file] {
			t.Errorf("%s is allowed to name intents (%s) but no longer does: drop it from namedIntentOutside", file, why)
		}
	}
}

// The intent scan finds an intent named outside its folder — by a literal, by an import
// of its folder or of its handler package, and in a handler beside the folder (where
// handlers were before they moved into it) — and nothing in the folder, its handler
// package, its function's main or the generated lists.
func TestScanFindsIntentNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(p, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := `package x

import (
	_ "github.com/switchboard-dev/switchboard/shared/intents/renewplan"
	_ "github.com/switchboard-dev/switchboard/shared/intents/renewplan/handler"
)

func f() string { return "renew_plan" }
`
	for _, p := range []string{"shared/x/x.go", "shared/intents/renewplan.go", "shared/intents/renewplan/handler/handler.go",
		"shared/intents/renewplan/renewplan.go", "functions/renewplan/main.go", "shared/intents/handlers/handlers.go",
		"shared/x/x_test.go"} {
		write(p, names)
	}
	ins := []spec.Intent{{Name: "renew_plan", Function: "renewplan"}}
	found, err := intentScanner(ins).scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		if !allowedIntentNaming(ins, f.file) {
			got = append(got, fmt.Sprintf("%s:%d %s", f.file, f.line, f.what))
		}
	}
	want := []string{
		"shared/intents/renewplan.go:4 import of shared/intents/renewplan",
		"shared/intents/renewplan.go:5 import of shared/intents/renewplan/handler",
		`shared/intents/renewplan.go:8 "renew_plan"`,
		"shared/x/x.go:4 import of shared/intents/renewplan",
		"shared/x/x.go:5 import of shared/intents/renewplan/handler",
		`shared/x/x.go:8 "renew_plan"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("scan found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
