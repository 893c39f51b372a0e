package intents

import (
	"net/mail"
	"strings"
	"testing"
)

// checkEmailBefore is checkEmail as it was before its fast path (net/mail for every
// address): the reference the fast path is held to.
func checkEmailBefore(s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "mailto:"))
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>\"") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	return strings.ToLower(a.Address), true
}

// emailCases are addresses at the edges of what net/mail reads: comments, quoted and
// bracketed parts, specials, dots, UTF-8, control bytes, lengths.
var emailCases = []string{
	"ada@example.com", "Ada@Example.COM", " mailto:ada@example.com ", "mailto:", "mailto:ada@example.com",
	"ada.lovelace+bot@mail.example.co.uk", "a@b.c", "a@b", "@b.c", "a@", "a@.b.c", "a@b.c.", "a@b..c",
	".a@b.c", "a.@b.c", "a..b@c.d", "a@b@c.d", "a(b)@c.d", "a@c.d(comment)", "(c)a@b.c", "a@(c)b.c",
	`"a"@b.c`, `"a b"@c.d`, "a@[1.2.3.4]", "a@[b.c]", "[a]@b.c", "a\\b@c.d", "a,b@c.d", "a;b@c.d",
	"a:b@c.d", "a<b@c.d", "a>b@c.d", "Ada <ada@example.com>", "<ada@example.com>", "ada@example.com>",
	"é@exämple.fr", "ada@exämple.fr", "ada@example.com\x00", "ada\x7f@example.com", "ada@example.com\t",
	"ada@ex ample.com", "ada@example.com\nbcc:x@y.z", "\xff@b.c", "a@b.\xffc", "g:a@b.c;", "g:;",
	"!#$%&'*+-/=?^_`{|}~@b.c", "a@!#$%&'*+-/=?^_`{|}~.c", "a@-.-", "a@b.c ", "=?utf-8?q?a?=@b.c",
	"a@b.c,d@e.f", "A@B.C", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com",
	strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", strings.Repeat("a", 300) + "@b.c",
	"mailto:mailto:a@b.c", "  a@b.c  ", "a@b.c.d.e.f", "1@2.3", "a@b.c\r",
}

// TestCheckEmailFastPath: checkEmail answers what the net/mail check answered, on
// every edge case; plainAddress only ever accepts what net/mail accepts as itself.
func TestCheckEmailFastPath(t *testing.T) {
	t.Parallel()
	for _, in := range emailCases {
		got, ok := checkEmail(in)
		want, wantOK := checkEmailBefore(in)
		if got != want || ok != wantOK {
			t.Errorf("checkEmail(%q) = %q, %v; net/mail's check: %q, %v", in, got, ok, want, wantOK)
		}
		if plainAddress(in) {
			if a, err := mail.ParseAddress(in); err != nil || a.Address != in || a.Name != "" {
				t.Errorf("plainAddress(%q) but net/mail reads %+v, %v", in, a, err)
			}
		}
	}
}

// TestCheckEmailAllocations: a plain address, lower-case already, is checked without
// an allocation (net/mail's parser allocated five times for it).
func TestCheckEmailAllocations(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		if _, ok := checkEmail("ada.lovelace@example.co.uk"); !ok {
			t.Fatal("refused")
		}
	})
	if n != 0 {
		t.Errorf("checkEmail allocates %v times per call, want 0", n)
	}
}

// FuzzCheckEmail holds checkEmail to net/mail's check on any input.
func FuzzCheckEmail(f *testing.F) {
	for _, s := range emailCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := checkEmail(in)
		want, wantOK := checkEmailBefore(in)
		if got != want || ok != wantOK {
			t.Fatalf("checkEmail(%q) = %q, %v; net/mail's check: %q, %v", in, got, ok, want, wantOK)
		}
	})
}
