package tests

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// maxSeedBytes caps one seed file. Go minimises every input that finds new coverage,
// and its minimiser is quadratic in the input's length: offspring of a 10-20 KB seed
// (a whole Rasa tracker) held a fuzz worker in minimisation for seconds at a time, so
// the exec counter stood still for most of a run. Seeds are the sample events and
// fixtures, compacted and trimmed; the full files stay with the unit tests.
const maxSeedBytes = 4 << 10

// seedIO names the calls a fuzz target must not make: its seeds come from
// testdata/fuzz/<Name> (or short literals), never from reading files, and an exec never
// does I/O or starts a server.
var seedIO = map[string]map[string]bool{
	"os":       nil, // any function
	"ioutil":   nil,
	"filepath": {"Glob": true, "Walk": true, "WalkDir": true},
	"fs":       {"ReadFile": true, "ReadDir": true, "Glob": true, "WalkDir": true},
	"httptest": nil,
	"net":      {"Listen": true, "Dial": true, "DialTimeout": true},
	"exec":     nil,
}

// TestFuzzTargetsHaveSmallSeeds walks the module: every Fuzz function has a seed corpus
// beside it in testdata/fuzz/<Name> with at least one "go test fuzz v1" file, no seed
// over maxSeedBytes (files or f.Add string literals), and no file reads, servers or
// processes in the target (seed helpers named read*/load*/open* included).
func TestFuzzTargetsHaveSmallSeeds(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from tests/: %v", err)
	}
	targets := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "_tools" || name == "node_modules" || name == "cdk.out" || name == "build" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Fuzz") || fn.Body == nil {
				continue
			}
			targets++
			name := rel + ":" + fn.Name.Name
			checkCorpus(t, name, filepath.Join(filepath.Dir(path), "testdata", "fuzz", fn.Name.Name))
			checkTargetBody(t, name, fset, fn)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if targets == 0 {
		t.Fatal("no fuzz targets found: the walk is broken")
	}
}

func checkCorpus(t *testing.T, target, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Errorf("%s: no seed corpus: %v", target, err)
		return
	}
	files := 0
	for _, e := range entries {
		if e.IsDir() {
			t.Errorf("%s: %s is a directory in the seed corpus", target, e.Name())
			continue
		}
		files++
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Errorf("%s: %v", target, err)
			continue
		}
		if len(raw) > maxSeedBytes {
			t.Errorf("%s: seed %s is %d bytes, over %d: trim it", target, e.Name(), len(raw), maxSeedBytes)
		}
		if !bytes.HasPrefix(raw, []byte("go test fuzz v1\n")) {
			t.Errorf("%s: seed %s is not a \"go test fuzz v1\" file", target, e.Name())
		}
	}
	if files == 0 {
		t.Errorf("%s: seed corpus %s is empty", target, dir)
	}
}

func checkTargetBody(t *testing.T, target string, fset *token.FileSet, fn *ast.FuncDecl) {
	t.Helper()
	f := "" // the *testing.F parameter's name
	if ps := fn.Type.Params.List; len(ps) == 1 && len(ps[0].Names) == 1 {
		f = ps[0].Names[0].Name
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		pos := fset.Position(call.Pos()).Line
		switch fun := call.Fun.(type) {
		case *ast.Ident:
			if seedHelper(fun.Name) {
				t.Errorf("%s (line %d): calls %s: seeds belong in testdata/fuzz", target, pos, fun.Name)
			}
		case *ast.SelectorExpr:
			if x, ok := fun.X.(*ast.Ident); ok {
				if funcs, bad := seedIO[x.Name]; bad && (funcs == nil || funcs[fun.Sel.Name]) {
					t.Errorf("%s (line %d): calls %s.%s: seeds belong in testdata/fuzz, and an exec does no I/O", target, pos, x.Name, fun.Sel.Name)
				}
				if x.Name == f && fun.Sel.Name == "Add" {
					for _, arg := range call.Args {
						if n := literalLen(arg); n > maxSeedBytes {
							t.Errorf("%s (line %d): %s.Add of a %d-byte literal, over %d", target, pos, f, n, maxSeedBytes)
						}
					}
				}
			}
			if seedHelper(fun.Sel.Name) {
				t.Errorf("%s (line %d): calls %s: seeds belong in testdata/fuzz", target, pos, fun.Sel.Name)
			}
		}
		return true
	})
}

// literalLen is the length of a string literal argument, also inside a conversion such
// as []byte("..."); 0 for anything else.
func literalLen(e ast.Expr) int {
	if c, ok := e.(*ast.CallExpr); ok && len(c.Args) == 1 {
		e = c.Args[0]
	}
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return 0
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return 0
	}
	return len(s)
}

// seedHelper reports whether a function name reads like a file-loading helper
// (readFixture, readEvent, loadSample, openCorpus...).
func seedHelper(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "read") || strings.HasPrefix(l, "load") || strings.HasPrefix(l, "open")
}
