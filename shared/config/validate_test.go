package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	. "github.com/switchboard-dev/switchboard/shared/config"
	_ "github.com/switchboard-dev/switchboard/shared/connector/all" // every tool's keys
)

// TestLoadRejectsInvalidSections: every section's own validation runs on Load, so a
// wrong value stops the process at start instead of misbehaving later.
func TestLoadRejectsInvalidSections(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ env, want string }{
		{"SWITCHBOARD_SECURITY_RASA_METHOD=magic", "security.rasa.method"},
		{"SWITCHBOARD_SECURITY_DIALOGFLOW_METHOD=basic", "security.dialogflow.secret"},
		{"SWITCHBOARD_STORE_BACKEND=redis", "store.backend"},
		{"SWITCHBOARD_RESILIENCE_DEFAULTS_BREAKER_FAILURE_RATE=2", "breaker_failure_rate"},
	} {
		_, err := Load("", []string{c.env})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one naming %s", c.env, err, c.want)
		}
	}
	if _, err := Load("", []string{"SWITCHBOARD_SECURITY_RASA_METHOD=token", "SWITCHBOARD_SECURITY_RASA_SECRET=switchboard/rasa"}); err != nil {
		t.Fatalf("valid token auth rejected: %v", err)
	}
}

// TestEveryKeyIsDocumented walks the configuration and checks that each key appears in
// the README or a page under docs/, so the configuration reference cannot drift.
func TestEveryKeyIsDocumented(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	var text strings.Builder
	for _, pattern := range []string{"README.md", "docs/*.md", "docs/*/*.md"} {
		files, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text.Write(b)
		}
	}
	docs := text.String()
	for _, key := range Keys() {
		leaf := key[strings.LastIndex(key, ".")+1:]
		// A segment may be written as a placeholder: security.<platform>.method.
		parts := strings.Split(key, ".")
		for i := range parts {
			parts[i] = "(" + regexp.QuoteMeta(parts[i]) + "|<[a-z_]+>)"
		}
		generic := regexp.MustCompile("`" + strings.Join(parts, `\.`) + "`")
		if !strings.Contains(docs, "`"+key+"`") && !strings.Contains(docs, "`"+leaf+"`") && !generic.MatchString(docs) {
			t.Errorf("configuration key %s is not documented in README.md or docs/", key)
		}
	}
}

// Sending codes by SES needs the pepper secret that keys their stored hashes; the
// local senders do without it (the hash salt keys them, local runs only).
func TestSESCodesNeedThePepperSecret(t *testing.T) {
	t.Parallel()
	base := []string{"SWITCHBOARD_DATA_DIR=" + t.TempDir(), "SWITCHBOARD_IDENTITY_CODES_FROM=bot@example.com"}
	_, err := Load("", append(base, "SWITCHBOARD_IDENTITY_CODES_SENDER=ses"))
	if err == nil || !strings.Contains(err.Error(), "identity.codes.pepper_secret_id") {
		t.Fatalf("sender ses without a pepper secret: %v, want an error naming identity.codes.pepper_secret_id", err)
	}
	c, err := Load("", append(base, "SWITCHBOARD_IDENTITY_CODES_SENDER=ses", "SWITCHBOARD_IDENTITY_CODES_PEPPER_SECRET_ID=switchboard/identity/code-pepper"))
	if err != nil || c.Identity.Codes.PepperSecretID != "switchboard/identity/code-pepper" {
		t.Fatalf("sender ses with a pepper secret: %v %q", err, c.Identity.Codes.PepperSecretID)
	}
	for _, sender := range []string{"outbox", "none"} {
		if _, err := Load("", append(base, "SWITCHBOARD_IDENTITY_CODES_SENDER="+sender)); err != nil {
			t.Errorf("sender %s without a pepper secret: %v", sender, err)
		}
	}
}
