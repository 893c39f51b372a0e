package telemetry

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestRedactorString(t *testing.T) {
	t.Parallel()
	r := newRedactor("s3cr3t-client-value")
	tests := []struct {
		name, in   string
		want       string   // exact output, when set
		gone, kept []string // substrings that must disappear / stay
	}{
		{name: "email masked", in: "customer jane.doe@example.com not found", want: "customer j***@example.com not found"},
		{name: "two emails", in: "a@b.io,bob+x@mail.example.org", want: "a***@b.io,b***@mail.example.org"},
		{name: "at sign without domain", in: "meet @ noon or user@localhost", want: "meet @ noon or user@localhost"},
		{name: "visa card with spaces", in: "card 4242 4242 4242 4242 declined", want: "card [card ****4242] declined"},
		{name: "card with dashes", in: "pan=5555-5555-5555-4444", gone: []string{"5555-5555-5555-4444"}},
		{name: "16 digits failing luhn kept", in: "order 4242424242424241", want: "order 4242424242424241"},
		{name: "phone-length digits failing luhn", in: "ref 424242424241", want: "ref [phone ***41]"},
		{name: "short reference kept", in: "ticket 12345 opened", want: "ticket 12345 opened"},
		{name: "e164 phone", in: "call +44 20 7946 0958 now", want: "call [phone ***58] now"},
		{name: "us phone", in: "phone (415) 555-0132.", want: "phone [phone ***32]."},
		{name: "date kept", in: "as of 2024-05-01 12:30", kept: []string{"2024-05-01"}},
		{name: "ipv4 kept", in: "dial 192.168.100.200 failed", want: "dial 192.168.100.200 failed"},
		{name: "id with letters kept", in: "pi_3MtwBwLkdIwHu7ix28a3tqPa", want: "pi_3MtwBwLkdIwHu7ix28a3tqPa"},
		{name: "registered secret", in: "auth with s3cr3t-client-value failed", want: "auth with [REDACTED] failed"},
		{name: "bearer header", in: "Authorization: Bearer abc.def-ghi_jkl", gone: []string{"abc.def-ghi_jkl"}, kept: []string{"Bearer"}},
		{name: "basic header", in: "basic dXNlcjpwYXNzd29yZA==", want: "basic [REDACTED]"},
		{name: "query secret", in: "GET /x?api_key=abcd1234&email=x", gone: []string{"abcd1234"}, kept: []string{"email=x"}},
		{name: "json-ish secret", in: `{"client_secret":"zzzyyyxxx","id":1}`, gone: []string{"zzzyyyxxx"}, kept: []string{`"id":1`}},
		{name: "stripe key", in: "key sk_test_4eC39HqLyjWDarjtT1zdp7dc used", want: "key [REDACTED] used"},
		{name: "aws key id", in: "AKIAIOSFODNN7EXAMPLE", want: "[REDACTED]"},
		{name: "jwt", in: "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl end", want: "tok [REDACTED] end"},
		{name: "pem key", in: "k=-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- tail", want: "k=[REDACTED] tail"},
		{name: "plain text untouched", in: "lookup_customer fulfilled", want: "lookup_customer fulfilled"},
		// Issue 12: what leaked at debug level.
		{name: "url.Error query and userinfo", in: `Get "https://bot:pa55word@acme.zendesk.example/api/v2/users/search.json?query=email%3Ajane.doe%40example.com&x=1": dial tcp: connection refused`,
			want: `Get "https://acme.zendesk.example/api/v2/users/search.json?[REDACTED]": dial tcp: connection refused`},
		{name: "percent-encoded email", in: "email=jane.doe%40example.com failed", gone: []string{"jane.doe", "ane.doe%40"}, kept: []string{"example.com"}},
		{name: "plus-addressed percent-encoded email", in: "q=ada%2Bvip%40example.com", gone: []string{"ada%2Bvip", "vip"}},
		{name: "unicode local part and domain", in: "user jösé.müller@exämple.de seen", want: "user j***@exämple.de seen"},
		{name: "unicode first letter kept whole", in: "élodie@example.fr", want: "é***@example.fr"},
		{name: "cjk address", in: "用户名@例子.中国", gone: []string{"户名"}},
		{name: "apostrophe bang hash local part", in: "o'brien!#x@example.com asked", want: "o***@example.com asked"},
		{name: "password after a harmless key", in: "key: password=hunter2-secret", gone: []string{"hunter2-secret"}},
		{name: "token after a harmless pair", in: "note=hello token=abc123xyz789", gone: []string{"abc123xyz789"}, kept: []string{"note=hello"}},
		{name: "phone glued to letters", in: "tel4155550132x", gone: []string{"4155550132"}},
		{name: "card glued to letters", in: "cc4111111111111111end", gone: []string{"4111111111111111"}},
		{name: "short glued id kept", in: "id ab12345678cd", want: "id ab12345678cd"},
		{name: "xray id kept", in: "1-5759e988-bd862e3fe1be46a994272793", want: "1-5759e988-bd862e3fe1be46a994272793"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := r.String(tc.in)
			if tc.want != "" && got != tc.want {
				t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
			}
			for _, g := range tc.gone {
				if strings.Contains(got, g) {
					t.Errorf("String(%q) = %q still contains %q", tc.in, got, g)
				}
			}
			for _, k := range tc.kept {
				if !strings.Contains(got, k) {
					t.Errorf("String(%q) = %q lost %q", tc.in, got, k)
				}
			}
		})
	}
}

func TestRegisteredSecretValues(t *testing.T) {
	t.Parallel()
	r := newRedactor()
	r.AddSecrets(map[string]string{"client_secret": "abc def/ghi+jkl==", "user": "bot"})
	got := r.String("sent abc def/ghi+jkl== and abc+def%2Fghi%2Bjkl%3D%3D as bot")
	if strings.Contains(got, "ghi") {
		t.Errorf("secret value or its query escaping survived: %q", got)
	}
	if off := NewUnsafeRedactor(); off.String("jane@example.com") != "jane@example.com" {
		t.Error("the unsafe redactor redacted")
	}
}

func TestLuhn(t *testing.T) {
	t.Parallel()
	for ds, want := range map[string]bool{"4242424242424242": true, "4000056655665556": true, "378282246310005": true,
		"4242424242424241": false, "1234567890123": false} {
		if got := luhn(ds); got != want {
			t.Errorf("luhn(%s) = %v, want %v", ds, got, want)
		}
	}
}

type customerView struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	Card  struct {
		Number string `json:"number"`
		CVC    string `json:"cvc"`
	} `json:"card"`
	APIKey string `json:"api_key"`
}

type valuer struct{ email string }

func (v valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", v.email), slog.String("token", "tok-123456789"))
}

func TestRedactorNestedAttributes(t *testing.T) {
	t.Parallel()
	const (
		email  = "jane.doe@example.com"
		phone  = "+1 415 555 0132"
		card   = "4242424242424242"
		secret = "hunter2-hunter2"
	)
	var cv customerView
	cv.Name, cv.Email, cv.Phone, cv.Card.Number, cv.Card.CVC, cv.APIKey = "Jane", email, phone, card, "123", secret
	var buf bytes.Buffer
	log := slog.New(newLogHandler(&buf, LogOptions{Level: slog.LevelDebug, Redactor: newRedactor(secret)}))
	log.With(slog.String("password", secret)).WithGroup("g").Info("user "+email+" said "+card,
		slog.Group("inner", slog.String("contact", email), slog.Group("deeper", slog.String("Authorization", "Bearer "+secret))),
		slog.Any("struct", cv),
		slog.Any("ptr", &cv),
		slog.Any("map", map[string]any{"list": []any{email, map[string]string{"x_api_key": "v"}}, "n": 4242424242424242}),
		slog.Any("slice", []string{phone, "ok"}),
		slog.Any("valuer", valuer{email}),
		slog.Any("err", errors.New("lookup "+email+" with key "+secret)),
		slog.Any("body", []byte(`{"session":{"phone":"`+phone+`"},"cardNumber":"`+card+`"}`)),
		slog.Any("raw", json.RawMessage(`"`+email+`"`)),
		slog.String("ok", "fulfilled"),
	)
	out := buf.String()
	for _, bad := range []string{email, phone, card, secret, "tok-123456789", "4242 4242", "jane.doe"} {
		if strings.Contains(out, bad) {
			t.Errorf("log line contains %q:\n%s", bad, out)
		}
	}
	for _, good := range []string{`"ok":"fulfilled"`, "j***@example.com", "[card ****4242]", `"name":"Jane"`, Redacted} {
		if !strings.Contains(out, good) {
			t.Errorf("log line lacks %q:\n%s", good, out)
		}
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON line: %v\n%s", err, out)
	}
}

func TestRedactRecordFastPathKeepsRecord(t *testing.T) {
	c := &logCore{red: newRedactor()}
	r := slog.NewRecord(testTime, slog.LevelInfo, "tool call", 0)
	r.AddAttrs(slog.String("tool", "demo"), slog.Int("attempt", 1))
	allocs := testing.AllocsPerRun(100, func() { _ = c.redactRecord(r) })
	if allocs != 0 {
		t.Errorf("redacting a clean record allocates %v times", allocs)
	}
}

// TestLogHandlerLinesMatchSlogJSON checks the hand-written encoder against
// slog.JSONHandler on the same records (groups, nesting, every value kind).
func TestLogHandlerLinesMatchSlogJSON(t *testing.T) {
	t.Parallel()
	type payload struct {
		A int      `json:"a"`
		B []string `json:"b"`
	}
	log := func(l *slog.Logger) {
		l = l.With(slog.String("svc", "x")).WithGroup("g").With(slog.Int("n", 1)).WithGroup("h")
		l.Info("m \"quoted\"\n\t\u2028", slog.Float64("f", 1.5), slog.Float64("tiny", 1e-9), slog.Bool("b", true),
			slog.Duration("d", 1500*time.Millisecond), slog.Time("t", testTime), slog.Uint64("u", 7),
			slog.Group("grp", slog.String("s", "v\x01\xff"), slog.Group("empty")), slog.Any("p", payload{A: 1, B: []string{"y"}}),
			slog.Any("nil", nil), slog.Group("", slog.String("inline", "yes")))
		l.Warn("no attrs")
	}
	var mine, ref bytes.Buffer
	log(slog.New(newLogHandler(&mine, LogOptions{})))
	log(slog.New(slog.NewJSONHandler(&ref, nil)))
	strip := func(s string) []map[string]any {
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("invalid JSON line %q: %v", line, err)
			}
			delete(m, "time")
			out = append(out, m)
		}
		return out
	}
	got, want := strip(mine.String()), strip(ref.String())
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("lines differ from slog.JSONHandler:\n got %s\nwant %s", gj, wj)
	}
}
