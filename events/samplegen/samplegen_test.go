package samplegen_test

import (
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/switchboard-dev/switchboard/events/samplegen"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform"
	_ "github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// throwaway is an intent only this test registers, as a new intent's folder would: the
// generator must build its samples from its contract alone.
var throwaway = spec.Intent{
	Name: "check_order", Order: 99, Function: "checkorder", Stage: spec.StageReads, Uses: []string{spec.Customers},
	Identity: true, Unverified: spec.UnverifiedCode, Display: "CheckOrder", Samples: "check_order.json",
	Slots: []spec.Slot{
		{Name: "email", Required: true, Prompt: "prompt.email", Retry: "retry.email", Example: "ada@example.com"},
		{Name: "order_number", Required: true, Example: "A-1001"},
		{Name: "note"}, // no example: the sample leaves it unfilled
	},
}

func init() { spec.Register(throwaway) }

// readTree reads every file under dir (path relative to dir → bytes).
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// copyEvents copies the repository's events folder (its sample files) into a temp dir.
func copyEvents(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for rel, b := range readTree(t, filepath.Join(testenv.RepoRoot(), "events")) {
		if filepath.Ext(rel) != ".json" {
			continue
		}
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// decode decodes a sample with the platform's adapter on the default intent names (the
// route's intent completing it on a platform whose body does not name it).
func decode(t *testing.T, e platform.Entry, intent string, body []byte) conversation.Turn {
	t.Helper()
	a := e.New(platform.Names(config.DefaultIntentNames().Names(e.Platform())), false)
	req, err := a.Decode(body)
	if err != nil {
		t.Fatalf("%s: %v\n%s", e.Name, err, body)
	}
	if e.Complete != nil {
		if err := e.Complete(intent, http.Header{})(req); err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
	}
	return req.Turn()
}

// In a copy of events/ holding every hand-written sample, the generator writes the
// throwaway intent's samples on every platform with a simulator — the signed variant
// where the body carries the identity token — and nothing else: no existing file
// changes, a file already there (hand-written) is kept, and a second run writes
// nothing. Each platform's adapter decodes each sample to the intent with its
// contract's example values, signed in as the demo customer in the signed variant.
func TestWriteMissingForANewIntent(t *testing.T) {
	dir := copyEvents(t)
	handWritten := filepath.Join("rasa", "check_order_signed.json")
	if err := os.WriteFile(filepath.Join(dir, handWritten), []byte(`{"hand": "written"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)

	wrote, err := samplegen.WriteMissing(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	simulated := 0
	for _, e := range platform.Entries() {
		if e.Console == nil {
			continue
		}
		simulated++
		for _, f := range samplegen.Files(e, throwaway) {
			if rel := filepath.Join(e.Name, f); rel != handWritten {
				want = append(want, rel)
			}
		}
	}
	sort.Strings(want)
	got := slices.Sorted(slices.Values(wrote))
	if !slices.Equal(got, want) {
		t.Fatalf("wrote %v, want %v", got, want)
	}
	if simulated < 6 || !slices.Contains(got, filepath.Join("tool-api", "check_order.json")) ||
		slices.Contains(got, filepath.Join("tool-api", "check_order_signed.json")) ||
		!slices.Contains(got, filepath.Join("lex", "check_order_signed.json")) {
		t.Errorf("%d platforms with a simulator, wrote %v", simulated, got)
	}
	after := readTree(t, dir)
	for rel, b := range before {
		if !bytes.Equal(after[rel], b) {
			t.Errorf("%s changed", rel)
		}
	}
	if again, err := samplegen.WriteMissing(dir); err != nil || len(again) != 0 {
		t.Errorf("second run wrote %v (%v)", again, err)
	}

	tok, err := samplegen.Token()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range platform.Entries() {
		if e.Console == nil {
			continue
		}
		for _, f := range samplegen.Files(e, throwaway) {
			rel := filepath.Join(e.Name, f)
			if rel == handWritten {
				continue
			}
			signed := f != throwaway.Samples
			body := after[rel]
			// Deterministic: a rebuild gives the same bytes.
			if again, err := samplegen.Build(e, throwaway, signed); err != nil || !bytes.Equal(again, body) {
				t.Errorf("%s: rebuilt differently (%v)", rel, err)
			}
			turn := decode(t, e, throwaway.Name, body)
			if turn.Intent != conversation.Intent(throwaway.Name) {
				t.Errorf("%s: decoded intent %q (raw %q)", rel, turn.Intent, turn.RawIntent)
			}
			for _, s := range throwaway.Slots {
				if turn.Slots[s.Name] != s.Example {
					t.Errorf("%s: slot %s = %q, want %q (slots %v)", rel, s.Name, turn.Slots[s.Name], s.Example, turn.Slots)
				}
			}
			if wantTok := map[bool]string{true: tok}[signed]; turn.IdentityToken != wantTok {
				t.Errorf("%s: identity token %q, want %q", rel, turn.IdentityToken, wantTok)
			}
		}
	}
}

// The generated samples are signed with the token the hand-written ones carry, and
// the form they declare is the one the console's agent defines (the handlers' slots).
func TestSamplesAgreeWithTheHandWrittenOnes(t *testing.T) {
	tok, err := samplegen.Token()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rel, b := range readTree(t, filepath.Join(testenv.RepoRoot(), "events")) {
		if filepath.Ext(rel) == ".json" && bytes.Contains(b, []byte(conversation.IdentityField)) &&
			filepath.Base(filepath.Dir(rel)) != "invalid" {
			n++
			if !bytes.Contains(b, []byte(tok)) {
				t.Errorf("%s carries another identity token than samplegen.Token", rel)
			}
		}
	}
	if n == 0 {
		t.Error("no signed sample found")
	}
	for _, in := range conversation.Intents {
		s, _ := spec.Lookup(string(in))
		if got, want := samplegen.Form(s), intents.ElicitedSlots(in, true); !slices.Equal(got, want) {
			t.Errorf("%s: form %v, the handlers ask for %v", in, got, want)
		}
	}
}
