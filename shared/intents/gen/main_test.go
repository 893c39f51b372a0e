package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestListsAreCurrent fails while shared/intents/all or shared/intents/handlers does
// not list exactly the folders under shared/intents, as go generate writes them.
func TestListsAreCurrent(t *testing.T) {
	t.Parallel()
	files, err := render("..")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(name)))
		if err != nil || string(got) != string(want) {
			t.Errorf("shared/intents/%s is stale (%v): run go generate ./shared/intents", name, err)
		}
	}
}

// The scan lists a folder that registers a contract, and its handler/ when that
// registers a handler, whatever the import is named; it skips folders that register
// nothing and test files, and refuses a handler without its contract.
func TestScan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(path, src string) {
		t.Helper()
		path = filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	contract := "package %s\n\nimport \"" + pkg + "/spec\"\n\nfunc init() { spec.Register(spec.Intent{}) }\n"
	handler := "package handler\n\nimport in \"" + pkg + "\"\n\nfunc init() { in.Register(\"x\", in.Handler{}) }\n"
	write("alpha/alpha.go", strings.ReplaceAll(contract, "%s", "alpha"))
	write("alpha/handler/handler.go", handler)
	write("beta/beta.go", strings.ReplaceAll(contract, "%s", "beta")) // no handler yet
	write("spec/spec.go", "package spec\n\nfunc Register(any) {}\n")
	write("gamma/gamma_test.go", strings.ReplaceAll(contract, "%s", "gamma"))
	write("delta/handler/handler_test.go", handler)
	write("testdata/x/x.go", strings.ReplaceAll(contract, "%s", "x"))
	f, err := scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.contracts, []string{"alpha", "beta"}) || !slices.Equal(f.handlers, []string{"alpha"}) {
		t.Errorf("scan = contracts %v, handlers %v; want [alpha beta], [alpha]", f.contracts, f.handlers)
	}
	files, err := render(dir)
	if err != nil {
		t.Fatal(err)
	}
	if h := string(files[handlersFile]); !strings.Contains(h, `_ "`+pkg+`/alpha/handler"`) || strings.Contains(h, "beta") ||
		!strings.HasPrefix(h, "// Code generated ") {
		t.Errorf("handlers list:\n%s", h)
	}
	if a := string(files[allFile]); !strings.Contains(a, `_ "`+pkg+`/alpha"`) || !strings.Contains(a, `_ "`+pkg+`/beta"`) {
		t.Errorf("contracts list:\n%s", a)
	}
	write("epsilon/handler/handler.go", handler)
	if _, err := scan(dir); err == nil || !strings.Contains(err.Error(), "epsilon") {
		t.Errorf("a handler without its contract: %v", err)
	}
}
