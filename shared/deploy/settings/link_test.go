package settings_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
)

func function(t *testing.T, name string) settings.Function {
	t.Helper()
	for _, f := range settings.IntentFunctions {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no intent function %s", name)
	return settings.Function{}
}

// TestLinkTags: a deployment's build of each intent function omits exactly the tools
// that could serve its capabilities but that the deployment does not choose, and the
// code sender when it sends no codes.
func TestLinkTags(t *testing.T) {
	s := settings.Default()
	s.Tools = map[settings.Capability]string{settings.Customers: "salesforce", settings.Tickets: "sql",
		settings.Payments: "stripe", settings.KB: "zendesk"}
	for _, c := range []struct {
		fn         string
		tools, tag []string
	}{
		{"lookupcustomer", []string{"salesforce", "sql"}, []string{"omit_hubspot", "omit_sesmail", "omit_zendesk"}},
		{"createticket", []string{"sql"}, []string{"omit_zendesk"}},
		{"updatecustomer", []string{"salesforce"}, []string{"omit_hubspot", "omit_sesmail", "omit_sql"}},
		{"verifypayment", []string{"stripe"}, []string{"omit_sesmail"}},
		{"searchkb", []string{"zendesk"}, nil},
	} {
		f := function(t, c.fn)
		if got := s.LinkedTools(f); !slices.Equal(got, c.tools) {
			t.Errorf("%s: LinkedTools = %v, want %v", c.fn, got, c.tools)
		}
		if got := s.LinkTags(f); !slices.Equal(got, c.tag) {
			t.Errorf("%s: LinkTags = %v, want %v", c.fn, got, c.tag)
		}
		if got, ok := s.FunctionLinkTags(c.fn); !ok || !slices.Equal(got, c.tag) {
			t.Errorf("FunctionLinkTags(%s) = %v, %v", c.fn, got, ok)
		}
		// Its own tags never leave out what it needs.
		if err := s.CheckLinked(f, []string{"lambda.norpc,lambdabuild," + strings.Join(c.tag, ",")}); err != nil {
			t.Errorf("%s: its own tags refused: %v", c.fn, err)
		}
	}
	// The code sender: left out where the deployment sends no codes, kept where it does.
	for _, c := range []struct {
		ses  string
		want []string
	}{{"", []string{"omit_hubspot", "omit_sesmail", "omit_zendesk"}}, {"codes@example.com", []string{"omit_hubspot", "omit_zendesk"}}} {
		s := s
		s.SESIdentity, s.CodesFrom = c.ses, c.ses
		f := function(t, "lookupcustomer")
		if !f.Codes {
			t.Fatal("lookupcustomer sends no codes")
		}
		if got := s.LinkTags(f); !slices.Equal(got, c.want) {
			t.Errorf("sesIdentity %q: LinkTags = %v, want %v", c.ses, got, c.want)
		}
		err := s.CheckLinked(f, []string{"lambda.norpc,lambdabuild,omit_sesmail"})
		if c.ses == "" && err != nil {
			t.Errorf("no codes: a build without the sender refused: %v", err)
		}
		if c.ses != "" {
			wantErr(t, "codes but no sender", err, "without sesmail", "sesIdentity")
		}
	}
	if tags, ok := s.FunctionLinkTags(settings.RouterName); ok || tags != nil {
		t.Errorf("FunctionLinkTags(router) = %v, %v; want none, false", tags, ok)
	}
	// A tool another deployment left out is refused, by name.
	err := s.CheckLinked(function(t, "lookupcustomer"), []string{"lambda.norpc,lambdabuild,omit_salesforce"})
	wantErr(t, "a lookupcustomer built without salesforce", err, "lookupcustomer", "without salesforce", "make build ENV=")
}

// TestCheckBootstraps reads the build tags Go records in a real binary: a bootstrap
// built for a deployment that chose another CRM is refused, one built for this one or
// without omit tags passes, and a placeholder that is no Go executable is not judged.
func TestCheckBootstraps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := t.TempDir()
	bin := func(tags string) string {
		out := filepath.Join(dir, "bin-"+strings.ReplaceAll(tags, ",", "-"))
		cmd := exec.Command("go", "build", "-tags", tags, "-o", out, "./testdata/linkbin")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v: %s", err, b)
		}
		return out
	}
	s := settings.Default() // customers hubspot, tickets zendesk
	s.AssetDir = filepath.Join(dir, "build")
	put := func(src string) {
		t.Helper()
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(s.AssetDir, "lookupcustomer", "bootstrap")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	put(bin("lambda.norpc,lambdabuild,omit_hubspot,omit_sql"))
	wantErr(t, "a bootstrap without hubspot", s.CheckBootstraps(), "lookupcustomer", "without hubspot")
	put(bin("lambda.norpc,lambdabuild,omit_salesforce,omit_sql"))
	if err := s.CheckBootstraps(); err != nil {
		t.Errorf("the deployment's own build refused: %v", err)
	}
	put(bin("lambda.norpc,lambdabuild"))
	if err := s.CheckBootstraps(); err != nil {
		t.Errorf("a build linking every tool refused: %v", err)
	}
	script := filepath.Join(dir, "script")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	put(script)
	if err := s.CheckBootstraps(); err != nil {
		t.Errorf("a placeholder judged: %v", err)
	}
}
