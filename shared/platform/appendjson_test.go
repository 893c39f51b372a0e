package platform

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// appendCases are strings every escape rule meets: controls, quotes, HTML characters,
// JavaScript line terminators, invalid and truncated UTF-8, astral runes.
var appendCases = []string{
	"", "plain", `quote " and \ back`, "<b>Ada</b> & co", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "line\u2028sep\u2029para", "bad \xff byte", "cut \xe2\x80", "é ü 中文 🙂",
	"\xed\xa0\x80 surrogate", "\u00ad soft hyphen \ufeff bom", strings.Repeat("x<", 300),
}

// TestAppendJSONAsEncodeJSON: AppendString, AppendRaw and AppendInt write what
// EncodeJSON writes for the same value.
func TestAppendJSONAsEncodeJSON(t *testing.T) {
	if !HandEncode {
		t.Skip("Go 1.26's encoding/json: the adapters use EncodeJSON")
	}
	for _, s := range appendCases {
		want, err := EncodeJSON(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %s, EncodeJSON %s", s, got, want)
		}
		if got := AppendEscaped([]byte(`"`), s); !bytes.Equal(append(got, '"'), want) {
			t.Errorf("AppendEscaped(%q) = %s, EncodeJSON %s", s, got, want)
		}
		checkMarshalString(t, s)
	}
	for _, raw := range []string{`{"a": [1, 2 ,{"b":"<&>"}]}`, " \"x\u2028\" ", "null", "1e999", `"\u003c"`, `"ada@example.com"`, `"\u003cb\u003e \" \\ \/ \n é"`,
		`"\u00e9"`, `"\u2028"`, `"\ud83d\ude00"`, `"\x"`, `"\u00"`, `"a"b"`, "\"\x01\"", "\"\xff\"", "\"\u2029\"", `"`, `""`, `"\"`} {
		want, werr := EncodeJSON(json.RawMessage(raw))
		got, err := AppendRaw([]byte("x"), json.RawMessage(raw))
		if (err == nil) != (werr == nil) || err == nil && !bytes.Equal(got[1:], want) {
			t.Errorf("AppendRaw(%s) = %s %v, EncodeJSON %s %v", raw, got, err, want, werr)
		}
	}
	if _, err := AppendRaw(nil, json.RawMessage("{")); err == nil {
		t.Error("AppendRaw took invalid JSON")
	}
	if got, _ := AppendRaw(nil, nil); string(got) != "null" {
		t.Errorf("AppendRaw(nil) = %s", got)
	}
	for _, n := range []int64{0, -1, 5, 1 << 40} {
		want, _ := EncodeJSON(n)
		if got := AppendInt(nil, n); !bytes.Equal(got, want) {
			t.Errorf("AppendInt(%d) = %s, want %s", n, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range appendCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !HandEncode {
			t.Skip("Go 1.26's encoding/json: the adapters use EncodeJSON")
		}
		want, err := EncodeJSON(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, EncodeJSON %s", s, got, want)
		}
	})
}

// checkMarshalString: AppendMarshalString writes what json.Marshal writes.
func checkMarshalString(t *testing.T, s string) {
	t.Helper()
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendMarshalString([]byte("x"), s); !bytes.Equal(got[1:], want) {
		t.Fatalf("AppendMarshalString(%q) = %s, json.Marshal %s", s, got[1:], want)
	}
}

func FuzzAppendMarshalString(f *testing.F) {
	for _, s := range appendCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !HandEncode {
			t.Skip("Go 1.26's encoding/json: the adapters use json.Marshal")
		}
		checkMarshalString(t, s)
		// The adapters' parameter values, made so, are written as they are.
		raw := AppendMarshalString(nil, s)
		want, _ := EncodeJSON(json.RawMessage(raw))
		if got, err := AppendRaw(nil, raw); err != nil || !bytes.Equal(got, want) || !bytes.Equal(got, raw) {
			t.Fatalf("AppendRaw(%s) = %s %v, EncodeJSON %s", raw, got, err, want)
		}
	})
}

func FuzzAppendRaw(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2 ,{"b":"<&>"}]}`, " \"x\u2028\u2029\" ", "null", "1e999", `"\u003c"`, "\"\xff\"", `{"a":"\u2028"}`,
		`"ada@example.com"`, `"\u003cb\u003e \" \\ \/ \n é"`, `"\u00e9"`, `"\x"`, `"\u00"`, `"a"b"`, "\"\x01\"", `"\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !HandEncode {
			t.Skip("Go 1.26's encoding/json: the adapters use EncodeJSON")
		}
		want, err := EncodeJSON(json.RawMessage(raw))
		got, gerr := AppendRaw(nil, raw)
		if (err == nil) != (gerr == nil) {
			t.Fatalf("AppendRaw(%q) error %v, EncodeJSON %v", raw, gerr, err)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("AppendRaw(%q) = %q, EncodeJSON %q", raw, got, want)
		}
	})
}

// identityTokenSlow is IdentityToken without its fast path.
func identityTokenSlow(raw []byte) string {
	if len(raw) == 0 || raw[0] != '{' {
		return ""
	}
	var v struct {
		Token any `json:"identity_token"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	s, _ := v.Token.(string)
	return strings.TrimSpace(s)
}

var identitySeeds = []string{
	`{"identity_token":"eyJ.a.b"}`, `{"identity_token":" t "}`, `{"identity_token":5}`, `{"identity_token":null}`,
	`{"identity_token":"a","identity_token":"b"}`, `{"Identity_Token":"a"}`, `{"identity_token":"a","IDENTITY_TOKEN":1}`,
	`{"x":{"identity_token":"no"},"identity_token":"yes"}`, `{"identity_token":1e999}`, `{"x":1e999,"identity_token":"t"}`,
	"{\"x\":\"\xff\",\"identity_token\":\"t\"}", `{"identity_\u0074oken":"t"}`, `{"identity_token":"\u0074"} x`, `{}`, `{"a":[1,{}]}`,
	`{"identity_token":{"a":1}}`, `{"identity_token":"t"`, `{"ıdentity_token":"t"}`,
}

// TestIdentityTokenFastAsUnmarshal: IdentityToken (fast path first) answers as
// json.Unmarshal into an any answers.
func TestIdentityTokenFastAsUnmarshal(t *testing.T) {
	fast := 0
	for _, s := range identitySeeds {
		if got, want := IdentityToken([]byte(s)), identityTokenSlow([]byte(s)); got != want {
			t.Errorf("IdentityToken(%s) = %q, Unmarshal %q", s, got, want)
		}
		if _, ok := fastIdentityToken([]byte(s)); ok {
			fast++
		}
	}
	if _, ok := fastIdentityToken([]byte(identitySeeds[0])); !ok && fastPathBuilt {
		t.Error("a plain payload did not take the fast path")
	}
	t.Logf("%d of %d on the fast path", fast, len(identitySeeds))
}

func FuzzIdentityToken(f *testing.F) {
	for _, s := range identitySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := IdentityToken(raw), identityTokenSlow(raw); got != want {
			t.Fatalf("IdentityToken(%q) = %q, Unmarshal %q", raw, got, want)
		}
	})
}
