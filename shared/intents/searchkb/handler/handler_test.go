package handler

import (
	"strings"
	"testing"
)

// TestOneLine: a snippet is folded onto one line and cut on a word boundary (from the
// intents' TestFormat, when this handler was a file of package intents).
func TestOneLine(t *testing.T) {
	t.Parallel()
	if got := oneLine("a  b\n c", 10); got != "a b c" {
		t.Error(got)
	}
	if got := oneLine(strings.Repeat("word ", 50), 20); len([]rune(got)) > 21 || !strings.HasSuffix(got, "…") {
		t.Error(got)
	}
}
