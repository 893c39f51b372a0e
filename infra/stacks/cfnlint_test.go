package stacks_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/infra/stacks"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// suppressionsFile lists the cfn-lint rules the templates are allowed to break, one
// per line: the rule id, then why (a rule without a reason is refused).
const suppressionsFile = "cfn-lint-suppressions.txt"

func suppressions(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", suppressionsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rule, reason, _ := strings.Cut(line, " ")
		if strings.TrimSpace(reason) == "" {
			t.Errorf("%s: %s is suppressed without a reason", suppressionsFile, rule)
		}
		out[rule] = strings.TrimSpace(reason)
	}
	return out
}

// TestCfnLint runs cfn-lint on every stack's synthesized template at every rollout
// stage: no errors, and no warning that is not listed in
// infra/cfn-lint-suppressions.txt with its reason.
func TestCfnLint(t *testing.T) {
	bin, ok := testenv.LookPath("cfn-lint")
	if !ok {
		testenv.Missing(t, "cfn-lint", "pip install cfn-lint")
	}
	sup := suppressions(t)
	used := map[string]bool{}
	dir := t.TempDir()
	var files []string
	for _, r := range stacks.Rollouts {
		sy := synthesize(t, r)
		ids := make([]string, 0, len(sy.tpl))
		for id := range sy.tpl {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			raw, err := json.MarshalIndent(sy.tpl[id].ToJSON(), "", " ")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, string(r)+"-"+id+".json")
			if err := os.WriteFile(path, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, path)
		}
	}
	args := append([]string{"--format", "json", "--"}, files...)
	out, err := exec.Command(bin, args...).Output()
	var findings []struct {
		Rule struct {
			ID string `json:"Id"`
		} `json:"Rule"`
		Level    string `json:"Level"`
		Message  string `json:"Message"`
		Filename string `json:"Filename"`
		Location struct {
			Path []any `json:"Path"`
		} `json:"Location"`
	}
	if jerr := json.Unmarshal(out, &findings); jerr != nil {
		t.Fatalf("cfn-lint: %v %v\n%s", err, jerr, out)
	}
	for _, f := range findings {
		where := filepath.Base(f.Filename)
		if reason, ok := sup[f.Rule.ID]; ok && f.Level != "Error" {
			used[f.Rule.ID] = true
			t.Logf("suppressed %s %s in %s (%s)", f.Rule.ID, f.Level, where, reason)
			continue
		}
		t.Errorf("cfn-lint %s %s in %s at %v: %s", f.Level, f.Rule.ID, where, f.Location.Path, f.Message)
	}
	for rule := range sup {
		if !used[rule] {
			t.Errorf("%s suppresses %s, which no template triggers any more: remove it", suppressionsFile, rule)
		}
	}
	t.Logf("cfn-lint checked %d templates: %d findings, all suppressed with a reason", len(files), len(findings))
}
