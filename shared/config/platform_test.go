package config

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
)

func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "switchboard.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every platform-keyed section is read under the platform's canonical name (its URL
// path segment), dialogflow-cx included.
func TestPlatformSectionsUseTheCanonicalName(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, `
security:
  dialogflow-cx: {method: header, secret: cx}
intents:
  dialogflow-cx: {my-tag: lookup_customer}
deadlines:
  dialogflow-cx: 7s
platform:
  dialogflow-cx: {rich: false}
`), []string{})
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Security.WebhookFor("dialogflow-cx"); w.Method != AuthHeader || w.Secret != "cx" || w.Header != "X-Switchboard-Token" {
		t.Errorf("security.dialogflow-cx = %+v", w)
	}
	if got := c.Intents.Names(conversation.DialogflowCX)["my-tag"]; got != conversation.LookupCustomer {
		t.Errorf("intents.dialogflow-cx[my-tag] = %q", got)
	}
	if got := c.Deadlines.For(conversation.DialogflowCX); got != 7*time.Second {
		t.Errorf("deadlines.dialogflow-cx = %s", got)
	}
	if c.Platform.For(conversation.DialogflowCX).RichEnabled() {
		t.Error("platform.dialogflow-cx.rich: false not applied")
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings for canonical names: %q", c.Warnings)
	}
	// The other platforms keep their defaults.
	if got := c.Deadlines.For(conversation.Rasa); got != 10*time.Second {
		t.Errorf("deadlines.rasa = %s, want the default 10s", got)
	}
	if got := c.Intents.Names(conversation.Rasa)["action_search_kb"]; got != conversation.SearchKB {
		t.Errorf("intents.rasa default lost: %q", got)
	}
}

// The older spellings (dialogflow_cx, dialogflowcx, dialogflow-es, lexv2) are accepted
// for one release, each with a logged warning naming the canonical key; a method the
// platform cannot send is warned about too.
func TestOldPlatformSpellingsWarn(t *testing.T) {
	// Not parallel: it captures the default logger.
	var logged bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	defer slog.SetDefault(prev)
	c, err := Load(writeConfig(t, `
security:
  dialogflow_cx: {method: header, secret: cx}
  dialogflow-es: {method: basic, secret: df}
intents:
  dialogflowcx: {my-tag: lookup_customer}
deadlines:
  lexv2: 20s
`), []string{})
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Security.WebhookFor("dialogflow-cx"); w.Method != AuthHeader || w.Secret != "cx" {
		t.Errorf("security.dialogflow_cx not read as dialogflow-cx: %+v", w)
	}
	if w := c.Security.WebhookFor("dialogflow"); w.Method != AuthBasic || w.Secret != "df" {
		t.Errorf("security.dialogflow-es not read as dialogflow: %+v", w)
	}
	if got := c.Intents.Names(conversation.DialogflowCX)["my-tag"]; got != conversation.LookupCustomer {
		t.Errorf("intents.dialogflowcx not read: %q", got)
	}
	if got := c.Deadlines.For(conversation.LexV2); got != 20*time.Second {
		t.Errorf("deadlines.lexv2 not read: %s", got)
	}
	if _, err := Load(writeConfig(t, "security:\n  lex: {method: header, secret: x}\n  rasa: {method: basic, secret: y}\n"), []string{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"security.lex.method: Amazon Lex V2 cannot send"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logged.String())
		}
	}
	if strings.Contains(logged.String(), "security.rasa.method") {
		t.Errorf("Rasa can send basic auth, yet warned:\n%s", logged.String())
	}
	for _, want := range []string{"security.dialogflow_cx is the older spelling of security.dialogflow-cx",
		"security.dialogflow-es is the older spelling of security.dialogflow",
		"intents.dialogflowcx is the older spelling of intents.dialogflow-cx",
		"deadlines.lexv2 is the older spelling of deadlines.lex"} {
		if !strings.Contains(strings.Join(c.Warnings, "\n"), want) {
			t.Errorf("warnings %q lack %q", c.Warnings, want)
		}
		if !strings.Contains(logged.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logged.String())
		}
	}
}

func TestPlatformSectionErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		// Both spellings: which one wins would be a guess.
		{"security:\n  dialogflow_cx: {method: none}\n  dialogflow-cx: {method: none}\n", "security.dialogflow_cx and security.dialogflow-cx both set"},
		// A platform no folder registers.
		{"platform:\n  teams: {rich: false}\n", "platform.teams: unknown platform or key"},
		{"deadlines:\n  teams: 5s\n", "line 2: field teams not found in deadlines (nor a platform: dialogflow, dialogflow-cx, lex, rasa, tool-api, bedrock-agent)"},
		{"intents:\n  teams: {x: lookup_customer}\n", "line 2: field teams not found in intents"},
	} {
		_, err := Load(writeConfig(t, tc.yaml), []string{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

// The environment names did not change: SWITCHBOARD_<SECTION>_<PLATFORM>[_<FIELD>],
// "-" as "_".
func TestPlatformSectionsFromEnvironment(t *testing.T) {
	t.Parallel()
	c, err := Load("", []string{
		"SWITCHBOARD_SECURITY_DIALOGFLOW_CX_METHOD=header", "SWITCHBOARD_SECURITY_DIALOGFLOW_CX_SECRET=cx",
		"SWITCHBOARD_INTENTS_RASA=action_x=lookup_customer", "SWITCHBOARD_DEADLINES_LEX=12s",
		"SWITCHBOARD_PLATFORM_DIALOGFLOW_RICH=false",
	})
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Security.WebhookFor("dialogflow-cx"); w.Method != AuthHeader || w.Secret != "cx" {
		t.Errorf("security.dialogflow-cx from env = %+v", w)
	}
	if got := c.Intents.Names(conversation.Rasa); len(got) != 1 || got["action_x"] != conversation.LookupCustomer {
		t.Errorf("intents.rasa from env = %v", got)
	}
	if got := c.Deadlines.For(conversation.LexV2); got != 12*time.Second {
		t.Errorf("deadlines.lex from env = %s", got)
	}
	if c.Platform.For(conversation.DialogflowES).RichEnabled() {
		t.Error("platform.dialogflow.rich from env not applied")
	}
	for _, name := range []string{"SWITCHBOARD_SECURITY_DIALOGFLOW_CX_METHOD", "SWITCHBOARD_INTENTS_DIALOGFLOW_CX", "SWITCHBOARD_DEADLINES_RASA", "SWITCHBOARD_PLATFORM_LEX_RICH"} {
		if !strings.Contains(strings.Join(EnvNames(), " "), name) {
			t.Errorf("EnvNames lacks %s", name)
		}
	}
}

// The default intent names, now each platform's convention applied to each registered
// intent, are the names every deployed agent was set up with. The intents deployed
// before the registry keep their names exactly (pinned: a regression check that names
// them on purpose); every registered intent, those included, gets the name its
// platform's convention gives it (docs/platforms/*.md): the display name on Dialogflow
// ES and Lex, the canonical name in kebab case on Dialogflow CX, action_<name> on Rasa,
// the canonical name on the agent surfaces. A new intent is checked without an edit here.
func TestDefaultIntentNamesUnchanged(t *testing.T) {
	t.Parallel()
	c, k, p, v := conversation.LookupCustomer, conversation.SearchKB, conversation.VerifyPayment, conversation.CreateTicket
	u := conversation.Intent("update_customer")
	pinned := map[conversation.Platform]map[string]conversation.Intent{
		conversation.DialogflowES: {"LookupCustomer": c, "CreateTicket": v, "VerifyPayment": p, "SearchKnowledgeBase": k, "UpdateCustomer": u},
		conversation.DialogflowCX: {"lookup-customer": c, "create-ticket": v, "verify-payment": p, "search-kb": k, "update-customer": u},
		conversation.LexV2:        {"LookupCustomer": c, "CreateTicket": v, "VerifyPayment": p, "SearchKnowledgeBase": k, "UpdateCustomer": u},
		conversation.Rasa: {"action_lookup_customer": c, "action_create_ticket": v, "action_verify_payment": p, "action_search_kb": k,
			"action_update_customer": u},
	}
	display := func(in spec.Intent) string { return in.Display }
	canonical := func(in spec.Intent) string { return in.Name }
	convention := map[conversation.Platform]func(spec.Intent) string{
		conversation.DialogflowES: display,
		conversation.DialogflowCX: func(in spec.Intent) string { return strings.ReplaceAll(in.Name, "_", "-") },
		conversation.LexV2:        display,
		conversation.Rasa:         func(in spec.Intent) string { return "action_" + in.Name },
		"tool-api":                canonical,
		"bedrock-agent":           canonical,
	}
	def := DefaultIntentNames()
	for pl, name := range convention {
		want := map[string]conversation.Intent{}
		for _, in := range spec.All() {
			want[name(in)] = conversation.Intent(in.Name)
		}
		for n, in := range pinned[pl] {
			if _, ok := spec.Lookup(string(in)); !ok {
				t.Errorf("%s: %s, a deployed intent, is no longer registered", pl, in)
			} else if want[n] != in {
				t.Errorf("%s: %s is no longer named %q", pl, in, n)
			}
		}
		got := def.Names(pl)
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", pl, got, want)
		}
		for n, in := range want {
			if got[n] != in {
				t.Errorf("%s: %q -> %q, want %q", pl, n, got[n], in)
			}
		}
	}
}

// A typo in a section that also holds platforms is refused with its line, not read as
// a platform.
func TestPlatformSectionTypos(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"security:\n  per_source_rat: 5\n", "line 2: field per_source_rat not found in security"},
		{"deadlines:\n  reply_margn: 5s\n", "line 2: field reply_margn not found in deadlines"},
		{"intents:\n  enabld: [lookup_customer]\n", "line 2: field enabld not found in intents"},
		{"security:\n  rasa: {methd: token}\n", "line 2: field methd not found in type config.WebhookAuth"},
	} {
		_, err := Load(writeConfig(t, tc.yaml), []string{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.yaml, err, tc.want)
		}
	}
	// The section's own keys still read.
	c, err := Load(writeConfig(t, "security:\n  per_source_rate: 7\n  rasa: {method: none}\nintents:\n  enabled: [search_kb]\ndeadlines:\n  reply_margin: 200ms\n"), []string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Security.PerSourceRate != 7 || c.Security.WebhookFor("rasa").Method != AuthNone || !c.Intents.IsEnabled(conversation.SearchKB) ||
		c.Intents.IsEnabled(conversation.LookupCustomer) || c.Deadlines.ReplyMargin != 200*time.Millisecond {
		t.Errorf("section keys not read: %+v %+v %+v", c.Security, c.Intents, c.Deadlines)
	}
}
