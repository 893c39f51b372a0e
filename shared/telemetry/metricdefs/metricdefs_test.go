package metricdefs

import (
	"regexp"
	"slices"
	"testing"
)

var promName = regexp.MustCompile(`^switchboard_[a-z][a-z0-9_]*[a-z0-9]$`)

func TestDefinitionsAreConsistent(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	proms := map[string]bool{}
	for _, m := range All() {
		if m.Name == "" || seen[m.Name] {
			t.Errorf("metric name %q empty or duplicated", m.Name)
		}
		seen[m.Name] = true
		if !promName.MatchString(m.Prom) || proms[m.Prom] {
			t.Errorf("%s: Prometheus name %q invalid or duplicated", m.Name, m.Prom)
		}
		proms[m.Prom] = true
		switch m.Kind {
		case Counter:
			if m.Unit != Count || !regexp.MustCompile(`_total$`).MatchString(m.Prom) {
				t.Errorf("%s: a counter counts (unit %s) and its Prometheus name ends in _total (%s)", m.Name, m.Unit, m.Prom)
			}
		case Timing:
			if m.Unit != Milliseconds || !regexp.MustCompile(`_seconds$`).MatchString(m.Prom) {
				t.Errorf("%s: a timing is in ms (unit %s) and exposed in seconds (%s)", m.Name, m.Unit, m.Prom)
			}
		}
		if len(m.Scope.Dimensions()) == 0 || m.Help == "" {
			t.Errorf("%s: unknown scope %q or no help", m.Name, m.Scope)
		}
		if slices.Contains(m.Scope.Dimensions(), m.Name) {
			t.Errorf("%s: a metric cannot share its name with a dimension", m.Name)
		}
	}
}

func TestDimensionSetsAreSubsetsOfTheScopeDimensions(t *testing.T) {
	t.Parallel()
	for _, s := range Scopes {
		dims := s.Dimensions()
		for _, set := range s.DimensionSets() {
			if len(set) == 0 || len(set) > 30 {
				t.Errorf("%s: dimension set %v has %d keys", s, set, len(set))
			}
			for _, d := range set {
				if !slices.Contains(dims, d) {
					t.Errorf("%s: dimension set %v uses %q, not a dimension of the scope", s, set, d)
				}
			}
		}
	}
}

func TestPromLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{DimService: "service", DimErrorClass: "error_class", "FunctionName": "function_name"} {
		if got := PromLabel(in); got != want {
			t.Errorf("PromLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
