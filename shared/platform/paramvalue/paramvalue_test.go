package paramvalue

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`"ada@example.com"`, "ada@example.com"},
		{`"  padded\t"`, "padded"},
		{`" spaced "`, "spaced"},
		{`"caf\u00e9"`, "café"},
		{`"a\"b"`, `a"b`},
		{`""`, ""},
		{`"unterminated`, ""},
		{`"bad \x escape"`, ""},
		{"\"\xff\"", "\uFFFD"}, // invalid UTF-8 goes through the decoder, which replaces it
	}
	for _, tc := range tests {
		if got := String(json.RawMessage(tc.in)); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDialogflow(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"empty", ``, ""},
		{"null", `null`, ""},
		{"string", `" A-1001 "`, "A-1001"},
		{"integer", `42`, "42"},
		{"negative integer", `-7`, "-7"},
		{"big integer kept as written", `123456789012345678901234567890`, "123456789012345678901234567890"},
		{"integral float", `42.0`, "42"},
		{"fraction", `12.5`, "12.5"},
		{"large float", `1e21`, "1e+21"},
		{"malformed number", `1.2.3`, ""},
		{"true", `true`, "true"},
		{"false", `false`, "false"},
		{"list: first usable", `["", null, "second", "third"]`, "second"},
		{"empty list", `[]`, ""},
		{"malformed list", `[1,`, ""},
		{"unit-currency amount", `{"amount": 12.5, "currency": "USD"}`, "12.5"},
		{"person name", `{"name": "Ada"}`, "Ada"},
		{"date_time before value", `{"value": "v", "date_time": "2026-01-02T03:04:05Z"}`, "2026-01-02T03:04:05Z"},
		{"preferred key order", `{"original": "o", "value": "v"}`, "v"},
		{"sorted keys after preferred", `{"zeta": "z", "alpha": "a"}`, "a"},
		{"empty preferred falls through", `{"amount": null, "beta": "b"}`, "b"},
		{"malformed struct", `{"a":`, ""},
		{"nested within depth", `[[[[ "deep" ]]]]`, "deep"},
		{"nested past depth", `[[[[[ "too deep" ]]]]]`, ""},
	}
	for _, tc := range tests {
		if got := Dialogflow(json.RawMessage(tc.in)); got != tc.want {
			t.Errorf("%s: Dialogflow(%s) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
