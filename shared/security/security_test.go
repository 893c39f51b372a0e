package security_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/security"
)

func guard(t *testing.T) *security.Guard {
	t.Helper()
	cfg := config.Default().Security
	cfg.Webhooks["dialogflow"] = config.WebhookAuth{Method: config.AuthBasic, Secret: "df"}
	cfg.Webhooks["dialogflow-cx"] = config.WebhookAuth{Method: config.AuthHeader, Secret: "cx", Header: "X-Switchboard-Token"}
	cfg.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthToken, Secret: "rasa", Param: "token"}
	cfg.Webhooks["lex"] = config.WebhookAuth{Method: config.AuthNone}
	cfg.Webhooks["tool-api"] = config.WebhookAuth{Method: config.AuthBearer, Secret: "api"}
	p := secrets.Static{
		"api":  {"token": "api-token-789", security.PreviousToken: "api-token-old"},
		"df":   {"username": "dialogflow", "password": "s3cret-pass", security.PreviousPassword: "old-pass-0001"},
		"cx":   {"token": "cx-token-123", security.PreviousToken: "cx-token-old"},
		"rasa": {"token": "rasa-token-456"},
	}
	g, err := security.NewGuard(wiring.Security(cfg), p)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// toolAPI is the tool API's platform (Authorization: Bearer).
const toolAPI conversation.Platform = "tool-api"

func TestWebhookAuthentication(t *testing.T) {
	t.Parallel()
	g := guard(t)
	basic := func(u, p string) http.Header {
		r, _ := http.NewRequest("POST", "/", nil)
		r.SetBasicAuth(u, p)
		return r.Header
	}
	hdr := func(k, v string) http.Header { h := http.Header{}; h.Set(k, v); return h }
	cases := []struct {
		name   string
		p      conversation.Platform
		h      http.Header
		q      url.Values
		status int // 0: admitted
	}{
		{"es right", conversation.DialogflowES, basic("dialogflow", "s3cret-pass"), nil, 0},
		{"es wrong password", conversation.DialogflowES, basic("dialogflow", "s3cret-pas"), nil, 401},
		{"es wrong user", conversation.DialogflowES, basic("df", "s3cret-pass"), nil, 401},
		{"es empty", conversation.DialogflowES, http.Header{}, nil, 401},
		{"es empty basic", conversation.DialogflowES, basic("", ""), nil, 401},
		{"es previous password during rotation", conversation.DialogflowES, basic("dialogflow", "old-pass-0001"), nil, 0},
		{"es previous password, wrong user", conversation.DialogflowES, basic("x", "old-pass-0001"), nil, 401},
		{"cx previous token during rotation", conversation.DialogflowCX, hdr("X-Switchboard-Token", "cx-token-old"), nil, 0},
		{"cx right", conversation.DialogflowCX, hdr("X-Switchboard-Token", "cx-token-123"), nil, 0},
		{"cx wrong", conversation.DialogflowCX, hdr("X-Switchboard-Token", "cx-token-124"), nil, 401},
		{"cx other header", conversation.DialogflowCX, hdr("Authorization", "cx-token-123"), nil, 401},
		{"cx empty", conversation.DialogflowCX, hdr("X-Switchboard-Token", ""), nil, 401},
		{"rasa right", conversation.Rasa, nil, url.Values{"token": {"rasa-token-456"}}, 0},
		{"rasa wrong", conversation.Rasa, nil, url.Values{"token": {"rasa-token-45"}}, 401},
		{"rasa empty", conversation.Rasa, nil, url.Values{"token": {""}}, 401},
		{"rasa missing", conversation.Rasa, nil, nil, 401},
		{"rasa has no previous token", conversation.Rasa, nil, url.Values{"token": {""}}, 401},
		{"lex none", conversation.LexV2, nil, nil, 0},
		{"bearer right", toolAPI, hdr("Authorization", "Bearer api-token-789"), nil, 0},
		{"bearer scheme any case", toolAPI, hdr("Authorization", "bearer api-token-789"), nil, 0},
		{"bearer previous token during rotation", toolAPI, hdr("Authorization", "Bearer api-token-old"), nil, 0},
		{"bearer wrong", toolAPI, hdr("Authorization", "Bearer api-token-78"), nil, 401},
		{"bearer without scheme", toolAPI, hdr("Authorization", "api-token-789"), nil, 401},
		{"bearer as basic", toolAPI, hdr("Authorization", "Basic api-token-789"), nil, 401},
		{"bearer empty", toolAPI, hdr("Authorization", "Bearer "), nil, 401},
		{"bearer missing", toolAPI, nil, nil, 401},
		{"bearer in another header", toolAPI, hdr("X-Switchboard-Token", "api-token-789"), nil, 401},
	}
	for _, c := range cases {
		ref := g.Admit(context.Background(), c.p, c.h, c.q, "")
		got := 0
		if ref != nil {
			got = ref.Status
			if strings.Contains(string(ref.Body), "s3cret") || strings.Contains(string(ref.Body), "token-") {
				t.Errorf("%s: refusal leaks a credential: %s", c.name, ref.Body)
			}
		}
		if got != c.status {
			t.Errorf("%s: status %d, want %d", c.name, got, c.status)
		}
	}
}

// TestClosedByDefault: a platform with no method configured refuses every call, with or
// without credentials, unless security.auth: none says otherwise by name.
func TestClosedByDefault(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := security.NewGuard(wiring.Security(cfg.Security), secrets.Static{})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Authorization", "Basic dXNlcjpwYXNz")
	for _, p := range conversation.Platforms {
		ref, why := g.AdmitWhy(context.Background(), p, h, url.Values{"token": {"anything"}}, "")
		if ref == nil || ref.Status != 401 || ref.Reason != security.ReasonAuth || !errors.Is(why, security.ErrNotConfigured) {
			t.Errorf("%s without configured auth: refusal %+v (%v), want 401 auth not configured", p, ref, why)
		}
		if g.Open(p) {
			t.Errorf("%s reported open", p)
		}
	}
	demo, err := config.LoadEmbedded([]string{})
	if err != nil {
		t.Fatal(err)
	}
	g, err = security.NewGuard(wiring.Security(demo.Security), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range conversation.Platforms {
		if ref := g.Admit(context.Background(), p, nil, nil, ""); ref != nil || !g.Open(p) {
			t.Errorf("%s under the embedded demo's auth: none: refusal %+v", p, ref)
		}
	}
	if _, err := config.Load("", []string{"SWITCHBOARD_SECURITY_AUTH=basic"}); err == nil {
		t.Error("security.auth accepted a value other than none")
	}
}

func TestSecretStoreDownIs503(t *testing.T) {
	t.Parallel()
	cfg := config.Default().Security
	cfg.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthToken, Secret: "missing", Param: "token"}
	g, err := security.NewGuard(wiring.Security(cfg), secrets.Static{})
	if err != nil {
		t.Fatal(err)
	}
	ref := g.Admit(context.Background(), conversation.Rasa, nil, url.Values{"token": {"x"}}, "")
	if ref == nil || ref.Status != 503 {
		t.Fatalf("refusal = %+v, want 503", ref)
	}
}

func TestAuthNeedsProvider(t *testing.T) {
	t.Parallel()
	cfg := config.Default().Security
	cfg.Webhooks["rasa"] = config.WebhookAuth{Method: config.AuthToken, Secret: "x"}
	if _, err := security.NewGuard(wiring.Security(cfg), nil); err == nil {
		t.Fatal("token auth without a secrets provider was accepted")
	}
}

func TestLimiters(t *testing.T) {
	t.Parallel()
	l := security.NewLimiter(1, 3, time.Minute)
	allowed := 0
	for i := 0; i < 10; i++ {
		if l.Allow("10.0.0.1") {
			allowed++
		}
	}
	if allowed != 3 {
		t.Fatalf("burst of 3 allowed %d", allowed)
	}
	if !l.Allow("10.0.0.2") {
		t.Fatal("a second client shares the first one's bucket")
	}
	var off *security.Limiter = security.NewLimiter(-1, 0, 0)
	for i := 0; i < 100; i++ {
		if !off.Allow("x") {
			t.Fatal("disabled limiter refused")
		}
	}
	g := guard(t)
	refused := 0
	for i := 0; i < 200; i++ {
		if g.Admit(context.Background(), conversation.LexV2, nil, nil, "192.0.2.7") != nil {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("per-source limit never refused 200 calls in a burst")
	}
	sessionRefused := 0
	for i := 0; i < 50; i++ {
		if !g.AllowSession(conversation.Rasa, "user-1") {
			sessionRefused++
		}
	}
	if sessionRefused == 0 || !g.AllowSession(conversation.Rasa, "user-2") {
		t.Fatalf("per-session limit: refused %d of 50; other sessions must pass", sessionRefused)
	}
}

func TestCheckDepth(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	cases := []struct {
		body string
		ok   bool
	}{
		{`{"a":{"b":[1,2,{"c":3}]}}`, true},
		{deep, false},
		{`{"s":"` + strings.Repeat("[", 500) + `"}`, true},
		{`{"s":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}`, true},
	}
	for i, c := range cases {
		err := security.CheckDepth([]byte(c.body), 64)
		if (err == nil) != c.ok {
			t.Errorf("case %d: err = %v, want ok=%v", i, err, c.ok)
		}
	}
}

// FuzzCheckDepth holds the scanner to encoding/json's tokenizer: on valid JSON it fails
// exactly when the nesting is deeper than the limit. Seeds: testdata/fuzz/FuzzCheckDepth (a
// sample event, compacted) and the literal below.
func FuzzCheckDepth(f *testing.F) {
	f.Add([]byte(`{"a":[{"b":"]"}]}`), 3)
	f.Add([]byte(`["\\\"[",{"\u005b":[]}]`), 2)
	f.Fuzz(func(t *testing.T, body []byte, limit int) {
		err := security.CheckDepth(body, limit)
		if limit < 0 || !json.Valid(body) {
			return
		}
		depth, deepest := 0, 0
		dec := json.NewDecoder(bytes.NewReader(body))
		for {
			tok, terr := dec.Token()
			if terr != nil {
				break
			}
			switch tok {
			case json.Delim('{'), json.Delim('['):
				depth++
				deepest = max(deepest, depth)
			case json.Delim('}'), json.Delim(']'):
				depth--
			}
		}
		if (err != nil) != (deepest > limit) {
			t.Fatalf("CheckDepth(%q, %d) = %v, but the JSON nests %d deep", body, limit, err, deepest)
		}
	})
}
