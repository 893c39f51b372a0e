package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce/sftest"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// Fault paths every connector stand-in is driven through by the leak test.
const (
	faultNone      = "none"
	faultTransport = "transport" // connection dropped without an answer
	faultTimeout   = "timeout"   // no answer until the caller gives up
	faultEcho4xx   = "echo-4xx"  // 400 whose body echoes the request: URL, query, headers, body
	faultEcho5xx   = "echo-5xx"  // 500 with a plain-text body echoing the same
)

var leakFaults = []string{faultNone, faultTransport, faultTimeout, faultEcho4xx, faultEcho5xx}

// faulty is a reverse proxy in front of a stand-in that misbehaves on cue. Token
// endpoints pass through, so the fault hits the API calls a turn makes.
type faulty struct {
	mode    atomic.Value // string
	faulted atomic.Int64
	srv     *httptest.Server
}

func newFaulty(t *testing.T, target string) *faulty {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	f := &faulty{}
	f.mode.Store(faultNone)
	proxy := httputil.NewSingleHostReverseProxy(u)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode := f.mode.Load().(string)
		if mode == faultNone || strings.Contains(r.URL.Path, "oauth2/token") {
			proxy.ServeHTTP(w, r)
			return
		}
		f.faulted.Add(1)
		body, _ := io.ReadAll(r.Body)
		echo := fmt.Sprintf("%s %s://%s%s body=%s authorization=%s", r.Method, "http", r.Host, r.URL.RequestURI(), body, r.Header.Get("Authorization"))
		switch mode {
		case faultTransport:
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
		case faultTimeout:
			<-r.Context().Done()
		case faultEcho4xx:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			b, _ := json.Marshal(map[string]any{"error": "invalid_request", "message": "could not process " + echo,
				"description": string(body), "details": map[string]any{"query": r.URL.RawQuery}})
			w.Write(b)
		case faultEcho5xx:
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "internal error while handling %s\n", echo)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// Seeded personal data, in the shapes that leaked before (issue 12).
var seededEmails = []string{
	"ada.lovelace+vip@example.com", // plus-addressed: percent-encoded %2B in queries
	"jösé.müller@exämple.de",       // unicode local part and domain
	"o'brien!#x@example.com",       // RFC 5322 atext the redactor used to stop at
	"用户名@例子.中国",                    // CJK
}

const (
	leakCard    = "4111 1111 1111 1111"
	leakPhone   = "+1 415 555 0132"
	leakWebhook = "rasa-webhook-token-5fd1c0ffee"

	// Personal data no redactor pattern recognises (issue 21): the seeded customers'
	// name, company and plan (in the tools' answers, so in replies), an amount, a
	// ticket subject and the one-time code a user types (in the requests).
	leakFirst   = "Zebulon"
	leakLast    = "Quixley"
	leakCompany = "Quarkwell Tiffin Ltd"
	leakPlan    = "Platinum Orca"
	leakAmount  = 7319.46
	leakSubject = "Refund the Quokka invoice"
	leakCode    = "770413"

	leakUtter = " My card is " + leakCard + ", call me on " + leakPhone + ". I am " + leakFirst + " " + leakLast +
		" of " + leakCompany + " on the " + leakPlan + " plan; I paid 7319.46 about \"" + leakSubject +
		"\" and my code is " + leakCode + "."
)

// personalValues are the seeded values of issue 21, each of which must reach a log
// line of every platform when redaction is off.
var personalValues = []string{leakFirst + " " + leakLast, leakLast, leakCompany, leakPlan, "7319.46", leakSubject, leakCode}

// leakEvents returns every platform's sample events with a seeded e-mail in place of
// the sample's, a card number and a phone number in the user's text.
func leakEvents(t *testing.T) map[conversation.Platform][][]byte {
	t.Helper()
	out := map[conversation.Platform][][]byte{}
	n := 0
	for _, p := range webhookPlatforms() {
		files, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(), "events", string(p), "*.json"))
		for _, f := range files {
			if strings.HasPrefix(filepath.Base(f), "malformed") {
				continue
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			email := seededEmails[n%len(seededEmails)]
			n++
			raw = bytes.ReplaceAll(raw, []byte("ada@example.com"), []byte(email))
			raw = bytes.ReplaceAll(raw, []byte("Cannot log in"), []byte(leakSubject))
			var ev map[string]any
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			seedText(ev)
			seedCode(t, p, ev)
			b, _ := json.Marshal(ev)
			out[p] = append(out[p], b)
		}
	}
	return out
}

func seedText(x any) {
	switch v := x.(type) {
	case map[string]any:
		for k, val := range v {
			if s, ok := val.(string); ok && (k == "queryText" || k == "text" || k == "inputTranscript" || k == "inputText") {
				v[k] = s + leakUtter
				continue
			}
			if _, ok := val.(float64); ok && k == "amount" {
				v[k] = leakAmount
				continue
			}
			seedText(val)
		}
	case []any:
		for _, e := range v {
			seedText(e)
		}
	}
}

// seedCode puts the one-time code a user types into the verification_code slot, where
// each platform carries it.
func seedCode(t *testing.T, p conversation.Platform, ev map[string]any) {
	t.Helper()
	obj := func(path ...string) map[string]any {
		m := ev
		for _, k := range path {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		return m
	}
	switch p {
	case conversation.DialogflowES:
		obj("queryResult", "parameters")["verification_code"] = leakCode
	case conversation.DialogflowCX:
		obj("sessionInfo", "parameters")["verification_code"] = leakCode
	case conversation.LexV2:
		obj("sessionState", "intent", "slots")["verification_code"] = map[string]any{"shape": "Scalar",
			"value": map[string]any{"originalValue": leakCode, "interpretedValue": leakCode, "resolvedValues": []any{}}}
	case conversation.Rasa:
		obj("tracker", "slots")["verification_code"] = leakCode
	case bedrockagent.Platform:
		code := leakCode
		bedrockSetParam(ev, "verification_code", &code)
	default:
		t.Fatalf("no code slot for platform %s", p)
	}
}

// forbiddenValues are the seeded values in every form a log could carry them.
func forbiddenValues(secretValues []string) []string {
	out := []string{leakCard, strings.ReplaceAll(leakCard, " ", ""), leakPhone, "4155550132", leakWebhook}
	out = append(out, personalValues...)
	out = append(out, leakFirst, url.QueryEscape(leakFirst+" "+leakLast), url.QueryEscape(leakSubject))
	for _, e := range seededEmails {
		local, _, _ := strings.Cut(e, "@")
		out = append(out, e, url.QueryEscape(e), url.PathEscape(e), local, url.QueryEscape(local))
	}
	for _, s := range secretValues {
		if len(s) >= 8 {
			out = append(out, s)
		}
	}
	return out
}

// leaks counts the forbidden values in the log lines, in their raw JSON and in their
// decoded strings (a \u-escaped value is still a leak).
func leaks(t *testing.T, logs []byte, forbidden []string) (int, []string) {
	t.Helper()
	var found []string
	sc := bufio.NewScanner(bytes.NewReader(logs))
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		line := sc.Text()
		var v any
		decoded := ""
		if json.Unmarshal(sc.Bytes(), &v) == nil {
			decoded = strings.Join(stringsOf(v, nil), "\n")
		}
		for _, bad := range forbidden {
			if holds(line, bad) || holds(decoded, bad) {
				found = append(found, fmt.Sprintf("%q in %.400s", bad, line))
			}
		}
	}
	return len(found), found
}

// holds reports whether s holds v; a value that starts or ends with a digit (a code,
// an amount) only counts standing alone, not inside a longer number (a timestamp).
func holds(s, v string) bool {
	if v == "" {
		return false
	}
	for from := 0; ; {
		i := strings.Index(s[from:], v)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(v)
		before := start > 0 && isDigitByte(s[start-1]) && isDigitByte(v[0])
		after := end < len(s) && isDigitByte(s[end]) && isDigitByte(v[len(v)-1])
		if !before && !after {
			return true
		}
		from = start + 1
	}
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// reachedPerPlatform reports, for each platform, which of values appear in its lines
// (a line's platform attribute), and in which of them in a webhook reply line.
func reachedPerPlatform(logs []byte, values []string) (inAny, inReply map[string]map[string]bool) {
	inAny, inReply = map[string]map[string]bool{}, map[string]map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(logs))
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		var v map[string]any
		if json.Unmarshal(sc.Bytes(), &v) != nil {
			continue
		}
		p, _ := v["platform"].(string)
		text := sc.Text() + "\n" + strings.Join(stringsOf(v, nil), "\n")
		for _, val := range values {
			if !holds(text, val) {
				continue
			}
			if inAny[p] == nil {
				inAny[p], inReply[p] = map[string]bool{}, map[string]bool{}
			}
			inAny[p][val] = true
			if v["msg"] == "webhook reply" {
				inReply[p][val] = true
			}
		}
	}
	return inAny, inReply
}

func stringsOf(v any, out []string) []string {
	switch x := v.(type) {
	case string:
		out = append(out, x)
		// []byte values are logged as base64 by a plain JSON handler: still a leak.
		if len(x) >= 16 {
			if b, err := base64.StdEncoding.DecodeString(x); err == nil && utf8.Valid(b) {
				out = append(out, string(b))
			}
		}
	case map[string]any:
		for k, e := range x {
			out = append(out, k)
			out = stringsOf(e, out)
		}
	case []any:
		for _, e := range x {
			out = stringsOf(e, out)
		}
	}
	return out
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// TestSeededPIINeverLogged drives every platform's sample events, seeded with e-mails in
// the shapes that used to leak (plus-addressed, unicode, RFC 5322 specials, CJK), a
// card and a phone number — and with what no pattern recognises (issue 21): customers
// of every CRM stand-in with a seeded name, company and plan, an amount, a ticket
// subject and the one-time code a user types — through the real server, adapters, intents, resilience and
// connectors — HubSpot, Salesforce and Zendesk stand-ins and stripe-mock behind a proxy
// that fails on cue (transport error, timeout, 4xx echoing the request, 5xx with a
// body), and the SQL connector on PostgreSQL (faultySQL: dropped or stalled
// connections, server-side errors quoting the e-mail) — at debug level and at info
// level with every turn sampled for debug, with every credential (tools' and the
// webhook's) in Secrets Manager (moto). No log line may carry any seeded value or
// credential. With redaction off the same runs must find leaks — every issue-21 value
// on every platform, the customer's name, company and plan in the reply lines — or the
// test would prove nothing.
func TestSeededPIINeverLogged(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	hs, zd, sf := hstest.New(t), zdtest.New(t), sftest.New(t)
	// Every seeded e-mail is a customer of every CRM, with the seeded name, company
	// and plan: a lookup answers with them.
	for _, e := range seededEmails {
		hs.Add(hstest.Contact{Properties: map[string]string{"email": e, "firstname": leakFirst, "lastname": leakLast,
			"company": leakCompany, "plan": leakPlan, "customer_status": "active", "phone": leakPhone},
			CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)})
		sf.Add(sftest.Contact{Email: e, FirstName: leakFirst, LastName: leakLast, Phone: leakPhone,
			CreatedDate: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
			Account:     &sftest.Account{Name: leakCompany, Fields: map[string]any{"Plan__c": leakPlan, "Status__c": "Active"}}})
	}
	stripeURL := testenv.StripeMock(t)
	fhs, fzd, fsf, fst := newFaulty(t, hs.URL()), newFaulty(t, zd.URL()), newFaulty(t, sf.URL()), newFaulty(t, stripeURL)
	fsql := newFaultySQL(t)
	proxies := []*faulty{fhs, fzd, fsf, fst}
	prefix := "leak-" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "") + "/"
	stripeKey := "sk_test_leakcheck0123456789"
	all := map[string]secrets.Secret{
		"switchboard/hubspot": hs.Secret(), "switchboard/zendesk": zd.Secret(), "switchboard/salesforce": sf.Secret(),
		"switchboard/stripe": {"api_key": stripeKey}, "switchboard/webhook/rasa": {"token": leakWebhook},
	}
	putSecrets(t, moto, prefix, all)
	var secretValues []string
	for _, s := range all {
		for _, v := range s {
			secretValues = append(secretValues, v)
		}
	}
	forbidden := forbiddenValues(secretValues)
	events := leakEvents(t)

	stacks := map[string][]string{
		"hubspot": {"SWITCHBOARD_CONNECTORS_CUSTOMERS=hubspot"},
		"salesforce": {"SWITCHBOARD_CONNECTORS_CUSTOMERS=salesforce",
			"SWITCHBOARD_CONNECTORS_SALESFORCE_SECRET_ID=switchboard/salesforce",
			"SWITCHBOARD_CONNECTORS_SALESFORCE_LOGIN_URL=" + fsf.srv.URL,
			"SWITCHBOARD_CONNECTORS_SALESFORCE_INSTANCE_URL=" + fsf.srv.URL},
		// PostgreSQL as both CRM and helpdesk (payments and KB stay on Stripe and
		// Zendesk).
		"sql": {"SWITCHBOARD_CONNECTORS_CUSTOMERS=sql", "SWITCHBOARD_CONNECTORS_TICKETS=sql",
			"SWITCHBOARD_CONNECTORS_SQL_DSN=" + fsql.dsn},
	}
	// logMode is "debug" (log_level debug) or "sampled" (log_level info, every turn
	// sampled for debug).
	run := func(t *testing.T, stack, fault, logMode string, red *telemetry.Redactor) []byte {
		level, rate := "debug", "0"
		if logMode == "sampled" {
			level, rate = "info", "1"
		}
		env := append([]string{
			"SWITCHBOARD_DATA_DIR=" + t.TempDir(),
			"SWITCHBOARD_TELEMETRY_LOG_LEVEL=" + level,
			"SWITCHBOARD_TELEMETRY_DEBUG_SAMPLE_RATE=" + rate,
			"SWITCHBOARD_CONNECTORS_TICKETS=zendesk", "SWITCHBOARD_CONNECTORS_PAYMENTS=stripe", "SWITCHBOARD_CONNECTORS_KB=zendesk",
			"SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER=aws",
			"SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT=" + moto,
			"SWITCHBOARD_CONNECTORS_SECRETS_PREFIX=" + prefix,
			"SWITCHBOARD_CONNECTORS_HUBSPOT_SECRET_ID=switchboard/hubspot",
			"SWITCHBOARD_CONNECTORS_HUBSPOT_BASE_URL=" + fhs.srv.URL,
			"SWITCHBOARD_CONNECTORS_ZENDESK_SECRET_ID=switchboard/zendesk",
			"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme",
			"SWITCHBOARD_CONNECTORS_ZENDESK_BASE_URL=" + fzd.srv.URL,
			"SWITCHBOARD_CONNECTORS_ZENDESK_LOCALE=",
			"SWITCHBOARD_CONNECTORS_STRIPE_SECRET_ID=switchboard/stripe",
			"SWITCHBOARD_CONNECTORS_STRIPE_BASE_URL=" + fst.srv.URL,
			"SWITCHBOARD_RESILIENCE_DEFAULTS_MAX_ATTEMPTS=2",
			"SWITCHBOARD_RESILIENCE_DEFAULTS_BACKOFF_BASE=1ms", "SWITCHBOARD_RESILIENCE_DEFAULTS_BACKOFF_MAX=2ms",
			// Every platform's events arrive at once: the tools' documented request
			// quotas would hold the later turns past their deadline, which is not what
			// this test is about (the Bedrock events made that happen to Rasa's).
			"SWITCHBOARD_RESILIENCE_DEFAULTS_RATE=-1", "SWITCHBOARD_RESILIENCE_DEFAULTS_MAX_IN_FLIGHT=-1",
			"SWITCHBOARD_DEADLINES_DIALOGFLOW=1500ms", "SWITCHBOARD_DEADLINES_DIALOGFLOW_CX=1500ms",
			"SWITCHBOARD_DEADLINES_LEX=1500ms", "SWITCHBOARD_DEADLINES_RASA=1500ms", "SWITCHBOARD_DEADLINES_BEDROCK_AGENT=1500ms",
			"SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1", "SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1",
			// The turns run concurrently from one address: the upload cap is an abuse
			// limit, not what these tests are about.
			"SWITCHBOARD_SECURITY_UPLOADS_PER_SOURCE=-1",
			// Rasa authenticates with a token from Secrets Manager; the others are
			// open by name for this test.
			"SWITCHBOARD_SECURITY_AUTH=none",
			// Every seeded email must reach the tools' fault paths, so the personal-data
			// intents answer anonymous callers here (by name, as the config requires);
			// the identity policy itself is tested in identity_test.go.
			"SWITCHBOARD_IDENTITY_OPEN_INTENTS=lookup_customer,verify_payment",
			"SWITCHBOARD_SECURITY_RASA_METHOD=token", "SWITCHBOARD_SECURITY_RASA_SECRET=switchboard/webhook/rasa",
		}, stacks[stack]...)
		cfg, err := config.Load("", env)
		if err != nil {
			t.Fatal(err)
		}
		var logs syncBuf
		tel, err := telemetry.New(cfg.Service, telemetry.Settings(cfg.Telemetry), telemetry.Options{Logs: &logs, EMF: io.Discard, Traces: io.Discard, Redactor: red})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		a, err := app.Build(ctx, cfg, app.Options{Telemetry: tel})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		h := tel.Middleware(server.Handler(a.Engine, server.Options{Logger: tel.Logger,
			Routes: adapters.Routes(wiring.Adapters(cfg))}))
		srv := httptest.NewServer(h)
		defer srv.Close()
		for _, p := range proxies {
			p.mode.Store(fault)
		}
		fsql.set(t, fault)
		defer func() {
			for _, p := range proxies {
				p.mode.Store(faultNone)
			}
			fsql.set(t, faultNone)
		}()
		var wg sync.WaitGroup
		for _, p := range webhookPlatforms() {
			for i, body := range events[p] {
				wg.Add(1)
				go func() {
					defer wg.Done()
					u := srv.URL + "/webhooks/" + string(p)
					if p == conversation.Rasa {
						u += "?token=" + leakWebhook
					}
					req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Request-Id", fmt.Sprintf("leak-%s-%s-%s-%d", stack, fault, p, i))
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Errorf("%s event %d: %v", p, i, err)
						return
					}
					out, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						t.Errorf("%s event %d under %s: HTTP %d %s", p, i, fault, resp.StatusCode, out)
					}
				}()
			}
		}
		wg.Wait()
		return logs.Bytes()
	}

	type leakRun struct{ stack, fault, logMode string }
	var runs []leakRun
	for stack := range stacks {
		for _, fault := range leakFaults {
			runs = append(runs, leakRun{stack, fault, "debug"})
		}
		// Sampled debug turns at info level follow the same rule.
		for _, fault := range []string{faultNone, faultEcho4xx} {
			runs = append(runs, leakRun{stack, fault, "sampled"})
		}
	}
	for _, r := range runs {
		stack, fault := r.stack, r.fault
		name := stack + "/" + fault
		if r.logMode == "sampled" {
			name += "/sampled"
		}
		{
			t.Run(name, func(t *testing.T) {
				before := fsql.faulted.Load()
				for _, p := range proxies {
					before += p.faulted.Load()
				}
				logs := run(t, stack, fault, r.logMode, nil)
				n, found := leaks(t, logs, forbidden)
				for i, f := range found {
					if i == 10 {
						t.Errorf("… %d more", n-10)
						break
					}
					t.Errorf("leak: %s", f)
				}
				after := fsql.faulted.Load()
				for _, p := range proxies {
					after += p.faulted.Load()
				}
				if fault != faultNone && after == before {
					t.Errorf("no tool call met the %s fault: the run proves nothing", fault)
				}
				// The database's own code raised an error quoting the e-mail (SQLSTATE
				// P0001) and the connector received it.
				if stack == "sql" && strings.HasPrefix(fault, "echo") && !bytes.Contains(logs, []byte("P0001")) {
					t.Errorf("no tool call met the database's echoing error: the run proves nothing")
				}
				if !bytes.Contains(logs, []byte(`"webhook request"`)) || !bytes.Contains(logs, []byte(`"tool call"`)) {
					t.Errorf("no debug body or tool call lines: the run proves nothing")
				}
			})
		}
	}
	// The detector must see leaks when redaction is off — in the debug bodies, and in
	// tool call errors (a dropped connection's *url.Error carries the request URL,
	// e-mail in the query).
	t.Run("redaction off finds leaks", func(t *testing.T) {
		logs := run(t, "hubspot", faultTransport, "debug", telemetry.NewUnsafeRedactor())
		n, found := leaks(t, logs, forbidden)
		if n == 0 {
			t.Fatalf("with redaction off the seeded values never reached a log line: the leak test proves nothing")
		}
		inToolCalls := 0
		for _, f := range found {
			if strings.Contains(f, `"msg":"tool call"`) {
				inToolCalls++
			}
		}
		t.Logf("redaction off: %d leaked values, %d of them in tool call error lines", n, inToolCalls)
		if inToolCalls == 0 {
			t.Errorf("no leak in a tool call line with redaction off: the fault paths never put the echoed request in a log")
		}
	})
	// Each personal value of issue 21 reaches a debug line of every platform when
	// redaction is off — at debug level and in sampled turns — and the customer's
	// name, company and plan reach the reply lines (the tools' answers).
	for _, logMode := range []string{"debug", "sampled"} {
		t.Run("redaction off shows every personal value/"+logMode, func(t *testing.T) {
			logs := run(t, "hubspot", faultNone, logMode, telemetry.NewUnsafeRedactor())
			inAny, inReply := reachedPerPlatform(logs, personalValues)
			for _, p := range webhookPlatforms() {
				for _, v := range personalValues {
					if !inAny[string(p)][v] {
						t.Errorf("%s: with redaction off %q never reached a log line: the leak test proves nothing for it", p, v)
					}
				}
				for _, v := range []string{leakFirst + " " + leakLast, leakCompany, leakPlan} {
					if !inReply[string(p)][v] {
						t.Errorf("%s: with redaction off %q never reached a webhook reply line: the tools' answers are not covered", p, v)
					}
				}
			}
		})
	}
}
