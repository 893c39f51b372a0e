package tests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// TestInputsStayInRepository holds the repository to standing on its own: a user clones
// it with nothing beside it, so no Go file may build a path that leaves the repository.
// Every filepath.Join whose arguments are string literals (or testenv.RepoRoot(), or
// runtime.Caller's file's directory) is resolved against the file's own directory, which
// is where `go test` runs a package, and must stay inside the root.
func TestInputsStayInRepository(t *testing.T) {
	root := testenv.RepoRoot()
	var escapes []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "_tools" || name == "node_modules" || name == "cdk.out" || name == "build") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		for _, e := range joinEscapes(t, root, path) {
			escapes = append(escapes, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range escapes {
		t.Errorf("path leaves the repository: %s", e)
	}
}

// joinEscapes lists the filepath.Join calls of file that resolve outside root.
func joinEscapes(t *testing.T, root, file string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	dir := filepath.Dir(file)
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Join" {
			return true
		}
		if pkg, ok := sel.X.(*ast.Ident); !ok || (pkg.Name != "filepath" && pkg.Name != "path") {
			return true
		}
		if len(call.Args) == 0 {
			return true
		}
		base := dir
		args := call.Args
		switch first := args[0].(type) {
		case *ast.CallExpr:
			// testenv.RepoRoot() / RepoRoot(), and filepath.Dir(file) of runtime.Caller
			// (the file's own directory).
			switch fn := first.Fun.(type) {
			case *ast.SelectorExpr:
				if fn.Sel.Name == "RepoRoot" {
					base = root
				} else if fn.Sel.Name != "Dir" {
					return true
				}
			case *ast.Ident:
				if fn.Name == "RepoRoot" {
					base = root
				} else {
					return true
				}
			default:
				return true
			}
			args = args[1:]
		case *ast.BasicLit:
		default:
			return true
		}
		parts := []string{base}
		for _, a := range args {
			lit, ok := a.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				break // a variable part: only the literal prefix is judged
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			parts = append(parts, s)
		}
		p := filepath.Clean(filepath.Join(parts...))
		if rel, err := filepath.Rel(root, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(os.PathSeparator)) {
			out = append(out, fset.Position(call.Pos()).String()+" → "+p)
		}
		return true
	})
	return out
}

// TestJoinEscapesCatchesOutsidePaths proves the check can fail: the way the vendor
// OpenAPI files used to be found (next to the repository) is caught.
func TestJoinEscapesCatchesOutsidePaths(t *testing.T) {
	root := t.TempDir()
	src := `package x
import "path/filepath"
func a() string { return filepath.Join(RepoRoot(), "..", "shared", "vendor-specs") }
func b() string { return filepath.Join("..", "..", "..", "elsewhere") }
func c() string { return filepath.Join("testdata", "openapi") }
func d() string { return filepath.Join("..", "..", "events") }
func RepoRoot() string { return "" }
`
	if err := os.MkdirAll(filepath.Join(root, "shared", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(root, "shared", "x", "x_test.go")
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got := joinEscapes(t, root, f)
	if len(got) != 2 {
		t.Fatalf("escapes found = %q, want the RepoRoot/.. and the ../../.. joins only", got)
	}
}
