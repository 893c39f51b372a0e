package intents

import "testing"

func TestCheckEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Ada@Example.COM": "ada@example.com", " mailto:ada@example.com ": "ada@example.com",
		"ada.lovelace+bot@mail.example.co.uk": "ada.lovelace+bot@mail.example.co.uk",
	} {
		if got, ok := checkEmail(in); !ok || got != want {
			t.Errorf("checkEmail(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"ada", "ada@", "@example.com", "ada@localhost", "Ada <ada@example.com>",
		"ada@example..com", "a b@example.com", "ada@example.com\nbcc:x@y.z", "ada@.example.com"} {
		if _, ok := checkEmail(bad); ok {
			t.Errorf("checkEmail(%q) accepted", bad)
		}
	}
}
