package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/switchboard-dev/switchboard/shared/connector/hubspot/hstest"
	"github.com/switchboard-dev/switchboard/shared/connector/salesforce/sftest"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMain(m *testing.M) { testenv.Main(m) }

type checkOutput struct {
	OK    bool          `json:"ok"`
	Tools []checkResult `json:"tools"`
}

func runCheck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"check"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckDemo(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "data_dir: "+t.TempDir()+"\n")
	code, out, errs := runCheck(t, "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "TOOL") ||
		!strings.Contains(lines[0], "AUTH METHOD") || !strings.Contains(lines[0], "LATENCY") {
		t.Fatalf("table =\n%s", out)
	}
	f := strings.Fields(lines[1])
	if f[0] != "demo" || !strings.Contains(lines[1], "customers, tickets, payments, kb") || !strings.HasSuffix(lines[1], "ok") ||
		!strings.Contains(lines[1], "none") || !strings.Contains(lines[1], "ms") {
		t.Errorf("demo line = %q", lines[1])
	}
}

// TestCheckMixed: Stripe against stripe-mock answers ok; SQL pointing at a port where
// nothing listens fails as unavailable; the exit status is 1 and --json says which.
func TestCheckMixed(t *testing.T) {
	mock := testenv.StripeMock(t)
	port := testenv.FreePort(t)
	secretsFile := writeFile(t, "secrets.json", fmt.Sprintf(`{
  "switchboard/stripe": {"api_key": "sk_test_123"},
  "switchboard/sql": {"dsn": "postgres://switchboard:pw-SECRET@127.0.0.1:%d/crm?sslmode=disable"}
}`, port))
	cfg := writeFile(t, "c.yaml", fmt.Sprintf(`data_dir: %s
connectors:
  customers: sql
  payments: stripe
  secrets: {provider: file, file: %s}
  stripe: {base_url: '%s'}
  sql: {connect_timeout: 1s}
`, t.TempDir(), secretsFile, mock))

	code, out, errs := runCheck(t, "--config", cfg, "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	var got checkOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if got.OK || len(got.Tools) != 3 {
		t.Fatalf("output = %+v", got)
	}
	by := map[string]checkResult{}
	for _, r := range got.Tools {
		by[r.Tool] = r
	}
	if r := by["stripe"]; !r.OK || r.AuthMethod != "bearer" || r.LatencyMS <= 0 || strings.Join(r.Capabilities, ",") != "payments" {
		t.Errorf("stripe = %+v", r)
	}
	if r := by["sql"]; r.OK || r.ErrorKind != "unavailable" || r.AuthMethod != "password" || r.Error == "" {
		t.Errorf("sql = %+v, want unavailable", r)
	}
	if r := by["demo"]; !r.OK || strings.Join(r.Capabilities, ",") != "tickets,kb" {
		t.Errorf("demo = %+v", r)
	}
	if strings.Contains(out+errs, "pw-SECRET") || strings.Contains(out+errs, "sk_test_123") {
		t.Errorf("output reveals a secret:\n%s\n%s", out, errs)
	}

	code, table, _ := runCheck(t, "--config", cfg)
	if code != 1 || !strings.Contains(table, "FAIL unavailable") || !strings.Contains(table, "stripe") {
		t.Errorf("table (exit %d):\n%s", code, table)
	}
}

func TestCheckMissingSecret(t *testing.T) {
	mock := testenv.StripeMock(t)
	cfg := writeFile(t, "c.yaml", fmt.Sprintf(`data_dir: %s
connectors:
  payments: stripe
  secrets: {provider: file, file: %s}
  stripe: {base_url: '%s'}
`, t.TempDir(), writeFile(t, "s.json", `{}`), mock))
	code, out, _ := runCheck(t, "--config", cfg, "--json")
	var got checkOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if code != 1 || got.OK {
		t.Fatalf("exit %d, output %+v", code, got)
	}
	for _, r := range got.Tools {
		if r.Tool == "stripe" && (r.OK || r.ErrorKind != "unauthorized" || !strings.Contains(r.Error, "switchboard/stripe")) {
			t.Errorf("stripe = %+v, want unauthorized naming the secret", r)
		}
	}
}

func TestCheckUsage(t *testing.T) {
	if code, _, _ := runCheck(t, "extra"); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if code, _, errs := runCheck(t, "--config", writeFile(t, "c.yaml", "connectors: {payments: paypal}\n")); code != 1 || !strings.Contains(errs, "paypal") {
		t.Errorf("bad config: exit %d, %s", code, errs)
	}
}

// TestCheckExampleConfig runs `switchboard check --config
// docs/examples/hubspot-zendesk-stripe.yaml` with the tools pointed at their stand-ins
// and the secrets in Secrets Manager (moto): every tool answers ok. Then HubSpot's
// token is rotated at HubSpot but not in the secret: HubSpot fails as unauthorized
// while the others stay ok.
func TestCheckExampleConfig(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	mock := testenv.StripeMock(t)
	hs := hstest.New(t)
	zd := zdtest.New(t)
	prefix := fmt.Sprintf("check-%d/", time.Now().UnixNano())
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(moto) })
	for id, s := range map[string]secrets.Secret{
		"switchboard/hubspot": hs.Secret(), "switchboard/zendesk": zd.Secret(), "switchboard/stripe": {"api_key": "sk_test_123"},
		// The webhook secrets the example's security section names (check reads them).
		"switchboard/webhook/dialogflow":    {"username": "dialogflow", "password": "p"},
		"switchboard/webhook/dialogflow-cx": {"token": "t"}, "switchboard/webhook/rasa": {"token": "t"},
		// The identity secrets the example names (check reads them too).
		"switchboard/identity":             {"key": strings.Repeat("k", 48)},
		"switchboard/identity/code-pepper": {"pepper": strings.Repeat("p", 48)},
	} {
		raw, _ := json.Marshal(s)
		if _, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
			Name: aws.String(prefix + id), SecretString: aws.String(string(raw))}); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range map[string]string{
		"SWITCHBOARD_DATA_DIR":                    t.TempDir(),
		"SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT": moto,
		"SWITCHBOARD_CONNECTORS_SECRETS_PREFIX":   prefix,
		"SWITCHBOARD_CONNECTORS_HUBSPOT_BASE_URL": hs.URL(),
		"SWITCHBOARD_CONNECTORS_ZENDESK_BASE_URL": zd.URL(),
		"SWITCHBOARD_CONNECTORS_STRIPE_BASE_URL":  mock,
	} {
		t.Setenv(k, v)
	}
	example := filepath.Join("..", "..", "docs", "examples", "hubspot-zendesk-stripe.yaml")
	code, out, errs := runCheck(t, "--config", example)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"hubspot   customers", "zendesk   tickets, kb", "stripe    payments"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	hs.RotateToken()
	code, out, _ = runCheck(t, "--config", example, "--json")
	var got checkOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if code != 1 || got.OK {
		t.Fatalf("after rotation at HubSpot only: exit %d %+v", code, got)
	}
	for _, r := range got.Tools {
		wantOK := r.Tool != "hubspot"
		if r.OK != wantOK || (!wantOK && r.ErrorKind != "unauthorized") {
			t.Errorf("%s = %+v", r.Tool, r)
		}
	}
}

// TestCheckJSONOnEveryError: a configuration error (here an unknown variable, with its
// suggestion) is a JSON report under --json, never plain text.
func TestCheckJSONOnEveryError(t *testing.T) {
	t.Setenv("SWITCHBOARD_STORE_BACKNED", "dynamodb")
	code, out, _ := runCheck(t, "--json")
	var got struct {
		OK        bool   `json:"ok"`
		ErrorKind string `json:"error_kind"`
		Error     string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json on a configuration error printed %q: %v", out, err)
	}
	if code != 1 || got.OK || got.ErrorKind != "config" || !strings.Contains(got.Error, "did you mean SWITCHBOARD_STORE_BACKEND?") {
		t.Errorf("exit %d, report %+v", code, got)
	}
}

// TestCheckNamesTheFullSecretID: with the aws provider and a prefix, a missing secret
// is named as the functions request it (prod/…), not by its id alone.
func TestCheckNamesTheFullSecretID(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	hs := hstest.New(t)
	prefix := fmt.Sprintf("prod-%d/", time.Now().UnixNano())
	cfg := writeFile(t, "c.yaml", fmt.Sprintf(`data_dir: %s
connectors:
  customers: hubspot
  secrets: {provider: aws, prefix: %s, endpoint: '%s'}
  hubspot: {base_url: '%s'}
`, t.TempDir(), prefix, moto, hs.URL()))
	code, out, _ := runCheck(t, "--config", cfg, "--json")
	var got checkOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if code != 1 || got.OK {
		t.Fatalf("exit %d, output %+v", code, got)
	}
	for _, r := range got.Tools {
		if r.Tool == "hubspot" && (r.OK || !strings.Contains(r.Error, prefix+"switchboard/hubspot")) {
			t.Errorf("hubspot = %+v, want it to name %sswitchboard/hubspot", r, prefix)
		}
	}
}

// TestCheckSalesforceSQLExample runs `switchboard check --config
// docs/examples/salesforce-sql.yaml` with Salesforce pointed at its stand-in, SQL at a
// PostgreSQL database started by the test and the secrets in Secrets Manager (moto):
// the example passes its own header command.
func TestCheckSalesforceSQLExample(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	dsn := testenv.Postgres(t)
	sf := sftest.New(t)
	prefix := fmt.Sprintf("check-%d/", time.Now().UnixNano())
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(moto) })
	for id, s := range map[string]secrets.Secret{
		"switchboard/salesforce": sf.Secret(), "switchboard/sql": {"password": "unused-by-trust-auth"},
		"switchboard/webhook/dialogflow":    {"username": "dialogflow", "password": "p"},
		"switchboard/webhook/dialogflow-cx": {"token": "t"}, "switchboard/webhook/rasa": {"token": "t"},
		// The identity secrets the example names (check reads them too).
		"switchboard/identity":             {"key": strings.Repeat("k", 48)},
		"switchboard/identity/code-pepper": {"pepper": strings.Repeat("p", 48)},
	} {
		raw, _ := json.Marshal(s)
		if _, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
			Name: aws.String(prefix + id), SecretString: aws.String(string(raw))}); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range map[string]string{
		"SWITCHBOARD_DATA_DIR":                        t.TempDir(),
		"SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT":     moto,
		"SWITCHBOARD_CONNECTORS_SECRETS_PREFIX":       prefix,
		"SWITCHBOARD_CONNECTORS_SALESFORCE_LOGIN_URL": sf.URL(),
		"SWITCHBOARD_CONNECTORS_SQL_DSN":              dsn,
		"SWITCHBOARD_CONNECTORS_SQL_MIGRATE":          "true",
	} {
		t.Setenv(k, v)
	}
	example := filepath.Join("..", "..", "docs", "examples", "salesforce-sql.yaml")
	code, out, errs := runCheck(t, "--config", example)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"salesforce", "sql"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %s:\n%s", want, out)
		}
	}
}

// TestCheckWebhookSecret: a platform whose webhook authenticates needs its secret;
// check fails naming the secret's id when it is missing, and passes once it exists.
func TestCheckWebhookSecret(t *testing.T) {
	secretsFile := writeFile(t, "s.json", `{}`)
	cfg := writeFile(t, "c.yaml", fmt.Sprintf(`data_dir: %s
connectors:
  secrets: {provider: file, file: %s}
security:
  rasa: {method: token, secret: prod/switchboard/webhook-rasa}
`, t.TempDir(), secretsFile))
	code, out, _ := runCheck(t, "--config", cfg, "--json")
	var got checkOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range got.Tools {
		if r.Tool == "webhook:rasa" {
			found = true
			if r.OK || !strings.Contains(r.Error, "prod/switchboard/webhook-rasa") {
				t.Errorf("webhook:rasa = %+v, want a failure naming the secret", r)
			}
		}
	}
	if code != 1 || got.OK || !found {
		t.Fatalf("exit %d, output %s", code, out)
	}
	if err := os.WriteFile(secretsFile, []byte(`{"prod/switchboard/webhook-rasa": {"token": "t"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCheck(t, "--config", cfg); code != 0 || !strings.Contains(out, "webhook:rasa") {
		t.Errorf("with the secret: exit %d\n%s\n%s", code, out, errs)
	}
}

// TestCheckEnvironmentFile: `check --env-file infra/env/<name>.yaml` checks what the
// deployed functions of the stage get: the file's tools, settings and secret ids
// (<secretPrefix><tool>, in Secrets Manager), the identity token key and code pepper,
// and the generated webhook secrets. A missing secret is named in full.
func TestCheckEnvironmentFile(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	hs := hstest.New(t)
	t.Setenv("SWITCHBOARD_CONNECTORS_HUBSPOT_BASE_URL", hs.URL())
	t.Setenv("SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT", moto)
	t.Setenv("SWITCHBOARD_DATA_DIR", t.TempDir())
	envFile := filepath.Join("testdata", "env", "prod.yaml")
	const prefix = "checktest/"
	for _, tc := range []struct {
		stage      string
		want, skip []string
	}{
		// The file's own rollout (reads): no payments function, so no Stripe.
		{"", []string{"hubspot", "zendesk"}, []string{"stripe"}},
		{"payments", []string{"hubspot", "zendesk", "stripe"}, nil},
	} {
		args := []string{"--env-file", envFile, "--json"}
		if tc.stage != "" {
			args = append(args, "--stage", tc.stage)
		}
		code, out, _ := runCheck(t, args...)
		var got checkOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if code != 1 || got.OK {
			t.Fatalf("stage %q: exit %d %s", tc.stage, code, out)
		}
		by := map[string]checkResult{}
		for _, r := range got.Tools {
			by[r.Tool] = r
		}
		for _, tool := range tc.want {
			if r, ok := by[tool]; !ok || r.OK || !strings.Contains(r.Error, prefix+tool) {
				t.Errorf("stage %q: %s = %+v, want a failure naming %s%s", tc.stage, tool, r, prefix, tool)
			}
		}
		for _, tool := range tc.skip {
			if r, ok := by[tool]; ok {
				t.Errorf("stage %q: %s checked (%+v), but no function of the stage uses it", tc.stage, tool, r)
			}
		}
		// What synth configures beyond the tools: the identity secrets and the
		// generated webhook secrets, each read and named.
		for name, id := range map[string]string{
			"identity:token-key":    prefix + "identity/token-key",
			"identity:code-pepper":  prefix + "identity/code-pepper",
			"webhook:dialogflow":    prefix + "webhook/dialogflow",
			"webhook:dialogflow-cx": prefix + "webhook/dialogflow-cx",
			"webhook:rasa":          prefix + "webhook/rasa",
			"webhook:tool-api":      prefix + "webhook/tool-api",
		} {
			if r, ok := by[name]; !ok || r.OK || !strings.Contains(r.Error, id) {
				t.Errorf("stage %q: %s = %+v, want a failure naming %s", tc.stage, name, r, id)
			}
			// What the stacks generate is said to be missing until the first deploy.
			generated := strings.HasPrefix(name, "webhook:") || name == "identity:code-pepper"
			if note := "generates " + id + " on deploy"; strings.Contains(by[name].Error, note) != generated {
				t.Errorf("stage %q: %s: %q; want the note %q only on generated secrets", tc.stage, name, by[name].Error, note)
			}
		}
	}
}

// TestCheckEnvironmentFileRefusesWhatSynthRefuses: check --env-file loads the file
// with synth's own code, so a bad rollout, an unknown key, a demo tool and a
// functionEnv variable the stacks set fail before any tool is called, in synth's words.
func TestCheckEnvironmentFileRefusesWhatSynthRefuses(t *testing.T) {
	for file, want := range map[string]string{
		"bad-rollout.yaml": `rollout: "writez" is not one of reads, writes, payments`,
		"unknown-key.yaml": `"rolout" is not a setting (did you mean "rollout"?)`,
		"demo-tool.yaml":   `tool.customers: "demo" is refused in a deployed environment`,
		"owned-key.yaml":   "SWITCHBOARD_STORE_TABLE is set by the stacks (from the prefix setting",
	} {
		code, out, _ := runCheck(t, "--env-file", filepath.Join("testdata", "env", file), "--json")
		var got struct {
			OK        bool   `json:"ok"`
			ErrorKind string `json:"error_kind"`
			Error     string `json:"error"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v\n%s", file, err, out)
		}
		if code != 1 || got.ErrorKind != "config" || !strings.Contains(got.Error, want) {
			t.Errorf("%s: exit %d, %+v; want a config error containing %q", file, code, got, want)
		}
	}
	if code, _, errs := runCheck(t, "--env-file", filepath.Join("testdata", "env", "prod.yaml"), "--stage", "everything"); code != 1 ||
		!strings.Contains(errs, `"everything" is not one of reads, writes, payments`) {
		t.Errorf("--stage everything: exit %d, %s", code, errs)
	}
}

// TestCheckIdentitySecrets: the identity token key and the code pepper are read as the
// functions will read them; a missing secret or a value shorter than the functions
// accept fails naming the secret's id (never its value), and both pass once right.
func TestCheckIdentitySecrets(t *testing.T) {
	secretsFile := writeFile(t, "s.json", `{"prod/identity/key": {"key": "too-short"}}`)
	cfg := writeFile(t, "c.yaml", fmt.Sprintf(`data_dir: %s
connectors:
  secrets: {provider: file, file: %s}
identity:
  token: {secret_id: prod/identity/key, demo_key: false}
  codes: {sender: outbox, pepper_secret_id: prod/identity/code-pepper}
`, t.TempDir(), secretsFile))
	results := func() (int, map[string]checkResult) {
		t.Helper()
		code, out, _ := runCheck(t, "--config", cfg, "--json")
		var got checkOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		m := map[string]checkResult{}
		for _, r := range got.Tools {
			m[r.Tool] = r
		}
		return code, m
	}
	code, got := results()
	key, pepper := got["identity:token-key"], got["identity:code-pepper"]
	if code != 1 || key.OK || !strings.Contains(key.Error, "prod/identity/key") || strings.Contains(key.Error, "too-short") ||
		pepper.OK || !strings.Contains(pepper.Error, "prod/identity/code-pepper") {
		t.Fatalf("exit %d, token key %+v, pepper %+v; want both failing, named, the value unprinted", code, key, pepper)
	}
	long := strings.Repeat("k", 48)
	if err := os.WriteFile(secretsFile, []byte(`{"prod/identity/key": {"key": "`+long+`"}, "prod/identity/code-pepper": {"pepper": "`+long+`"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, got := results(); code != 0 || !got["identity:token-key"].OK || !got["identity:code-pepper"].OK {
		t.Errorf("with both secrets: exit %d, %+v", code, got)
	}
}
