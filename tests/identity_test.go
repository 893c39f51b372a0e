package tests

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// syncBuffer collects log lines from concurrent turns.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// identityStack is the whole local stack (demo data, embedded store) with its audit
// trail in a file and its logs in a buffer.
type identityStack struct {
	eng   *engine.Engine
	dir   string
	logs  *syncBuffer
	audit string
}

func newIdentityStack(t *testing.T, env ...string) *identityStack {
	t.Helper()
	dir := t.TempDir()
	environ := append([]string{"SWITCHBOARD_DATA_DIR=" + dir, "SWITCHBOARD_TELEMETRY_LOG_LEVEL=debug"}, env...)
	cfg, err := config.Load("", environ)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a, err := app.Build(context.Background(), cfg, app.Options{
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &identityStack{eng: a.Engine, dir: dir, logs: logs, audit: cfg.Identity.Audit.File}
}

func (s *identityStack) serve(t *testing.T, p conversation.Platform, body []byte) string {
	t.Helper()
	resp := s.eng.Serve(context.Background(), p, body)
	if resp.Status != 200 {
		t.Fatalf("HTTP %d: %s", resp.Status, resp.Body)
	}
	checkResponse(t, p, resp)
	return string(resp.Body)
}

func (s *identityStack) events(t *testing.T) []identity.Event {
	t.Helper()
	f, err := os.Open(s.audit)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []identity.Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e identity.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

// editEvent changes a sample event where each platform carries a field.
func editEvent(t *testing.T, body []byte, f func(ev map[string]any)) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	f(ev)
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func child(m map[string]any, path ...string) map[string]any {
	for _, k := range path {
		next, _ := m[k].(map[string]any)
		if next == nil {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	return m
}

// withToken puts an identity token where the platform carries it (the same places as
// the events/*_signed.json files; CX's session parameter is tested separately).
func withToken(t *testing.T, p conversation.Platform, body []byte, tok string) []byte {
	return editEvent(t, body, func(ev map[string]any) {
		switch p {
		case conversation.DialogflowES:
			child(ev, "originalDetectIntentRequest", "payload")["identity_token"] = tok
		case conversation.DialogflowCX:
			child(ev, "payload")["identity_token"] = tok
		case conversation.LexV2:
			child(ev, "requestAttributes")["identity_token"] = tok
		case conversation.Rasa:
			child(ev, "tracker", "latest_message", "metadata")["identity_token"] = tok
		case bedrockagent.Platform:
			child(ev, "sessionAttributes")["identity_token"] = tok
		}
	})
}

// withTurn gives an event its own session and turn id.
func withTurn(t *testing.T, p conversation.Platform, body []byte, session, turn string) []byte {
	return editEvent(t, body, func(ev map[string]any) {
		switch p {
		case conversation.DialogflowES:
			s := ev["session"].(string)
			ev["session"] = s[:strings.LastIndex(s, "/")+1] + session
			ev["responseId"] = turn
			for _, c := range ev["queryResult"].(map[string]any)["outputContexts"].([]any) {
				cm := c.(map[string]any)
				name := cm["name"].(string)
				cm["name"] = ev["session"].(string) + name[strings.Index(name, "/contexts/"):]
			}
		case conversation.DialogflowCX:
			si := child(ev, "sessionInfo")
			s := si["session"].(string)
			si["session"] = s[:strings.LastIndex(s, "/")+1] + session
			ev["detectIntentResponseId"] = turn
		case conversation.LexV2:
			ev["sessionId"] = session
			child(ev, "sessionState")["originatingRequestId"] = turn
		case conversation.Rasa:
			ev["sender_id"] = session
			child(ev, "tracker")["sender_id"] = session
			child(ev, "tracker", "latest_message")["message_id"] = turn
		case bedrockagent.Platform:
			bedrockWithTurn(ev, session, turn)
		}
	})
}

var seq struct {
	sync.Mutex
	n int
}

func nextID(prefix string) string {
	seq.Lock()
	defer seq.Unlock()
	seq.n++
	return fmt.Sprintf("%s-%d", prefix, seq.n)
}

func mint(t *testing.T, m jwt.SigningMethod, key any, mod func(*identity.Claims)) string {
	t.Helper()
	now := time.Now()
	c := &identity.Claims{Email: "ada@example.com", RegisteredClaims: jwt.RegisteredClaims{
		Subject: "ada@example.com", IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(10 * time.Minute))}}
	if mod != nil {
		mod(c)
	}
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// adaSecrets are what no anonymous reply may contain about Ada (demo data).
var adaSecrets = []string{"Lovelace", "Analytical Engines", "Enterprise", "Export of engine diagrams", "1200.00", "GBP", "is paid", "went through"}

func revealsAda(body string) string {
	for _, s := range adaSecrets {
		if strings.Contains(body, s) {
			return s
		}
	}
	return ""
}

// TestIdentityOnEveryPlatform: anonymous lookups and payment checks reveal nothing and
// read the same for a known and an unknown email; the signed sample events get the
// full answer; every kind of bad token gets the neutral answer and one audit event; no
// token, email or name reaches the audit trail or the log.
func TestIdentityOnEveryPlatform(t *testing.T) {
	s := newIdentityStack(t, "SWITCHBOARD_IDENTITY_CODES_SENDER=none")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	demo := []byte(identity.DemoKey)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, &identity.Claims{Email: "ada@example.com", RegisteredClaims: jwt.RegisteredClaims{
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	good := mint(t, jwt.SigningMethodHS256, demo, nil)
	parts := strings.Split(good, ".")
	payload := strings.Split(mint(t, jwt.SigningMethodHS256, demo, func(c *identity.Claims) { c.Email = "bob@example.com" }), ".")[1]
	bad := map[string]string{
		"expired": mint(t, jwt.SigningMethodHS256, demo, func(c *identity.Claims) {
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Minute))
		}),
		"not_yet_valid": mint(t, jwt.SigningMethodHS256, demo, func(c *identity.Claims) {
			c.NotBefore = jwt.NewNumericDate(time.Now().Add(5 * time.Minute))
		}),
		"tampered":         parts[0] + "." + payload + "." + parts[2],
		"alg_none":         none,
		"wrong_audience":   "", // set below, with an audience configured
		"hs_rs_confused":   mint(t, jwt.SigningMethodHS256, rsaPub, nil),
		"rs256_not_listed": mint(t, jwt.SigningMethodRS256, rsaKey, nil),
		"other_customer":   mint(t, jwt.SigningMethodHS256, demo, func(c *identity.Claims) { c.Email = "bob@example.com"; c.Subject = "" }),
	}
	turns := 0
	for _, p := range webhookPlatforms() {
		for _, in := range []conversation.Intent{conversation.LookupCustomer, conversation.VerifyPayment} {
			file := eventFile[in]
			base := readEvent(t, p, file)
			known := s.serve(t, p, withTurn(t, p, base, nextID("s"), nextID("t")))
			turns++
			if leak := revealsAda(known); leak != "" {
				t.Errorf("%s %s: anonymous reply reveals %q: %s", p, in, leak, known)
			}
			unknownEv := withSlots(t, p, base, map[string]*string{"email": str("nobody@example.com")})
			unknown := s.serve(t, p, withTurn(t, p, unknownEv, nextID("s"), nextID("t")))
			turns++
			if textOf(t, p, known) != textOf(t, p, unknown) {
				t.Errorf("%s %s: known and unknown emails read differently:\n%s\n%s", p, in, textOf(t, p, known), textOf(t, p, unknown))
			}
			signedEv := readEvent(t, p, strings.TrimSuffix(file, ".json")+"_signed.json")
			signed := s.serve(t, p, signedEv)
			turns++
			// A replay of the signed turn without its token is another request: it
			// must not get the stored signed answer (nor reach an intent).
			if replay := s.serve(t, p, base); revealsAda(replay) != "" {
				t.Errorf("%s %s: the signed turn replayed without its token: %s", p, in, replay)
			}
			turns++ // an anonymous turn of its own (reads are not replayed from a record)
			want := "Ada Lovelace"
			if in == conversation.VerifyPayment {
				want = "paid"
			}
			if !strings.Contains(signed, want) {
				t.Errorf("%s %s: the signed event did not get the full answer: %s", p, in, signed)
			}
			for name, tok := range bad {
				if tok == "" {
					continue
				}
				got := s.serve(t, p, withToken(t, p, withTurn(t, p, base, nextID("s"), nextID("t")), tok))
				turns++
				if leak := revealsAda(got); leak != "" {
					t.Errorf("%s %s %s token: reveals %q: %s", p, in, name, leak, got)
				}
				if in == conversation.LookupCustomer && !strings.Contains(got, "can only share account details") {
					t.Errorf("%s %s %s token: not the neutral answer: %s", p, in, name, got)
				}
			}
		}
	}
	// Dialogflow CX also takes the token from the session parameter identity_token, and
	// never echoes it back.
	cx := editEvent(t, readEvent(t, conversation.DialogflowCX, "lookup_customer.json"), func(ev map[string]any) {
		child(ev, "sessionInfo", "parameters")["identity_token"] = good
	})
	cx = withTurn(t, conversation.DialogflowCX, cx, nextID("s"), nextID("t"))
	if got := s.serve(t, conversation.DialogflowCX, cx); !strings.Contains(got, "Ada Lovelace") || strings.Contains(got, good) {
		t.Errorf("CX session-parameter token: %s", got)
	}
	turns++

	events := s.events(t)
	if len(events) != turns {
		t.Errorf("%d audit events for %d turns, want one each", len(events), turns)
	}
	outcomes := map[string]int{}
	for _, e := range events {
		outcomes[e.Outcome]++
		b, _ := json.Marshal(e)
		for _, secret := range []string{"ada@", "nobody@", "bob@", "Lovelace", "Ada", good, parts[2]} {
			if strings.Contains(string(b), secret) {
				t.Errorf("audit event holds %q: %s", secret, b)
			}
		}
	}
	for _, o := range []string{"refused_unverified", "answered", "token_expired", "token_not_yet_valid", "token_signature", "refused_other_customer"} {
		if outcomes[o] == 0 {
			t.Errorf("no audit event with outcome %s (%v)", o, outcomes)
		}
	}
	logs := s.logs.String()
	for _, tok := range append([]string{good}, parts[2], bad["expired"], bad["other_customer"]) {
		if strings.Contains(logs, tok) {
			t.Errorf("a token reached the log")
		}
	}
}

func TestIdentityAudienceAndIssuer(t *testing.T) {
	s := newIdentityStack(t, "SWITCHBOARD_IDENTITY_CODES_SENDER=none",
		"SWITCHBOARD_IDENTITY_TOKEN_AUDIENCE=switchboard", "SWITCHBOARD_IDENTITY_TOKEN_ISSUER=https://shop.example.com")
	demo := []byte(identity.DemoKey)
	for _, p := range webhookPlatforms() {
		base := readEvent(t, p, "lookup_customer.json")
		right := mint(t, jwt.SigningMethodHS256, demo, func(c *identity.Claims) {
			c.Audience, c.Issuer = jwt.ClaimStrings{"switchboard"}, "https://shop.example.com"
		})
		wrongAud := mint(t, jwt.SigningMethodHS256, demo, func(c *identity.Claims) {
			c.Audience, c.Issuer = jwt.ClaimStrings{"another-app"}, "https://shop.example.com"
		})
		if got := s.serve(t, p, withToken(t, p, withTurn(t, p, base, nextID("s"), nextID("t")), right)); !strings.Contains(got, "Ada Lovelace") {
			t.Errorf("%s: right audience refused: %s", p, got)
		}
		if got := s.serve(t, p, withToken(t, p, withTurn(t, p, base, nextID("s"), nextID("t")), wrongAud)); revealsAda(got) != "" {
			t.Errorf("%s: wrong audience accepted: %s", p, got)
		}
	}
	var aud int
	for _, e := range s.events(t) {
		if e.Outcome == "token_audience" {
			aud++
		}
	}
	if aud != len(webhookPlatforms()) {
		t.Errorf("%d token_audience events, want %d", aud, len(webhookPlatforms()))
	}
}

// textOf is the reply text of a platform response, for comparing two answers.
func textOf(t *testing.T, p conversation.Platform, body string) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	switch p {
	case conversation.DialogflowES:
		s, _ := v["fulfillmentText"].(string)
		return s
	case conversation.DialogflowCX:
		b, _ := json.Marshal(v["fulfillmentResponse"])
		return string(b)
	case conversation.LexV2:
		b, _ := json.Marshal(v["messages"])
		return string(b)
	case bedrockagent.Platform:
		b, _ := json.Marshal(v["response"])
		return string(b)
	default:
		b, _ := json.Marshal(v["responses"])
		return string(b)
	}
}

// sesMessages lists the mail moto's SES accepted to an address, oldest first.
func sesMessages(t *testing.T, moto, to string) []string {
	t.Helper()
	resp, err := http.Get(moto + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var data struct {
		SES struct {
			Message []struct {
				Body         string `json:"body"`
				Destinations struct {
					ToAddresses []string `json:"ToAddresses"`
				} `json:"destinations"`
			} `json:"Message"`
		} `json:"ses"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range data.SES.Message {
		for _, a := range m.Destinations.ToAddresses {
			if a == to {
				out = append(out, m.Body)
			}
		}
	}
	return out
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// TestCodeFlowOnMotoSES sends real SES v2 SendEmail calls to moto and reads the codes
// back from moto's list of sent mail: on every platform a right code answers in full;
// a wrong code, a fourth attempt, a code from another session and an expired code are
// refused; an unknown email gets the same words and no mail.
func TestCodeFlowOnMotoSES(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	from := nextID("bot") + "@switchboard.example"
	awsCfg, err := awsenv.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ses := sesv2.NewFromConfig(awsCfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(moto) })
	if _, err := ses.CreateEmailIdentity(context.Background(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(from)}); err != nil {
		t.Fatal(err)
	}
	// Each run gets its own recipient (moto is shared, and keeps every message).
	user := nextID(fmt.Sprintf("user%d", time.Now().UnixNano())) + "@example.com"
	// The pepper that keys the stored codes, in Secrets Manager (moto) as the CDK app
	// generates it; each run under its own prefix (moto is shared).
	prefix := nextID(fmt.Sprintf("pepper%d", time.Now().UnixNano())) + "/"
	putSecrets(t, moto, prefix, map[string]secrets.Secret{"identity/code-pepper": {"pepper": strings.Repeat("p3pp3r", 8)}})
	secretsEnv := []string{"SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER=aws", "SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT=" + moto,
		"SWITCHBOARD_CONNECTORS_SECRETS_PREFIX=" + prefix}
	env := append([]string{"SWITCHBOARD_IDENTITY_CODES_SENDER=ses", "SWITCHBOARD_IDENTITY_CODES_FROM=" + from,
		"SWITCHBOARD_IDENTITY_CODES_ENDPOINT=" + moto, "SWITCHBOARD_IDENTITY_CODES_PER_HOUR=50",
		"SWITCHBOARD_IDENTITY_CODES_PEPPER_SECRET_ID=identity/code-pepper"}, secretsEnv...)
	s := newIdentityStack(t, env...)
	lastCode := func() string {
		msgs := sesMessages(t, moto, "ada@example.com")
		if len(msgs) == 0 {
			t.Fatal("no mail to ada@example.com")
		}
		return sixDigits.FindString(msgs[len(msgs)-1])
	}
	ask := func(p conversation.Platform, session string, slots map[string]*string) string {
		body := readEvent(t, p, "lookup_customer.json")
		if slots != nil {
			body = withSlots(t, p, body, slots)
		}
		return s.serve(t, p, withTurn(t, p, body, session, nextID("turn")))
	}
	for _, p := range webhookPlatforms() {
		sess := nextID("sess")
		before := len(sesMessages(t, moto, "ada@example.com"))
		offer := ask(p, sess, nil)
		if !strings.Contains(offer, "verification_code") || revealsAda(offer) != "" {
			t.Fatalf("%s: no code offered: %s", p, offer)
		}
		if n := len(sesMessages(t, moto, "ada@example.com")); n != before+1 {
			t.Fatalf("%s: %d mails sent, want 1", p, n-before)
		}
		code := lastCode()
		// Unknown email: the same words, no mail.
		offerUnknown := ask(p, nextID("sess"), map[string]*string{"email": str(user)})
		if textOf(t, p, offerUnknown) != textOf(t, p, offer) || len(sesMessages(t, moto, user)) != 0 {
			t.Errorf("%s: unknown email offer differs or mailed:\n%s\n%s", p, offerUnknown, offer)
		}
		// Another session with the right code: refused.
		if got := ask(p, nextID("sess"), map[string]*string{"verification_code": str(code)}); revealsAda(got) != "" {
			t.Errorf("%s: code from another session accepted: %s", p, got)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if got := ask(p, sess, map[string]*string{"verification_code": str(wrong)}); revealsAda(got) != "" || !strings.Contains(got, "isn't right") {
			t.Errorf("%s: wrong code: %s", p, got)
		}
		got := ask(p, sess, map[string]*string{"verification_code": str(code)})
		if !strings.Contains(got, "Ada Lovelace") {
			t.Errorf("%s: right code did not answer: %s", p, got)
		}
		// The session stays verified for that email: asked again, without a code.
		if got := ask(p, sess, nil); !strings.Contains(got, "Ada Lovelace") {
			t.Errorf("%s: verified session not remembered: %s", p, got)
		}
	}

	// Three wrong tries end a code: the fourth attempt, even with the right code, fails.
	p := conversation.LexV2
	sess := nextID("sess")
	ask(p, sess, nil)
	code := lastCode()
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 0; i < 3; i++ {
		ask(p, sess, map[string]*string{"verification_code": str(wrong)})
	}
	if got := ask(p, sess, map[string]*string{"verification_code": str(code)}); revealsAda(got) != "" {
		t.Errorf("4th attempt accepted: %s", got)
	}

	// An expired code is refused (codes valid for one second here).
	short := newIdentityStack(t, append(env, "SWITCHBOARD_IDENTITY_CODES_TTL=1s")...)
	sess = nextID("sess")
	short.serve(t, p, withTurn(t, p, readEvent(t, p, "lookup_customer.json"), sess, nextID("turn")))
	code = lastCode()
	// Real time has to pass here: the app takes no clock, and the store compares
	// expiry in whole seconds. The sleep is a lower bound only: a slower machine
	// leaves the code more expired, never less, so the outcome does not depend on
	// speed. (Expiry on a fake clock is covered by shared/identity's code tests.)
	time.Sleep(2100 * time.Millisecond) // past the TTL, which the store compares in whole seconds
	body := withSlots(t, p, readEvent(t, p, "lookup_customer.json"), map[string]*string{"verification_code": str(code)})
	if got := short.serve(t, p, withTurn(t, p, body, sess, nextID("turn"))); revealsAda(got) != "" {
		t.Errorf("expired code accepted: %s", got)
	}

	// A pepper that cannot be read (here: no such secret) fails the code step honestly,
	// the same for a known and an unknown email, and mails nothing.
	noPepper := newIdentityStack(t, append(env, "SWITCHBOARD_IDENTITY_CODES_PEPPER_SECRET_ID=identity/no-such-pepper")...)
	before := len(sesMessages(t, moto, "ada@example.com"))
	var apologies []string
	for _, email := range []string{"ada@example.com", user} {
		body := withSlots(t, p, readEvent(t, p, "lookup_customer.json"), map[string]*string{"email": str(email)})
		got := noPepper.serve(t, p, withTurn(t, p, body, nextID("sess"), nextID("turn")))
		text := textOf(t, p, got)
		if !strings.Contains(text, "can't send a verification code") || !strings.Contains(text, "@") ||
			strings.Contains(got, `"slotToElicit"`) || revealsAda(got) != "" {
			t.Errorf("pepper unavailable, %s: want the apology with the manual alternative, got %s", email, got)
		}
		apologies = append(apologies, text)
	}
	if apologies[0] != apologies[1] {
		t.Errorf("pepper unavailable: known and unknown emails read differently:\n%s\n%s", apologies[0], apologies[1])
	}
	if n := len(sesMessages(t, moto, "ada@example.com")); n != before {
		t.Errorf("pepper unavailable: %d mails sent", n-before)
	}

	for _, e := range s.events(t) {
		b, _ := json.Marshal(e)
		if strings.Contains(string(b), "ada@") || strings.Contains(string(b), code) {
			t.Errorf("audit event holds an email or a code: %s", b)
		}
	}
	if logs := s.logs.String(); sixDigits.MatchString(strings.Join(codesIn(sesMessages(t, moto, "ada@example.com")), " ")) {
		for _, c := range codesIn(sesMessages(t, moto, "ada@example.com")) {
			if strings.Contains(logs, `"`+c+`"`) {
				t.Errorf("a code reached the log")
			}
		}
	}
	_ = filepath.Join
}

func codesIn(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		if c := sixDigits.FindString(m); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// TestTokenNeverLeaves runs signed turns on every platform through the whole stack with
// telemetry at debug level (the raw body logged, redacted), EMF metrics on and stdout
// traces, and looks for the token, and its signature alone, in every line written, in
// the replies, in the store and in the audit trail.
func TestTokenNeverLeaves(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Load("", []string{"SWITCHBOARD_DATA_DIR=" + dir, "SWITCHBOARD_TELEMETRY_LOG_LEVEL=debug",
		"SWITCHBOARD_TELEMETRY_EMF=on", "SWITCHBOARD_TELEMETRY_TRACING=stdout"})
	if err != nil {
		t.Fatal(err)
	}
	var logs, emf, traces syncBuffer
	tel, err := telemetry.New(cfg.Service, telemetry.Settings(cfg.Telemetry), telemetry.Options{Logs: &logs, EMF: &emf, Traces: &traces})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Build(context.Background(), cfg, app.Options{Telemetry: tel})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tok := mint(t, jwt.SigningMethodHS256, []byte(identity.DemoKey), nil)
	sig := tok[strings.LastIndex(tok, ".")+1:]
	var replies strings.Builder
	for _, p := range webhookPlatforms() {
		for _, in := range []conversation.Intent{conversation.LookupCustomer, conversation.VerifyPayment, conversation.CreateTicket} {
			body := withToken(t, p, withTurn(t, p, readEvent(t, p, eventFile[in]), nextID("s"), nextID("t")), tok)
			resp := a.Engine.Serve(context.Background(), p, body)
			replies.Write(resp.Body)
			if in == conversation.LookupCustomer && !bytes.Contains(resp.Body, []byte("Ada Lovelace")) {
				t.Errorf("%s: signed lookup not answered: %s", p, resp.Body)
			}
		}
	}
	if !strings.Contains(logs.String(), "identity_token") || emf.String() == "" {
		t.Fatal("the debug log holds no (redacted) request body: the test would prove nothing")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var stored strings.Builder
	for _, f := range files {
		b, _ := os.ReadFile(f) // the SQLite store, the audit file
		stored.Write(b)
	}
	for what, text := range map[string]string{"log": logs.String(), "metrics": emf.String(), "traces": traces.String(),
		"replies": replies.String(), "store and audit": stored.String()} {
		if strings.Contains(text, tok) || strings.Contains(text, sig) {
			t.Errorf("the identity token reached the %s", what)
		}
	}
}
