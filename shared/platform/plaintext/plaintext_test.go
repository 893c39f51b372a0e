package plaintext

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

const wj = WordJoiner

func TestInert(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"Can't log in (2 < 3)", "Can't log in (2 < 3)"},
		{"a <= b && c > d", "a <= b && c > d"},
		{"[Reset your password](https://evil.example/login)", "[Reset your password]" + wj + "(https:" + wj + "//evil.example/login)"},
		{"![x](https://evil.example/p.png)", "![x]" + wj + "(https:" + wj + "//evil.example/p.png)"},
		{"<img src=x onerror=alert(1)>", "<" + wj + "img src=x onerror=alert(1)>"},
		{"</script>", "<" + wj + "/script>"},
		{"<!-- c -->", "<" + wj + "!-- c -->"},
		{"&lt;b&gt; &#60; AT&T", "&" + wj + "lt;b&" + wj + "gt; &" + wj + "#60; AT&" + wj + "T"},
		{"<https://evil.example>", "<" + wj + "https:" + wj + "//evil.example>"},
		{"see www.evil.example now", "see www" + wj + ".evil.example now"},
		{"awww.no", "awww.no"},
		{"[a][b]", "[a]" + wj + "[b]"},
		{"# Heading", wj + "# Heading"},
		{"> quote", wj + "> quote"},
		{"1. item", wj + "1. item"},
		{"2024 report", "2024 report"},
		{"line one\n\n# two\r\n\tthree", "line one # two three"},
		{"  ", ""},
		{"Grüße\x00 aus Köln", "Grüße aus Köln"},
	} {
		got := Inert(c.in)
		if got != c.want {
			t.Errorf("Inert(%q) = %q, want %q", c.in, got, c.want)
		}
		if again := Inert(got); again != got {
			t.Errorf("Inert is not idempotent on %q: %q", got, again)
		}
		if strings.ReplaceAll(got, wj, "") != strings.Join(strings.Fields(strings.ReplaceAll(c.in, "\x00", " ")), " ") {
			t.Errorf("Inert(%q) changed visible text: %q", c.in, got)
		}
	}
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"Can't log in (2 < 3)", "Can't log in (2 < 3)"},
		{"**bold** and *it*", `\*\*bold\*\* and \*it\*`},
		{"_it_ but snake_case", `\_it\_ but snake_case`},
		{"`code` ~~gone~~", "\\`code\\` \\~\\~gone\\~\\~"},
		{"[x]" + wj + "(y)", `\[x\]` + wj + "(y)"},
		{`a\*b c\d`, `a\\*b c\d`},
		{"support@example.com — #1012", "support@example.com — #1012"},
		{"a payment ID (pi_…) or 2*3", "a payment ID (pi_…) or 2*3"},
		{"[x] alone ] and ~", `\[x\] alone \] and ~`},
	} {
		if got := Markdown(c.in); got != c.want {
			t.Errorf("Markdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLink(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"https://help.example.com/articles/1-reset", true},
		{"http://help.example.com/articles/1-reset", false},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(1)", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{"//evil.example/x", false},
		{"/articles/1", false},
		{"https://user:pw@help.example.com/", false},
		{"https://help.example.com/a b", false},
		{"https:///path", false},
		{"", false},
	} {
		if got := Link(c.in) != ""; got != c.want {
			t.Errorf("Link(%q) allowed = %v, want %v", c.in, got, c.want)
		}
	}
	hosts := []string{"help.example.com"}
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"https://help.example.com/a", true},
		{"https://HELP.example.com:443/a", true},
		{"https://evil.example/a", false},
		{"https://help.example.com.evil.example/a", false},
		{"http://help.example.com/a", false},
	} {
		if got := AllowedHost(c.in, hosts); got != c.want {
			t.Errorf("AllowedHost(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	if AllowedHost("https://help.example.com/a", nil) {
		t.Error("an empty allow-list allows a link")
	}
	if got := HostOf("https://Support.Example.com:8443/requests/"); got != "support.example.com" {
		t.Errorf("HostOf = %q", got)
	}
}

// inertBefore is Inert as it was written before it learned to return an unchanged text
// without a copy: the reference the faster one is held to.
func inertBefore(s string) string {
	sep := func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }
	s = strings.Join(strings.FieldsFunc(strings.ToValidUTF8(s, "\uFFFD"), sep), " ")
	if s == "" {
		return ""
	}
	var b strings.Builder
	if opensBlock(s) {
		b.WriteString(WordJoiner)
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+n])
		rest := s[i+n:]
		switch r {
		case '<':
			if c, ok := next(rest); ok && (isASCIILetter(c) || c == '/' || c == '!' || c == '?') {
				b.WriteString(WordJoiner)
			}
		case '&':
			if c, ok := next(rest); ok && (isASCIILetter(c) || c == '#') {
				b.WriteString(WordJoiner)
			}
		case ']':
			if c, ok := next(rest); ok && (c == '(' || c == '[') {
				b.WriteString(WordJoiner)
			}
		case ':':
			if strings.HasPrefix(rest, "//") {
				b.WriteString(WordJoiner)
			}
		case 'w', 'W':
			if (i == 0 || !isWordByte(s[i-1])) && len(rest) >= 3 && strings.EqualFold(rest[:2], "ww") && rest[2] == '.' {
				b.WriteString(rest[:2])
				b.WriteString(WordJoiner)
				n += 2
			}
		}
		i += n
	}
	return b.String()
}

// TestInertAsBefore: Inert writes what it always wrote, on 200 000 texts built from
// every piece its rules look at (a seeded generator: every run checks the same texts).
func TestInertAsBefore(t *testing.T) {
	t.Parallel()
	pieces := []string{"a", "Z", "é", "ß", "w", "W", "ww", "www", ".", ":", "//", "/", "<", ">", "&", "#", "]", "[", "(", ")",
		"!", "?", "1", "9.", "2)", "-", "*", "|", "`", "~", "=", "+", " ", "  ", "\t", "\n", "\r\n", "\x00", "\x7f", "\u0085",
		"\u00a0", "\u2028", "\u3000", "\xff", "\xe2\x82", "\uFFFD", WordJoiner, "https://x.example", "&lt;", "<b>", "[x](y)"}
	rng := rand.New(rand.NewPCG(24, 1))
	for range 200000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		in := b.String()
		if got, want := Inert(in), inertBefore(in); got != want {
			t.Fatalf("Inert(%q) = %q, before %q", in, got, want)
		}
	}
}

// TestInertKeepsPlainText: a text that needs no change is returned without a copy
// (allocations are counted, not time).
func TestInertKeepsPlainText(t *testing.T) {
	for _, s := range []string{"Ada Lovelace", "Analytical Engines Ltd", "Grüße aus Köln", "Can't log in (2 < 3)", "Pro"} {
		if n := testing.AllocsPerRun(50, func() { _ = Inert(s) }); n != 0 {
			t.Errorf("Inert(%q): %v allocations, want 0", s, n)
		}
	}
}

// TestMarkdownKeepsPlainText: a text with nothing Markdown would style is returned
// without a copy, and one with something is still escaped (allocations are counted).
func TestMarkdownKeepsPlainText(t *testing.T) {
	for _, s := range []string{"I found Ada Lovelace (Pro plan, active).", "Grüße aus Köln", ""} {
		if got := Markdown(s); got != s {
			t.Errorf("Markdown(%q) = %q", s, got)
		}
		if n := testing.AllocsPerRun(50, func() { _ = Markdown(s) }); n != 0 {
			t.Errorf("Markdown(%q): %v allocations, want 0", s, n)
		}
	}
	for in, want := range map[string]string{`a \* b`: `a \\* b`, "*x*": `\*x\*`, "a_b_c": "a_b_c", "_x_": `\_x\_`, "[a](b)": `\[a\](b)`} {
		if got := Markdown(in); got != want {
			t.Errorf("Markdown(%q) = %q, want %q", in, got, want)
		}
	}
}
