package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckTableWrapsCauses: a long cause is printed whole, wrapped under the STATUS
// column to the table's width, never cut with "...".
func TestCheckTableWrapsCauses(t *testing.T) {
	cause := "secret prod/switchboard/hubspot: ResourceNotFoundException: Secrets Manager can't find the specified secret " +
		"in us-east-1 (account 123456789012); create it with aws secretsmanager create-secret --name prod/switchboard/hubspot " +
		"--secret-string '{\"token\":\"…\"}' and run switchboard check again — the end of this message is what to do"
	var out bytes.Buffer
	printCheckTable(&out, []checkResult{
		{Tool: "hubspot", Capabilities: []string{"customers"}, AuthMethod: "private app token", ErrorKind: "unauthorized", Error: cause},
		{Tool: "zendesk", Capabilities: []string{"tickets", "kb"}, AuthMethod: "api token", OK: true, LatencyMS: 12},
	}, 80)
	text := out.String()
	if strings.Contains(text, "...") {
		t.Errorf("cause cut:\n%s", text)
	}
	if got := strings.Join(strings.Fields(text), " "); !strings.Contains(got, "FAIL unauthorized: "+cause) {
		t.Errorf("the whole cause is not in the table:\n%s", text)
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	col := strings.Index(lines[0], "STATUS")
	if len(lines) < 5 || col <= 0 {
		t.Fatalf("want the cause wrapped over several lines:\n%s", text)
	}
	for i, l := range lines {
		if len([]rune(l)) > 80 {
			t.Errorf("line %d is %d wide (> 80): %q", i, len([]rune(l)), l)
		}
	}
	// Continuation lines sit under STATUS; the next tool's row starts at column 0.
	for _, l := range lines[2 : len(lines)-1] {
		if strings.TrimSpace(l[:col]) != "" || l[col] == ' ' {
			t.Errorf("continuation not under STATUS (column %d): %q", col, l)
		}
	}
	if !strings.HasPrefix(lines[len(lines)-1], "zendesk") || !strings.HasSuffix(lines[len(lines)-1], "ok") {
		t.Errorf("last row %q", lines[len(lines)-1])
	}
}

// TestCheckReadsTheRepositorysCDKJSON: check --env-file layers the cdk.json of the
// repository the file belongs to, as synth does, and no other project's.
func TestCheckReadsTheRepositorysCDKJSON(t *testing.T) {
	root := t.TempDir()
	if got, want := cdkJSONFor(filepath.Join(root, "infra", "env", "prod.yaml")), filepath.Join(root, "cdk.json"); got != want {
		t.Errorf("cdkJSONFor(<root>/infra/env/prod.yaml) = %q, want %q", got, want)
	}
	if got := cdkJSONFor(filepath.Join("testdata", "env", "prod.yaml")); got != "" {
		t.Errorf("a file outside infra/env/: %q, want none", got)
	}
}
