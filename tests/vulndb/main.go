// Command vulndb turns the OSV entries shipped in the golang.org/x/vulndb module
// (data/osv/GO-*.json, fetched through the Go module proxy) into the v1 database layout
// govulncheck reads with -db file://… (index/db.json, index/modules.json, ID/<id>.json).
// `make vuln` uses it where the public vulnerability database host is unreachable.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

type entry struct {
	ID       string     `json:"id"`
	Modified time.Time  `json:"modified"`
	Affected []affected `json:"affected"`
}

type affected struct {
	Package struct {
		Name      string `json:"name"`
		Ecosystem string `json:"ecosystem"`
	} `json:"package"`
	Ranges []struct {
		Type   string `json:"type"`
		Events []struct {
			Introduced string `json:"introduced,omitempty"`
			Fixed      string `json:"fixed,omitempty"`
		} `json:"events"`
	} `json:"ranges"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Fixed    string    `json:"fixed,omitempty"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

func main() {
	src := flag.String("src", "", "the golang.org/x/vulndb module directory")
	out := flag.String("out", "", "directory to write the database to")
	accepted := flag.String("accepted", "", "file listing accepted vulnerability IDs (first word of each line; # comments)")
	flag.Parse()
	if *src == "" || *out == "" {
		log.Fatal("usage: vulndb -src <golang.org/x/vulndb dir> -out <dir>")
	}
	files, err := filepath.Glob(filepath.Join(*src, "data", "osv", "GO-*.json"))
	if err != nil || len(files) == 0 {
		log.Fatalf("no OSV entries under %s/data/osv (%v)", *src, err)
	}
	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(*out, d), 0o755); err != nil {
			log.Fatal(err)
		}
	}
	skip := map[string]bool{}
	if *accepted != "" {
		raw, err := os.ReadFile(*accepted)
		if err != nil {
			log.Fatal(err)
		}
		for _, line := range strings.Split(string(raw), "\n") {
			if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
				skip[f[0]] = true
			}
		}
	}
	modules := map[string]*module{}
	var newest time.Time
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			log.Fatalf("%s: %v", f, err)
		}
		if skip[e.ID] {
			fmt.Printf("vulndb: %s accepted (see %s)\n", e.ID, *accepted)
			continue
		}
		if e.Modified.After(newest) {
			newest = e.Modified
		}
		if err := os.WriteFile(filepath.Join(*out, "ID", e.ID+".json"), raw, 0o644); err != nil {
			log.Fatal(err)
		}
		for _, a := range e.Affected {
			m := modules[a.Package.Name]
			if m == nil {
				m = &module{Path: a.Package.Name}
				modules[a.Package.Name] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: e.Modified, Fixed: latestFix(a)})
		}
	}
	list := make([]*module, 0, len(modules))
	for _, m := range modules {
		sort.Slice(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	write(filepath.Join(*out, "index", "modules.json"), list)
	write(filepath.Join(*out, "index", "db.json"), map[string]time.Time{"modified": newest})
	fmt.Printf("vulndb: %d entries, %d modules, modified %s\n", len(files), len(list), newest.Format(time.RFC3339))
}

// latestFix is the highest fixed version of a package's ranges, or "" when a range is
// still open (the vulnerability is not fixed in any later version).
func latestFix(a affected) string {
	best := ""
	for _, r := range a.Ranges {
		if r.Type != "SEMVER" {
			continue
		}
		open := false
		for _, ev := range r.Events {
			switch {
			case ev.Introduced != "":
				open = true
			case ev.Fixed != "":
				open = false
				if best == "" || semver.Compare("v"+ev.Fixed, "v"+best) > 0 {
					best = ev.Fixed
				}
			}
		}
		if open {
			return ""
		}
	}
	return strings.TrimPrefix(best, "v")
}

func write(path string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
}
