package main

import (
	"archive/zip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/config"
)

// zipDir zips dir as the Lex console exports a bot (paths relative to dir).
func zipDir(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "SupportBot-DRAFT-export.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(w, src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return out
}

// check --lex-bot reads the slot names of an exported bot — the zip, the unzipped
// folder, or JSON — and reports the slots Switchboard's intents ask for that the bot's
// intents lack (here LookupCustomer's email, which the bot calls customerEmail), and an
// enabled intent the bot does not have (VerifyPayment) as a warning.
func TestCheckLexBot(t *testing.T) {
	t.Parallel()
	folder := filepath.Join("testdata", "lexbot")
	jsonFile := filepath.Join(t.TempDir(), "bot.json")
	if err := os.WriteFile(jsonFile, []byte(`{"LookupCustomer":["customerEmail"],"CreateTicket":["email","subject","description","priority"],"SearchKnowledgeBase":["query"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	noCodes := config.Default()
	noCodes.Identity.Codes.Sender = config.SenderNone
	for name, p := range map[string]string{"folder": folder, "zip": zipDir(t, folder), "json": jsonFile} {
		res := checkLexBot(noCodes, p)
		if len(res) != 1 {
			t.Fatalf("%s: %d results: %+v", name, len(res), res)
		}
		r := res[0]
		if r.OK || !strings.Contains(r.Error, "intent LookupCustomer lacks slot(s) email that lookup_customer asks for (its slots: customerEmail)") {
			t.Errorf("%s: %+v, want LookupCustomer's missing email", name, r)
		}
		if strings.Contains(r.Error, "CreateTicket") || strings.Contains(r.Error, "SearchKnowledgeBase") {
			t.Errorf("%s: complete intents reported: %s", name, r.Error)
		}
		if !strings.Contains(r.Warning, "verify_payment (VerifyPayment)") {
			t.Errorf("%s: warning %q, want the unmapped verify_payment", name, r.Warning)
		}
	}
	// With one-time codes on, the identity intents also ask for verification_code.
	cfg := config.Default()
	cfg.Identity.Codes.Sender = config.SenderOutbox
	if r := checkLexBot(cfg, folder)[0]; !strings.Contains(r.Error, "lacks slot(s) email, verification_code") {
		t.Errorf("codes on: %s", r.Error)
	}
	// Something that is no bot export says so.
	if r := checkLexBot(config.Default(), filepath.Join("testdata", "lexbot", "README.md"))[0]; r.OK || !strings.Contains(r.Error, "neither a Lex V2 export") {
		t.Errorf("not an export: %+v", r)
	}
}

// The flag reaches the check command: its report fails with the bot's missing slots.
func TestCheckCommandReadsLexBot(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "data_dir: "+t.TempDir()+"\n")
	code, out, errs := runCheck(t, "--config", cfg, "--json", "--lex-bot", filepath.Join("testdata", "lexbot"))
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	var got checkOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range got.Tools {
		found = found || (r.Tool == "lex bot en_US" && !r.OK && strings.Contains(r.Error, "customerEmail"))
	}
	if got.OK || !found {
		t.Errorf("report %+v lacks the bot's missing slot", got)
	}
}

// update_customer's slots are known to check --lex-bot: a bot whose UpdateCustomer
// intent lacks the confirm slot (and, with codes on, verification_code) is reported;
// one with every slot is not.
func TestCheckLexBotUpdateCustomer(t *testing.T) {
	t.Parallel()
	bot := func(slots string) string {
		p := filepath.Join(t.TempDir(), "bot.json")
		if err := os.WriteFile(p, []byte(`{"LookupCustomer":["email","verification_code"],"CreateTicket":["email","subject","description","priority"],`+
			`"SearchKnowledgeBase":["query"],"VerifyPayment":["payment_reference","email","verification_code"],"UpdateCustomer":[`+slots+`]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := config.Default()
	cfg.Identity.Codes.Sender = config.SenderOutbox
	r := checkLexBot(cfg, bot(`"email","field","new_value"`))[0]
	if r.OK || !strings.Contains(r.Error, "intent UpdateCustomer lacks slot(s) confirm, verification_code that update_customer asks for") {
		t.Errorf("missing confirm: %+v", r)
	}
	if r := checkLexBot(cfg, bot(`"email","field","new_value","confirm","verification_code"`))[0]; !r.OK {
		t.Errorf("complete bot: %+v", r)
	}
}
