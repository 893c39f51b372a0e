package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce/sftest"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// recorder is a reverse proxy in front of a stand-in that records the paths it saw, so
// a test can prove a turn really reached the tool.
type recorder struct {
	mu    sync.Mutex
	paths []string
	srv   *httptest.Server
}

func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.paths = append(r.paths, req.Method+" "+req.URL.Path)
		r.mu.Unlock()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) saw(prefix string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.paths {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// putSecrets stores each secret in Secrets Manager (moto) under prefix.
func putSecrets(t *testing.T, endpoint, prefix string, all map[string]secrets.Secret) {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(endpoint) })
	for id, s := range all {
		raw, _ := json.Marshal(s)
		if _, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
			Name: aws.String(prefix + id), SecretString: aws.String(string(raw))}); err != nil {
			t.Fatalf("create secret %s: %v", id, err)
		}
	}
}

// serveExample loads an example configuration as `switchboard serve --config` does
// (file plus SWITCHBOARD_* overrides in environ), builds the app and serves its webhooks.
func serveExample(t *testing.T, example string, environ []string) string {
	t.Helper()
	cfg, err := config.Load(filepath.Join(testenv.RepoRoot(), "docs", "examples", example), environ)
	if err != nil {
		t.Fatalf("load %s: %v", example, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.Build(ctx, cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("build %s: %v", example, err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(server.Handler(a.Engine, server.Options{MaxBodyBytes: cfg.Server.MaxBodyBytes}))
	t.Cleanup(srv.Close)
	return srv.URL
}

var e2eTurnSeq atomic.Int64

// e2eWebhookSecrets are the webhook credentials the example configurations check.
var e2eWebhookSecrets = map[string]secrets.Secret{
	"switchboard/webhook/dialogflow":    {"username": "dialogflow", "password": "e2e-dialogflow-password"},
	"switchboard/webhook/dialogflow-cx": {"token": "e2e-cx-token"},
	"switchboard/webhook/rasa":          {"token": "e2e-rasa-token"},
}

// fulfillment posts a sample Dialogflow ES event and returns its fulfillmentText.
func fulfillment(t *testing.T, base, event string, params map[string]any) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "events", "dialogflow", event))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	// A new turn each time: the idempotency layer would replay a repeated responseId.
	ev["responseId"] = fmt.Sprintf("e2e-%d-%d", time.Now().UnixNano(), e2eTurnSeq.Add(1))
	qr := ev["queryResult"].(map[string]any)
	ps, _ := qr["parameters"].(map[string]any)
	for k, v := range params {
		if k == "identity_token" {
			// Where the site's token rides: originalDetectIntentRequest.payload.
			child(ev, "originalDetectIntentRequest", "payload")[k] = v
			continue
		}
		ps[k] = v
	}
	body, _ := json.Marshal(ev)
	// Without the agent's basic auth the example configurations refuse the call.
	anon, err := http.Post(base+"/webhooks/dialogflow", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != 401 {
		t.Fatalf("%s without credentials: HTTP %d, want 401", event, anon.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/dialogflow", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("dialogflow", "e2e-dialogflow-password")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: HTTP %d %s", event, resp.StatusCode, out)
	}
	var r struct {
		FulfillmentText string `json:"fulfillmentText"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s: %v\n%s", event, err, out)
	}
	return r.FulfillmentText
}

func contains(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s reply = %q, want it to contain %q", what, got, w)
		}
	}
}

// TestExampleHubSpotZendeskStripe serves docs/examples/hubspot-zendesk-stripe.yaml with
// the tools' URLs pointed at local stand-ins (HubSpot and Zendesk in-process servers,
// stripe-mock) and the secrets in Secrets Manager (moto), and answers the four intents.
func TestExampleHubSpotZendeskStripe(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	stripe := newRecorder(t, testenv.StripeMock(t))
	hs := hstest.New(t)
	zd := zdtest.New(t)
	prefix := "e2e-" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "") + "/"
	putSecrets(t, moto, prefix, map[string]secrets.Secret{
		"switchboard/hubspot": hs.Secret(),
		"switchboard/zendesk": zd.Secret(),
		"switchboard/stripe":  {"api_key": "sk_test_123"},
		// The key the site signs identity tokens with (identity.token.secret_id).
		"switchboard/identity": {"key": e2eTokenKey},
		// The pepper that keys the stored codes (identity.codes.pepper_secret_id).
		"switchboard/identity/code-pepper": {"pepper": strings.Repeat("e2e-pepper", 4)},
	})
	putSecrets(t, moto, prefix, e2eWebhookSecrets)
	sesIdentity(t, moto, "support@acme.example")
	base := serveExample(t, "hubspot-zendesk-stripe.yaml", []string{
		"SWITCHBOARD_IDENTITY_CODES_ENDPOINT=" + moto,
		"SWITCHBOARD_DATA_DIR=" + t.TempDir(),
		"SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT=" + moto,
		"SWITCHBOARD_CONNECTORS_SECRETS_PREFIX=" + prefix,
		"SWITCHBOARD_CONNECTORS_HUBSPOT_BASE_URL=" + hs.URL(),
		"SWITCHBOARD_CONNECTORS_ZENDESK_BASE_URL=" + zd.URL(),
		"SWITCHBOARD_CONNECTORS_ZENDESK_LOCALE=",
		"SWITCHBOARD_CONNECTORS_STRIPE_BASE_URL=" + stripe.srv.URL,
	})

	// Lookup: the customer from HubSpot, open tickets from Zendesk, the last payment
	// from Stripe, in one reply.
	// Anonymous: a code is offered (SES), nothing is said about the account.
	got := fulfillment(t, base, "lookup_customer.json", nil)
	contains(t, "anonymous lookup", got, "If that email has an account with us")
	if strings.Contains(got, "Lovelace") {
		t.Errorf("anonymous lookup reveals the customer: %q", got)
	}
	// Signed by the site with the key in Secrets Manager: the full answer.
	adaToken := e2eToken(t, "ada@example.com", "https://acme.example", "switchboard")
	got = fulfillment(t, base, "lookup_customer.json", map[string]any{"identity_token": adaToken})
	contains(t, "lookup customer", got, "I found Ada Lovelace (Analytical Engines Ltd): Enterprise plan, account active.",
		"open ticket", "The last payment")

	// Create ticket: filed in Zendesk with the turn's external id and the example's tag.
	before := len(zd.Tickets())
	got = fulfillment(t, base, "create_ticket.json", nil)
	tickets := zd.Tickets()
	if len(tickets) != before+1 {
		t.Fatalf("Zendesk holds %d tickets after create, want %d (reply %q)", len(tickets), before+1, got)
	}
	tk := tickets[len(tickets)-1]
	contains(t, "create ticket", got, "I've created ticket #", `"Cannot log in"`)
	if tk.Subject != "Cannot log in" || tk.ExternalID == nil || *tk.ExternalID == "" || !strings.Contains(strings.Join(tk.Tags, ","), "switchboard") {
		t.Errorf("Zendesk ticket = %+v, want the subject, an external id and the switchboard tag", tk)
	}
	// Filed without sign-in: the provenance tag (issue 21).
	if !slices.Contains(tk.Tags, "switchboard_unverified") {
		t.Errorf("Zendesk ticket tags = %v, want switchboard_unverified on a ticket filed without sign-in", tk.Tags)
	}

	// Verify payment: stripe-mock's PaymentIntent has no customer email, so the
	// owner check refuses to reveal it — after really asking Stripe.
	got = fulfillment(t, base, "verify_payment.json", map[string]any{"identity_token": adaToken})
	contains(t, "verify payment", got, "I couldn't find a payment pi_demo_ada_1 for ada@example.com")
	if !stripe.saw("GET /v1/payment_intents/pi_demo_ada_1") {
		t.Errorf("stripe-mock never saw the PaymentIntent lookup; saw %v", stripe.paths)
	}

	// Update customer: the question first (nothing sent to HubSpot), then the yes:
	// one contact PATCH, and the reply states what HubSpot holds, read back.
	change := map[string]any{"identity_token": adaToken, "field": "phone", "new_value": "+44 20 7946 0958", "confirm": ""}
	got = fulfillment(t, base, "update_customer_signed.json", change)
	contains(t, "update customer question", got, "+442079460958?")
	if n := len(hs.Patches()); n != 0 {
		t.Fatalf("the question sent %d PATCHes to HubSpot", n)
	}
	change["confirm"] = "yes"
	got = fulfillment(t, base, "update_customer_signed.json", change)
	contains(t, "update customer", got, "Your phone number is now", "442079460958")
	if ps := hs.Patches(); len(ps) != 1 || ps[0].Properties["phone"] != "+442079460958" {
		t.Fatalf("HubSpot PATCHes = %+v, want one setting the phone", ps)
	} else if c, ok := hs.Contact(ps[0].ID); !ok || c.Properties["phone"] != "+442079460958" || c.Properties["email"] != "ada@example.com" {
		t.Errorf("HubSpot contact after the update = %+v", c)
	}
	// An anonymous caller changes nothing and learns nothing.
	got = fulfillment(t, base, "update_customer.json", map[string]any{"confirm": "yes"})
	if strings.Contains(got, "442079460958") || len(hs.Patches()) != 1 {
		t.Errorf("anonymous update: %q, %d PATCHes", got, len(hs.Patches()))
	}

	// Search KB: Zendesk Help Center.
	got = fulfillment(t, base, "search_kb.json", nil)
	contains(t, "search kb", got, "How to reset your password")
	var kbSeen bool
	for _, r := range zd.Requests() {
		kbSeen = kbSeen || r.Path == "/api/v2/help_center/articles/search.json"
	}
	if !kbSeen {
		t.Errorf("the Zendesk stand-in never saw a Help Center search")
	}
}

// TestExampleSalesforceSQL serves docs/examples/salesforce-sql.yaml against the
// Salesforce stand-in and a real PostgreSQL, with secrets in Secrets Manager (moto).
func TestExampleSalesforceSQL(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	sf := sftest.New(t)
	dsn := testenv.Postgres(t)
	prefix := "e2e-sf-" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "") + "/"
	putSecrets(t, moto, prefix, map[string]secrets.Secret{
		"switchboard/salesforce": sf.Secret(),
		"switchboard/sql":        {"dsn": dsn},
		"switchboard/identity":   {"key": e2eTokenKey},
	})
	putSecrets(t, moto, prefix, e2eWebhookSecrets)
	base := serveExample(t, "salesforce-sql.yaml", []string{
		"SWITCHBOARD_DATA_DIR=" + t.TempDir(),
		"SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT=" + moto,
		"SWITCHBOARD_CONNECTORS_SECRETS_PREFIX=" + prefix,
		"SWITCHBOARD_CONNECTORS_SALESFORCE_LOGIN_URL=" + sf.URL(),
		"SWITCHBOARD_CONNECTORS_SQL_DSN=",
		"SWITCHBOARD_CONNECTORS_SQL_SCHEMA=",
		"SWITCHBOARD_CONNECTORS_SQL_MIGRATE=true",
	})
	ada := map[string]any{"identity_token": e2eToken(t, "ada@example.com", "", "")}
	got := fulfillment(t, base, "lookup_customer.json", ada)
	contains(t, "lookup customer", got, "I found Ada Lovelace (Analytical Engines Ltd)", "There are no open tickets.")
	got = fulfillment(t, base, "lookup_customer.json", nil)
	contains(t, "anonymous lookup (no codes)", got, "I can only share account details with the account holder")
	got = fulfillment(t, base, "create_ticket.json", nil)
	contains(t, "create ticket", got, "I've created ticket #1001", `"Cannot log in"`)
	// Filed without sign-in: the SQL helpdesk keeps the provenance mark, and the
	// owner's lookup neither quotes the ticket nor counts it (issue 21).
	got = fulfillment(t, base, "lookup_customer.json", ada)
	contains(t, "lookup customer after the ticket", got, "You have no open tickets of your own.",
		"a request filed in chat without sign-in")
	if strings.Contains(got, "Cannot log in") {
		t.Errorf("the owner's lookup quotes a ticket filed without sign-in: %q", got)
	}
	got = fulfillment(t, base, "verify_payment.json", ada)
	contains(t, "verify payment (demo)", got, "Payment ORD-1001")
	got = fulfillment(t, base, "search_kb.json", nil)
	contains(t, "search kb (demo)", got, "How to reset your password")

	// Update customer on Salesforce: the yes sends one Contact PATCH of the Mailing
	// fields, and the reply states what Salesforce holds, read back.
	ada["field"], ada["new_value"], ada["confirm"] = "address", "221B Baker Street, London NW1 6XE, United Kingdom", "yes"
	got = fulfillment(t, base, "update_customer_signed.json", ada)
	contains(t, "update customer", got, "Your postal address is now", "221B Baker Street", "NW1 6XE London", "United Kingdom")
	if ps := sf.Patches(); len(ps) != 1 || ps[0].Fields["MailingStreet"] != "221B Baker Street" || ps[0].Fields["MailingPostalCode"] != "NW1 6XE" {
		t.Fatalf("Salesforce PATCHes = %+v, want one setting the Mailing address", ps)
	} else if c, ok := sf.Contact(ps[0].ID); !ok || c.MailingCity != "London" || c.Email != "ada@example.com" {
		t.Errorf("Salesforce contact after the update = %+v", c)
	}
}

// e2eTokenKey is the HS256 key the e2e tests keep in Secrets Manager as the site's.
const e2eTokenKey = "e2e-identity-key-0123456789abcdef0123456789"

func e2eToken(t *testing.T, email, iss, aud string) string {
	t.Helper()
	now := time.Now()
	c := &identity.Claims{Email: email, RegisteredClaims: jwt.RegisteredClaims{Subject: "cust-" + email, Issuer: iss,
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute))}}
	if aud != "" {
		c.Audience = jwt.ClaimStrings{aud}
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(e2eTokenKey))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sesIdentity creates a sending identity in moto's SES (already there is fine).
func sesIdentity(t *testing.T, moto, from string) {
	t.Helper()
	cfg, err := awsenv.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(moto) })
	_, err = c.CreateEmailIdentity(context.Background(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(from)})
	var exists *sestypes.AlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		t.Fatal(err)
	}
}
