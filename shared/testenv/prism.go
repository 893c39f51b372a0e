package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// prismVersion is the Stoplight Prism release pinned in _tools/package-lock.json
// (`make test` installs it with `npm --prefix _tools ci`).
const prismVersion = "5.16.0"

// prismStartTimeout bounds Prism's start-up: it parses and dereferences the whole
// definition first (Zendesk's Support file is 1.6 MB of YAML), which takes seconds on
// an idle machine and far longer on a loaded one. Only a ceiling, never a measurement.
const prismStartTimeout = 5 * time.Minute

// VendorSpec returns the path of a vendor's published OpenAPI file kept beside the
// test that reads it, in testdata/openapi/ (name like "contacts-v3.json"). The files
// are part of the repository, so a missing one fails the test, naming the file and how
// to restore it: nothing outside the repository is read.
func VendorSpec(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join("testdata", "openapi", filepath.FromSlash(name))
	if _, err := os.Stat(p); err != nil {
		wd, _ := os.Getwd()
		t.Fatalf("vendor OpenAPI file %s is missing from %s: it is part of the repository (testdata/openapi/README.md says where it came from); restore it with `git checkout -- %s` (%v)",
			name, wd, p, err)
	}
	return p
}

// PrismSpec is one OpenAPI file Prism holds the requests under Prefix to.
type PrismSpec struct {
	// Prefix is the path prefix routed to this definition ("/" for all).
	Prefix string
	// File is the OpenAPI file (VendorSpec, or a test-time copy of one).
	File string
}

// Violation is one way a request or an answer breaks the definition, as Prism reports
// it (the sl-violations header, or the problem+json body it answers instead).
type Violation struct {
	Method, Path string
	// Status is the status the client received (Prism's 422/500/404/401 when it
	// refused, else the stand-in's).
	Status int
	// Location is where the rule applies ("request.body.limit", "response.body").
	Location string
	// Code is the rule (a JSON-schema keyword like "required", or Prism's error type).
	Code     string
	Severity string
	Message  string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s (%d): %s [%s %s] %s", v.Method, v.Path, v.Status, v.Location, v.Severity, v.Code, v.Message)
}

// Prism is Stoplight Prism run as a validating proxy (`prism proxy --errors`) in front
// of an upstream (a vendor stand-in), one Prism process per definition, behind a
// small path router at URL. Every answer passing through the router is checked: the
// violations Prism names are kept for Violations/Check.
type Prism struct {
	// URL is the router's base URL: point the connector under test here.
	URL string

	mu         sync.Mutex
	violations []Violation
	exchanges  int
}

// StartPrism starts one `prism proxy --errors -h 127.0.0.1 -p PORT <file> <upstream>`
// per spec and the router in front of them; all stop when t ends. Prism missing
// (no `npm --prefix _tools ci` yet) skips the test, or fails it under CI=1.
func StartPrism(t testing.TB, upstream string, specs ...PrismSpec) *Prism {
	t.Helper()
	bin := filepath.Join(RepoRoot(), "_tools", "node_modules", ".bin", "prism")
	if _, err := os.Stat(bin); err != nil {
		Missing(t, "Stoplight Prism (@stoplight/prism-cli "+prismVersion+")", "npm --prefix _tools ci")
	}
	if _, err := exec.LookPath("node"); err != nil {
		Missing(t, "Node.js (for Stoplight Prism)", "install Node.js")
	}
	if out, err := exec.Command(bin, "--version").Output(); err != nil || strings.TrimSpace(string(out)) != prismVersion {
		t.Fatalf("prism --version: %q, %v; want %s (npm --prefix _tools ci)", strings.TrimSpace(string(out)), err, prismVersion)
	}
	type backend struct {
		prefix string
		target *url.URL
	}
	var backends []backend
	var procs []*Process
	for _, s := range specs {
		port := FreePort(t)
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		p, err := Start("prism", exec.Command(bin, "proxy", "--errors", "-h", "127.0.0.1", "-p", fmt.Sprint(port), s.File, upstream))
		if err != nil {
			t.Fatalf("prism: %v", err)
		}
		t.Cleanup(p.Stop)
		procs = append(procs, p)
		u, _ := url.Parse("http://" + addr)
		backends = append(backends, backend{prefix: s.Prefix, target: u})
	}
	// Started together, awaited together: the parses overlap.
	for i, b := range backends {
		// Any answer means it listens (Prism answers 404 for a path outside the file).
		if err := WaitHTTP(context.Background(), b.target.String()+"/", prismStartTimeout); err != nil {
			t.Fatalf("prism (%s): %v\n%s", specs[i].File, err, procs[i].LogTail())
		}
	}
	pr := &Prism{}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			best := -1
			for i, b := range backends {
				if strings.HasPrefix(r.In.URL.Path, b.prefix) && (best < 0 || len(b.prefix) > len(backends[best].prefix)) {
					best = i
				}
			}
			if best < 0 {
				best = 0
			}
			r.SetURL(backends[best].target)
		},
		ModifyResponse: pr.inspect,
		// Prism not answering (it exited, say) is a failure of the check, not a
		// vendor outage for the connector to handle.
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			pr.record(Violation{Method: r.Method, Path: r.URL.Path, Status: http.StatusBadGateway,
				Code: "prism-unreachable", Severity: "Error", Message: err.Error()})
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	pr.URL = srv.URL
	return pr
}

// prismError is the problem+json body Prism answers when it refuses a request or an
// answer (https://stoplight.io/prism/errors#…).
type prismError struct {
	Type       string        `json:"type"`
	Title      string        `json:"title"`
	Status     int           `json:"status"`
	Detail     string        `json:"detail"`
	Validation []slViolation `json:"validation"`
}

type slViolation struct {
	Location []string `json:"location"`
	Severity string   `json:"severity"`
	Code     any      `json:"code"`
	Message  string   `json:"message"`
}

const prismErrorPrefix = "https://stoplight.io/prism/errors#"

// inspect records what Prism says about one exchange: the sl-violations header (the
// request's and the answer's violations, warnings included) and a problem+json answer
// of Prism's own (a request refused with 422, an answer refused with 500, a path the
// definition lacks, unmet security). The stand-ins never answer problem+json.
func (p *Prism) inspect(resp *http.Response) error {
	req := resp.Request
	base := Violation{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode}
	var found []Violation
	add := func(vs []slViolation, side string) {
		for _, v := range vs {
			x := base
			loc := v.Location
			// The header's locations start "request"/"response"; a 422's list does not.
			if len(loc) == 0 || (loc[0] != "request" && loc[0] != "response") {
				loc = append([]string{side}, loc...)
			}
			x.Location, x.Severity, x.Code, x.Message = strings.Join(loc, "."), v.Severity, fmt.Sprint(v.Code), v.Message
			found = append(found, x)
		}
	}
	if h := resp.Header.Get("sl-violations"); h != "" {
		var vs []slViolation
		if err := json.Unmarshal([]byte(h), &vs); err != nil {
			x := base
			x.Code, x.Severity, x.Message = "sl-violations", "Error", h
			found = append(found, x)
		} else {
			add(vs, "request")
		}
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		var pe prismError
		if json.Unmarshal(raw, &pe) == nil && strings.HasPrefix(pe.Type, prismErrorPrefix) {
			if len(pe.Validation) > 0 {
				side := "request" // UNPROCESSABLE_ENTITY: the request broke the definition
				if pe.Type == prismErrorPrefix+"VIOLATIONS" {
					side = "response"
				}
				if resp.Header.Get("sl-violations") == "" { // else already counted
					add(pe.Validation, side)
				}
			} else {
				x := base
				x.Code, x.Severity, x.Message = strings.TrimPrefix(pe.Type, prismErrorPrefix), "Error", pe.Title+": "+pe.Detail
				found = append(found, x)
			}
		}
	}
	p.record(found...)
	return nil
}

// record counts one exchange and keeps its violations.
func (p *Prism) record(vs ...Violation) {
	p.mu.Lock()
	p.exchanges++
	p.violations = append(p.violations, vs...)
	p.mu.Unlock()
}

// Violations returns the violations recorded since the last call, and forgets them.
func (p *Prism) Violations() []Violation {
	p.mu.Lock()
	defer p.mu.Unlock()
	v := p.violations
	p.violations = nil
	return v
}

// Exchanges counts the answers that passed through Prism, so a test can tell that its
// calls went through it at all.
func (p *Prism) Exchanges() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exchanges
}

// Check fails t with every violation recorded since the last call (and forgets them).
func (p *Prism) Check(t testing.TB) {
	t.Helper()
	for _, v := range p.Violations() {
		t.Errorf("OpenAPI violation: %s", v)
	}
}

// SpecWithPathAliases writes a copy of an OpenAPI file (YAML or JSON) in which every
// path also answers with suffix appended ("/api/v2/tickets" and
// "/api/v2/tickets.json"), sharing the same path item, and returns the copy's path.
// It exists for Zendesk, whose published files list paths without the ".json" suffix
// the live API accepts (and Help Center wants): see shared/connector/zendesk/testdata/openapi/README.md,
// "Known quirks". Nothing else in the file changes.
func SpecWithPathAliases(t testing.TB, file, suffix string) string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("%s: not an OpenAPI document", file)
	}
	root := doc.Content[0]
	var paths *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "paths" {
			paths = root.Content[i+1]
		}
	}
	if paths == nil || paths.Kind != yaml.MappingNode {
		t.Fatalf("%s: no paths", file)
	}
	have := map[string]bool{}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		have[paths.Content[i].Value] = true
	}
	added := 0
	for i, n := 0, len(paths.Content); i+1 < n; i += 2 {
		k, v := paths.Content[i], paths.Content[i+1]
		if strings.HasSuffix(k.Value, suffix) || have[k.Value+suffix] {
			continue
		}
		alias := *k
		alias.Value = k.Value + suffix
		paths.Content = append(paths.Content, &alias, v)
		added++
	}
	if added == 0 {
		t.Fatalf("%s: no path to alias with %q", file, suffix)
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))+"-aliased.yaml")
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// WantViolation fails t unless vs holds a violation at location with rule code whose
// message mentions word.
func WantViolation(t testing.TB, vs []Violation, location, code, word string) {
	t.Helper()
	for _, v := range vs {
		if v.Location == location && v.Code == code && strings.Contains(v.Message, word) {
			return
		}
	}
	t.Errorf("no %s violation at %s about %q; got %v", code, location, word, vs)
}

// SendPlanted sends req, a request planted to break the definition, and fails t unless
// Prism refuses it with its 422.
func SendPlanted(t testing.TB, req *http.Request) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("status %d, want Prism's 422", resp.StatusCode)
	}
}
