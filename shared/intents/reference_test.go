package intents

import (
	"regexp"
	"strings"
	"testing"
)

// checkReference is a hand-written form of this rule; the test holds it to the regexp.
var referenceRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$`)

func referenceByRE(s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	if !referenceRE.MatchString(s) || !strings.ContainsAny(s, "0123456789") {
		return "", false
	}
	return s, true
}

func TestCheckReferenceMatchesRule(t *testing.T) {
	cases := []string{"", "#", "a1", "ab1", " #ORD-1001 ", "pi_demo_ada_1", "_ab1", "-ab1", "1__", "abc",
		"ab 1", "ab.1", "ab1é", "'; drop table", strings.Repeat("a", 63) + "1", strings.Repeat("a", 64) + "1",
		"##12", "1" + strings.Repeat("-", 63), "ABC123", "a\x001"}
	for _, c := range cases {
		got, gotOK := checkReference(c)
		want, wantOK := referenceByRE(c)
		if got != want || gotOK != wantOK {
			t.Errorf("checkReference(%q) = %q, %v; the rule says %q, %v", c, got, gotOK, want, wantOK)
		}
	}
}

func FuzzCheckReference(f *testing.F) {
	for _, s := range []string{"pi_demo_ada_1", "#ORD-1001", "ab", "_x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gotOK := checkReference(s)
		want, wantOK := referenceByRE(s)
		if got != want || gotOK != wantOK {
			t.Fatalf("checkReference(%q) = %q, %v; the rule says %q, %v", s, got, gotOK, want, wantOK)
		}
	})
}
