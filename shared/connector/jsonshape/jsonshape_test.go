package jsonshape

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		keys    []string
		wantErr string
	}{
		{in: `{"a":1,"b":{"c":null}}`, keys: []string{"a", "b"}},
		{in: ` {} `, keys: nil},
		{in: `null`, wantErr: "got JSON null, want an object"},
		{in: `[1]`, wantErr: "got JSON array, want an object"},
		{in: `"x"`, wantErr: "got JSON string, want an object"},
		{in: `12`, wantErr: "got JSON number, want an object"},
		{in: `true`, wantErr: "got JSON boolean, want an object"},
		{in: `{"a":`, wantErr: "not JSON (offset 5)"},
		{in: `{"a" 1}`, wantErr: "not JSON (offset 6)"},
		{in: ``, wantErr: "not JSON (offset 0)"},
	}
	for _, tc := range tests {
		m, err := Object([]byte(tc.in))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Object(%q) error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Object(%q): %v", tc.in, err)
			continue
		}
		if len(m) != len(tc.keys) {
			t.Errorf("Object(%q) has %d keys, want %v", tc.in, len(m), tc.keys)
		}
		for _, k := range tc.keys {
			if _, ok := m[k]; !ok {
				t.Errorf("Object(%q) lacks %q", tc.in, k)
			}
		}
	}
}

func TestObjectDoesNotEchoTheValue(t *testing.T) {
	t.Parallel()
	_, err := Object([]byte(`"ada@example.com"`))
	if err == nil || strings.Contains(err.Error(), "ada") {
		t.Fatalf("error %v echoes the value", err)
	}
}

func TestIsNull(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"null", true}, {" null\n", true}, {"", false}, {`"null"`, false}, {"nul", false}, {"{}", false}, {"0", false},
	}
	for _, tc := range tests {
		if got := IsNull(json.RawMessage(tc.in)); got != tc.want {
			t.Errorf("IsNull(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestKindAndWantType(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"a":1}`, "object"}, {` [1]`, "array"}, {`"s"`, "string"}, {"true", "boolean"}, {"false", "boolean"},
		{"null", "null"}, {"-1.5", "number"}, {"42", "number"}, {"", "nothing"}, {" \t\n", "nothing"},
	}
	for _, tc := range tests {
		if got := Kind([]byte(tc.in)); got != tc.want {
			t.Errorf("Kind(%q) = %q, want %q", tc.in, got, tc.want)
		}
		want := "got JSON " + tc.want + ", want a string"
		if got := WantType("a string", []byte(tc.in)); got.Error() != want {
			t.Errorf("WantType(%q) = %q, want %q", tc.in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	forty := strings.Repeat("x", 40)
	tests := []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{forty, forty},
		{forty + "y", forty + "…"},
		{forty + strings.Repeat("z", 100), forty + "…"},
	}
	for _, tc := range tests {
		if got := Clip(tc.in); got != tc.want {
			t.Errorf("Clip(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
