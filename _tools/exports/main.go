// Command exports counts the exported package-level names (functions, types, variables,
// constants) of the product's packages that no other package names: no file outside
// the declaring package (an external _test package counts as outside; the CDK app and
// the bench modules count) refers to pkg.Name, or to a bare Name in a file that imports
// the package with "." (any exported identifier there counts: slightly generous). Methods
// and fields are not counted: telling their uses apart needs type information. Run from the repository root:
//
//	go run ./_tools/exports            # the counts
//	go run ./_tools/exports -list      # and every unused name
//
// (make exports). Standard library only, so it adds nothing to go.mod.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type pkgKey struct{ path string } // import path

type decl struct {
	pkg, name, pos, kind string
}

func main() {
	list := flag.Bool("list", false, "list every exported name no other package uses")
	only := flag.String("only", "", "count only packages whose import path contains this")
	flag.Parse()

	modules := map[string]string{} // dir -> module path
	filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skip(p) {
			return filepath.SkipDir
		}
		if d.Name() == "go.mod" {
			b, _ := os.ReadFile(p)
			for _, l := range strings.Split(string(b), "\n") {
				if f := strings.Fields(l); len(f) == 2 && f[0] == "module" {
					modules[filepath.Dir(p)] = f[1]
				}
			}
		}
		return nil
	})
	moduleOf := func(dir string) string {
		best := ""
		for m := range modules {
			if (m == "." || dir == m || strings.HasPrefix(dir, m+"/")) && len(m) >= len(best) {
				best = m
			}
		}
		return best
	}
	importPath := func(dir string) string {
		best := ""
		for m := range modules {
			if (m == "." || dir == m || strings.HasPrefix(dir, m+"/")) && len(m) >= len(best) {
				best = m
			}
		}
		rel, _ := filepath.Rel(best, dir)
		if rel == "." {
			return modules[best]
		}
		return modules[best] + "/" + filepath.ToSlash(rel)
	}

	fset := token.NewFileSet()
	type file struct {
		f   *ast.File
		pkg string // import path of the package the file belongs to ("_test" suffix: external test)
	}
	var files []file
	pkgName := map[string]string{} // import path -> package name
	var decls []decl
	rootModule := modules["."]
	_ = rootModule
	filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && skip(p) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil
		}
		ip := importPath(filepath.Dir(p))
		name := f.Name.Name
		own := ip
		if strings.HasSuffix(name, "_test") {
			own = ip + "_test"
		} else if !strings.HasSuffix(p, "_test.go") {
			pkgName[ip] = name
		}
		files = append(files, file{f, own})
		if own != ip || name == "main" || strings.HasSuffix(p, "_test.go") || moduleOf(filepath.Dir(p)) != "." || ip == rootModule ||
			strings.Contains(ip, "/tests/") {
			return nil // only the product's (root module's) non-test declarations are counted
		}
		for _, dc := range f.Decls {
			switch d := dc.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					decls = append(decls, decl{ip, d.Name.Name, fset.Position(d.Pos()).String(), "func"})
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							decls = append(decls, decl{ip, s.Name.Name, fset.Position(s.Pos()).String(), "type"})
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								decls = append(decls, decl{ip, n.Name, fset.Position(n.Pos()).String(), d.Tok.String()})
							}
						}
					}
				}
			}
		}
		return nil
	})

	used := map[[2]string]bool{} // {import path, name} named from another package
	for _, fl := range files {
		local := map[string]string{} // name in file -> import path
		var dot []string             // packages imported with "." (their names appear bare)
		for _, im := range fl.f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			n := pkgName[path]
			if im.Name != nil {
				n = im.Name.Name
			}
			if n == "." && path != fl.pkg {
				dot = append(dot, path)
			} else if n != "" && n != "_" {
				local[n] = path
			}
		}
		ast.Inspect(fl.f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.IsExported() {
				for _, path := range dot { // any exported identifier may be the dot-imported name
					used[[2]string{path, id.Name}] = true
				}
			}
			if se, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := se.X.(*ast.Ident); ok {
					if path, ok := local[id.Name]; ok && path != fl.pkg {
						used[[2]string{path, se.Sel.Name}] = true
					}
				}
			}
			return true
		})
	}

	sort.Slice(decls, func(i, j int) bool { return decls[i].pos < decls[j].pos })
	total, unused := 0, 0
	for _, d := range decls {
		if *only != "" && !strings.Contains(d.pkg, *only) {
			continue
		}
		total++
		if !used[[2]string{d.pkg, d.name}] {
			unused++
			if *list {
				fmt.Printf("%s\t%s\t%s.%s\n", d.pos, d.kind, filepath.Base(d.pkg), d.name)
			}
		}
	}
	fmt.Printf("exported package-level names: %d; never named outside their package: %d\n", total, unused)
}

func skip(p string) bool {
	b := filepath.Base(p)
	return b == ".cache" || b == "node_modules" || b == "testdata" || b == "cdk.out" || b == "build" ||
		(strings.HasPrefix(b, ".") && b != ".") || (strings.HasPrefix(b, "_") && p != "_tools")
}
