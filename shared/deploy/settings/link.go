package settings

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/config"
)

// Per-deployment linking. A function's bootstrap links the connector of every tool that
// can serve one of its capabilities (functions/<fn>/link_<tool>.go, one blank import
// each) and, where its intent may send one-time codes, the SES code sender
// (link_sesmail.go), unless its build leaves one out: each link file carries the
// constraint `//go:build !omit_<name>`. `make build ENV=<name>` (and synth, diff and
// deploy, which build first) gives each function the omit tags of every tool the
// deployment does not choose for one of its capabilities (LinkTags), so the bootstrap
// links only the deployment's tools; without ENV nothing is omitted and every function
// links every tool that can serve it, and the code sender. The CDK app refuses to
// synthesize a bootstrap that was built without a tool or the code sender its settings
// need (CheckBootstraps): the function would fail at start.

// codeSender names the SES code sender (shared/identity/sesmail) in build tags:
// omit_sesmail leaves it out of a function whose deployment sends no codes (no
// sesIdentity).
const codeSender = "sesmail"

// omitTagPrefix starts the build tag that leaves a tool out of a function's bootstrap.
const omitTagPrefix = "omit_"

// omitTag is the build tag that leaves tool's connector out of a bootstrap
// (omit_salesforce, omit_sql, …).
func omitTag(tool string) string {
	return omitTagPrefix + strings.NewReplacer("-", "_", ".", "_").Replace(tool)
}

// LinkedTools returns the tools f's bootstrap needs in this deployment, sorted: the
// tool chosen for each capability it uses.
func (s Settings) LinkedTools(f Function) []string {
	var out []string
	for _, c := range f.Uses {
		if t := s.Tools[c]; t != "" && t != config.ToolNone && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// LinkTags returns the build tags of f's bootstrap for this deployment, sorted: the omit
// tag of every registered tool that can serve one of f's capabilities (so its
// functions/<fn>/link_<tool>.go imports it) but that f does not need here
// (LinkedTools), and omit_sesmail where f may send codes but this deployment sends
// none (SendsCodes). The demo backend is no deployable tool and Lambda builds leave it
// out already (lambdabuild).
func (s Settings) LinkTags(f Function) []string {
	need := s.LinkedTools(f)
	var out []string
	if f.Codes && !s.SendsCodes(f) {
		out = append(out, omitTag(codeSender))
	}
	for _, t := range config.Tools() {
		if t.Name == config.ToolDemo || slices.Contains(need, t.Name) {
			continue
		}
		if slices.ContainsFunc(f.Uses, func(c Capability) bool { return t.Serves(string(c)) }) {
			out = append(out, omitTag(t.Name))
		}
	}
	slices.Sort(out)
	return out
}

// FunctionLinkTags returns LinkTags of the intent function named name (its directory
// under functions/), and false for any other function (the router and the smoke
// function link no tool).
func (s Settings) FunctionLinkTags(name string) ([]string, bool) {
	for _, f := range IntentFunctions {
		if f.Name == name {
			return s.LinkTags(f), true
		}
	}
	return nil, false
}

// CheckLinked returns an error when a bootstrap of f built with buildTags (the -tags of
// its build, comma-separated or one per element) leaves out a tool this deployment
// chooses for one of f's capabilities, or the code sender when it sends codes.
func (s Settings) CheckLinked(f Function, buildTags []string) error {
	var tags []string
	for _, t := range buildTags {
		tags = append(tags, strings.Split(t, ",")...)
	}
	var missing []string
	for _, t := range s.LinkedTools(f) {
		if slices.Contains(tags, omitTag(t)) {
			missing = append(missing, fmt.Sprintf("%s (tool.* for %v)", t, f.Uses))
		}
	}
	if s.SendsCodes(f) && slices.Contains(tags, omitTag(codeSender)) {
		missing = append(missing, codeSender+" (the code sender: "+CtxSESIdentity+" is set)")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%s: its bootstrap was built without %s (build tags %s), which this deployment needs: "+
		"it would fail at start; build for this deployment (make build ENV=<name>, which synth, diff and deploy run first), "+
		"or without ENV to link everything", f.Name, strings.Join(missing, ", "), strings.Join(tags, ","))
}

// CheckBootstraps reads the build settings Go records in each intent function's
// bootstrap under s.AssetDir (debug/buildinfo: the -tags of its build) and refuses
// one built without a tool s chooses for it (CheckLinked). A bootstrap that is absent
// or no Go executable is not judged here (the CDK's asset staging reports a missing
// one).
func (s Settings) CheckBootstraps() error {
	var errs []error
	for _, f := range s.Functions() {
		path := filepath.Join(s.AssetDir, f.Name, "bootstrap")
		bi, err := buildinfo.ReadFile(path)
		if err != nil {
			continue // absent, or no Go executable (a test's placeholder)
		}
		var tags []string
		for _, st := range bi.Settings {
			if st.Key == "-tags" {
				tags = append(tags, st.Value)
			}
		}
		if err := s.CheckLinked(f, tags); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
		}
	}
	return errors.Join(errs...)
}
