package platform

import (
	"math"
	"testing"
	"unicode/utf8"
)

func TestEncodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"no HTML escaping", map[string]string{"text": "<b>Tom & Jerry</b>"}, `{"text":"<b>Tom & Jerry</b>"}`},
		{"no trailing newline", []int{1, 2}, `[1,2]`},
		{"unicode kept", "café …", `"café …"`},
		{"null", nil, `null`},
	}
	for _, tc := range tests {
		got, err := EncodeJSON(tc.in)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: EncodeJSON(%v) = %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}
	if b, err := EncodeJSON(math.NaN()); err == nil {
		t.Errorf("EncodeJSON(NaN) = %q, want an error", b)
	}
}

func TestCutNeverExceeds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"  padded  ", 6, "padded"},
		{"exactly ten", 11, "exactly ten"},
		{"one two three", 8, "one two…"},
		{"Überlänge", 5, "Über…"},
		{"abc", 1, "a"},
		{"abc", 0, ""},
	} {
		got := Cut(tt.in, tt.max)
		if got != tt.want || utf8.RuneCountInString(got) > tt.max || !utf8.ValidString(got) {
			t.Errorf("Cut(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
