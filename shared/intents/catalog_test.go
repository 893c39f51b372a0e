package intents

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/switchboard-dev/switchboard/shared/i18n"
	"golang.org/x/text/language"
)

// TestNoEnglishInHandlers: the handlers' and the engine's replies come from the
// catalogs, so their code holds no sentence — only catalog keys, which must exist in
// the English catalog. Log messages and comments are not replies.
func TestNoEnglishInHandlers(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range i18n.Keys(language.English) {
		keys[k] = true
	}
	// Each intent's handler is in its folder (shared/intents/<name>/handler).
	handlerDirs, err := filepath.Glob(filepath.Join("*", "handler"))
	if err != nil || len(handlerDirs) == 0 {
		t.Fatalf("no handler packages under shared/intents/*/handler (%v)", err)
	}
	dirs := append([]string{".", "../engine", "../idempotency", "../router"}, handlerDirs...)
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			// A reference's path names a result field ("payment.amount"), not a reply.
			paths := map[ast.Node]bool{}
			ast.Inspect(file, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok && isLogCall(call) {
					return false
				}
				if call, ok := n.(*ast.CallExpr); ok && isReferenceCall(call) && len(call.Args) > 0 {
					paths[call.Args[0]] = true
				}
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING || paths[lit] {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				if looksLikeKey(s) && strings.Contains(s, ".") && isReplyKeyPrefix(s) && !keys[s] {
					t.Errorf("%s: catalog key %q is not in the English catalog", fset.Position(lit.Pos()), s)
				}
				if isSentence(s) {
					t.Errorf("%s: %q looks like a reply sentence; put it in the catalogs", fset.Position(lit.Pos()), s)
				}
				return true
			})
		}
	}
}

// isLogCall reports a call to a logger or an error constructor, whose texts are for
// operators, not callers.
func isLogCall(c *ast.CallExpr) bool {
	var name string
	switch f := c.Fun.(type) {
	case *ast.SelectorExpr:
		name = f.Sel.Name
		if x, ok := f.X.(*ast.Ident); ok && (x.Name == "slog" || x.Name == "errors" || x.Name == "fmt" && name == "Errorf") {
			return true
		}
	case *ast.Ident:
		name = f.Name
	}
	switch name {
	case "LogAttrs", "Log", "Info", "Warn", "Error", "Debug", "InfoContext", "WarnContext", "ErrorContext", "DebugContext", "Errorf", "New":
		return true
	}
	return false
}

// isReferenceCall reports a call of Answer.Tool or Ref (intents.Ref in a handler),
// whose first argument is a result field's path.
func isReferenceCall(c *ast.CallExpr) bool {
	switch f := c.Fun.(type) {
	case *ast.SelectorExpr:
		return f.Sel.Name == "Tool" || f.Sel.Name == "Ref"
	case *ast.Ident:
		return f.Name == "Ref"
	}
	return false
}

func looksLikeKey(s string) bool {
	for _, r := range s {
		if !(r == '.' || r == '_' || unicode.IsLower(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

func isReplyKeyPrefix(s string) bool {
	for _, p := range []string{"reply.", "what.", "prompt.", "retry.", "lookup.", "ticket.", "payment.", "kb."} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// isSentence: three or more words of letters, starting with a capital — the shape of
// every reply this package used to write in English.
func isSentence(s string) bool {
	words := strings.Fields(s)
	if len(words) < 3 {
		return false
	}
	r := []rune(words[0])
	return unicode.IsUpper(r[0])
}
