package platform

import (
	"math"
	"testing"
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
