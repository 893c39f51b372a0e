// Command gen writes the two lists of the intents' folders from the directory listing:
// shared/intents/all (every folder shared/intents/<name> whose package registers a
// contract, spec.Register) and shared/intents/handlers (every <name>/handler, which
// registers its handler, intents.Register). `go generate ./shared/intents` runs it; a
// new intent's folder is listed without an edit by hand, and gen's test fails while a
// list is stale.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// pkg is shared/intents's import path.
const pkg = "github.com/switchboard-dev/switchboard/shared/intents"

// Where the lists go, relative to shared/intents.
const (
	allFile      = "all/all.go"
	handlersFile = "handlers/handlers.go"
)

func main() {
	dir := flag.String("dir", ".", "the shared/intents directory")
	flag.Parse()
	files, err := render(*dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(*dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// folders are the intents' folders under shared/intents, by name, sorted: those whose
// package registers a contract, and those of them with a handler package.
type folders struct {
	contracts, handlers []string
}

// scan reads dir (shared/intents): each folder directly under it whose package calls
// spec.Register is an intent's contract; its handler is the folder's handler/
// package, which calls intents.Register. A handler without its contract is an error.
func scan(dir string) (folders, error) {
	var f folders
	entries, err := os.ReadDir(dir)
	if err != nil {
		return f, err
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") || e.Name() == "testdata" {
			continue
		}
		contract, err := calls(filepath.Join(dir, e.Name()), pkg+"/spec", "Register")
		if err != nil {
			return f, err
		}
		handler, err := calls(filepath.Join(dir, e.Name(), "handler"), pkg, "Register")
		if err != nil {
			return f, err
		}
		switch {
		case handler && !contract:
			return f, fmt.Errorf("%s/handler registers a handler, but %s registers no contract (spec.Register)", e.Name(), e.Name())
		case contract:
			f.contracts = append(f.contracts, e.Name())
			if handler {
				f.handlers = append(f.handlers, e.Name())
			}
		}
	}
	return f, nil
}

// calls reports whether a non-test Go file in dir calls function fn of the package
// imported from path (under whatever name the file imports it). A missing dir has
// none.
func calls(dir, path, fn string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return false, err
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
		if err != nil {
			return false, err
		}
		local := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == path {
				local = path[strings.LastIndexByte(path, '/')+1:]
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" {
			continue
		}
		found := false
		ast.Inspect(f, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == fn {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == local {
						found = true
					}
				}
			}
			return !found
		})
		if found {
			return true, nil
		}
	}
	return false, nil
}

// render returns the two lists for the folders under dir (shared/intents), by their
// paths relative to it.
func render(dir string) (map[string][]byte, error) {
	f, err := scan(dir)
	if err != nil {
		return nil, err
	}
	all, err := list(`// Package all links every intent's contract: each folder shared/intents/<name>
// registers itself (spec.Register) from its init. shared/conversation imports it, so
// every binary knows every intent; it answers those whose handlers it imports
// (shared/intents/handlers).
package all`, f.contracts, "")
	if err != nil {
		return nil, err
	}
	handlers, err := list(`// Package handlers links every intent's handler (shared/intents/<name>/handler), each
// registered (intents.Register) from its init. Whatever answers every intent imports
// it — `+"`switchboard serve`"+` and the rest of cmd/switchboard, the tests, the load
// benchmark — while an intent's function imports its own handler only
// (functions/<name>/main.go), so it links no other intent's code.
package handlers`, f.handlers, "/handler")
	if err != nil {
		return nil, err
	}
	return map[string][]byte{allFile: all, handlersFile: handlers}, nil
}

// list is a Go file of package doc (its comment and clause) that imports, for
// their init alone, pkg/<name><suffix> for each name.
func list(doc string, names []string, suffix string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by shared/intents/gen from the folders under shared/intents; DO NOT EDIT.\n")
	b.WriteString("// Run go generate ./shared/intents after adding or removing an intent.\n\n")
	b.WriteString(doc + "\n\n")
	if len(names) > 0 {
		b.WriteString("import (\n")
		for _, n := range names {
			fmt.Fprintf(&b, "\t_ %q\n", pkg+"/"+n+suffix)
		}
		b.WriteString(")\n")
	}
	return format.Source(b.Bytes())
}
