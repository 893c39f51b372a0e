package telemetry

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

var (
	emfSchemaOnce sync.Once
	emfSchema     *jsonschema.Schema
	emfSchemaErr  error
)

func loadEMFSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	emfSchemaOnce.Do(func() {
		f, err := os.Open(filepath.Join("testdata", "emf.schema.json"))
		if err != nil {
			emfSchemaErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			emfSchemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("emf.schema.json", doc); err != nil {
			emfSchemaErr = err
			return
		}
		emfSchema, emfSchemaErr = c.Compile("emf.schema.json")
	})
	if emfSchemaErr != nil {
		t.Fatalf("EMF schema: %v", emfSchemaErr)
	}
	return emfSchema
}

// emfDecl is one metric an EMF document declares, with one of its dimension sets.
type emfDecl struct {
	Name string
	Dims string // dimension keys joined by ","
}

// validateEMF checks one line against the EMF specification (the JSON schema, then
// the rules the schema cannot express) and Switchboard's own rules (namespace, names
// and units from metricdefs, only low-cardinality dimensions). It returns what the
// document declares.
func validateEMF(t testing.TB, line []byte) []emfDecl {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
	if err != nil {
		t.Fatalf("EMF line is not JSON: %v\n%s", err, line)
	}
	if err := loadEMFSchema(t).Validate(inst); err != nil {
		t.Fatalf("EMF document fails the schema: %v\n%s", err, line)
	}
	root := inst.(map[string]any)
	// FunctionVersion has one value per published version (one per deployment).
	allowedDims := []string{metricdefs.DimService, metricdefs.DimIntent, metricdefs.DimTool, metricdefs.DimErrorClass, metricdefs.DimReason,
		metricdefs.DimFunctionVersion}
	var out []emfDecl
	for _, d := range root["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
		dir := d.(map[string]any)
		if dir["Namespace"] != metricdefs.Namespace {
			t.Errorf("namespace %v, want %s", dir["Namespace"], metricdefs.Namespace)
		}
		var sets []string
		for _, set := range dir["Dimensions"].([]any) {
			var keys []string
			for _, k := range set.([]any) {
				key := k.(string)
				if !slices.Contains(allowedDims, key) {
					t.Errorf("dimension %q is not one of the low-cardinality dimensions %v", key, allowedDims)
				}
				v, ok := root[key].(string)
				if !ok || v == "" {
					t.Errorf("dimension target %q missing or not a non-empty string: %v", key, root[key])
				}
				keys = append(keys, key)
			}
			sets = append(sets, strings.Join(keys, ","))
		}
		metrics := dir["Metrics"].([]any)
		if len(metrics) > 100 {
			t.Errorf("%d metric definitions in one directive", len(metrics))
		}
		for _, m := range metrics {
			md := m.(map[string]any)
			name := md["Name"].(string)
			def, ok := metricdefs.ByName(name)
			if !ok {
				t.Errorf("metric %q is not defined in metricdefs", name)
				continue
			}
			if md["Unit"] != string(def.Unit) {
				t.Errorf("metric %s unit %v, want %s", name, md["Unit"], def.Unit)
			}
			switch v := root[name].(type) {
			case json.Number:
			case []any:
				if len(v) == 0 || len(v) > 100 {
					t.Errorf("metric %s has %d values (1–100 allowed)", name, len(v))
				}
				for _, x := range v {
					if _, ok := x.(json.Number); !ok {
						t.Errorf("metric %s value %v is not a number", name, x)
					}
				}
			default:
				t.Errorf("metric target %s missing or not numeric: %v", name, root[name])
			}
			for _, s := range sets {
				out = append(out, emfDecl{Name: name, Dims: s})
			}
		}
	}
	return out
}

// emfLines validates every line of buf and returns the parsed documents and the
// declarations.
func emfLines(t testing.TB, buf []byte) ([]map[string]any, []emfDecl) {
	t.Helper()
	var docs []map[string]any
	var decls []emfDecl
	sc := bufio.NewScanner(bytes.NewReader(buf))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		decls = append(decls, validateEMF(t, sc.Bytes())...)
		var doc map[string]any
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	return docs, decls
}

func TestEMFValidatorRejectsBrokenDocuments(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"no _aws":           `{"Turns":1}`,
		"no timestamp":      `{"_aws":{"CloudWatchMetrics":[{"Namespace":"Switchboard","Dimensions":[["Service"]],"Metrics":[{"Name":"Turns","Unit":"Count"}]}]},"Service":"s","Turns":1}`,
		"bad unit":          `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Switchboard","Dimensions":[["Service"]],"Metrics":[{"Name":"Turns","Unit":"Things"}]}]},"Service":"s","Turns":1}`,
		"101 metrics":       `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Switchboard","Dimensions":[["Service"]],"Metrics":[` + strings.Repeat(`{"Name":"Turns"},`, 100) + `{"Name":"Turns"}]}]},"Service":"s","Turns":1}`,
		"empty dimensions":  `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Switchboard","Dimensions":[],"Metrics":[{"Name":"Turns","Unit":"Count"}]}]},"Turns":1}`,
		"timestamp as text": `{"_aws":{"Timestamp":"now","CloudWatchMetrics":[]}}`,
	}
	for name, doc := range bad {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if loadEMFSchema(t).Validate(inst) == nil {
			t.Errorf("%s: schema accepted %s", name, doc)
		}
	}
}

func TestWriteEMFDeltasAndSplitting(t *testing.T) {
	t.Parallel()
	m := newMetrics("svc", true, func() time.Time { return testTime })
	d := Dims{Intent: "lookup_customer"}
	for i := 0; i < 250; i++ {
		m.Observe(metricdefs.TurnLatency, d, time.Duration(i)*time.Millisecond)
		m.Add(metricdefs.Turns, d, 1)
	}
	m.Add(metricdefs.Failed, d, 2)
	var buf bytes.Buffer
	if err := m.WriteEMF(&buf); err != nil {
		t.Fatal(err)
	}
	docs, _ := emfLines(t, buf.Bytes())
	if len(docs) != 3 {
		t.Fatalf("250 latencies should make 3 documents (100 values each at most), got %d:\n%s", len(docs), buf.String())
	}
	var n int
	for i, doc := range docs {
		n += len(doc["TurnLatency"].([]any))
		if got := doc["_aws"].(map[string]any)["Timestamp"].(float64); got != float64(testTime.UnixMilli()) {
			t.Errorf("timestamp %v", got)
		}
		if _, has := doc["Turns"]; has != (i == 0) {
			t.Errorf("document %d: counters belong in the first document only", i)
		}
	}
	if n != 250 || docs[0]["Turns"].(float64) != 250 || docs[0]["Failed"].(float64) != 2 || docs[0]["Fulfilled"].(float64) != 0 {
		t.Errorf("values %d, first doc %v", n, docs[0])
	}
	if docs[0]["Service"] != "svc" || docs[0]["Intent"] != "lookup_customer" {
		t.Errorf("dimension values: %v", docs[0])
	}

	// Second flush: only what happened since.
	m.Add(metricdefs.Turns, d, 1)
	buf.Reset()
	if err := m.WriteEMF(&buf); err != nil {
		t.Fatal(err)
	}
	docs, _ = emfLines(t, buf.Bytes())
	if len(docs) != 1 || docs[0]["Turns"].(float64) != 1 || docs[0]["TurnLatency"] != nil {
		t.Errorf("second flush should carry Turns=1 and no latency: %s", buf.String())
	}
	buf.Reset()
	if err := m.WriteEMF(&buf); err != nil || buf.Len() != 0 {
		t.Errorf("a flush with no news writes nothing, got %q (%v)", buf.String(), err)
	}
	if got := m.Counter(metricdefs.Turns, d); got != 251 {
		t.Errorf("running total %d, want 251", got)
	}
}

// exercise drives every metric through the Telemetry API the engine and the
// resilience layer call.
func exercise(t testing.TB, tel *Telemetry) {
	ctx := context.Background()
	for _, in := range conversation.Intents {
		turn := conversation.Turn{Platform: conversation.DialogflowES, Intent: in, SessionID: "s-1", TurnID: "r-1"}
		tctx := tel.StartTurn(ctx, engine.TurnStart{Platform: conversation.DialogflowES, Turn: turn})
		tel.OnCall(tctx, resilience.CallInfo{Tool: "hubspot", Op: "find_customer", Attempt: 1, Latency: 12 * time.Millisecond})
		tel.OnCall(tctx, resilience.CallInfo{Tool: "hubspot", Op: "find_customer", Attempt: 2, Latency: 30 * time.Millisecond,
			Err: &connector.Error{Kind: connector.KindUnauthorized, Tool: "hubspot", StatusCode: 401}})
		tel.OnCall(tctx, resilience.CallInfo{Tool: "zendesk", Op: "create_ticket", Attempt: 1, Latency: time.Second,
			Err: &connector.Error{Kind: connector.KindUnavailable, Tool: "zendesk", StatusCode: 503}})
		tel.OnCache(tctx, "hubspot", CacheHit)
		tel.OnCache(tctx, "hubspot", CacheMiss)
		tel.OnCache(tctx, "zendesk", CacheStale)
		tel.EndTurn(tctx, engine.TurnEnd{Platform: conversation.DialogflowES, Turn: turn, Status: 200,
			Reply: conversation.Reply{Outcome: conversation.OutcomeFulfilled}, Latency: 40 * time.Millisecond})
		tel.EndTurn(tctx, engine.TurnEnd{Platform: conversation.DialogflowES, Turn: turn, Status: 200, Fallback: true,
			Reply: conversation.Reply{Outcome: conversation.OutcomeFailed}, Latency: 4 * time.Second})
	}
	tel.OnBreakerChange("zendesk", resilience.BreakerClosed, resilience.BreakerOpen)
	tel.Refused(ctx, conversation.Rasa, "auth")
	tel.Relayed(ctx, engine.RelayEnd{Platform: conversation.LexV2, Intent: conversation.LookupCustomer, ForwardFailed: true, Known: true,
		Outcome: platform.WireOutcome{Outcome: conversation.OutcomeFailed, Fallback: true}})
}

func newTestTelemetry(t testing.TB, level string, logs, emf *bytes.Buffer) *Telemetry {
	t.Helper()
	cfg := config.Default()
	cfg.Telemetry.LogLevel = level
	cfg.Telemetry.EMF = "on"
	tel, err := New(cfg.Service, Settings(cfg.Telemetry), Options{Logs: logs, EMF: emf, Getenv: func(k string) string {
		return map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "switchboard-lookup"}[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	return tel
}

// TestDashboardMetricsAreEmitted checks every metric the CDK dashboard and alarms chart
// (every metricdefs.<Metric> the infra stacks reference) against what the emitter
// actually declares in its EMF documents, name and dimension set.
func TestDashboardMetricsAreEmitted(t *testing.T) {
	t.Parallel()
	var logs, emf bytes.Buffer
	tel := newTestTelemetry(t, "info", &logs, &emf)
	exercise(t, tel)
	if err := tel.Flush(); err != nil {
		t.Fatal(err)
	}
	_, decls := emfLines(t, emf.Bytes())
	emitted := map[emfDecl]bool{}
	names := map[string]bool{}
	for _, d := range decls {
		emitted[d] = true
		names[d.Name] = true
	}
	want := func(where string, m metricdefs.Metric, dims []string) {
		t.Helper()
		if d := (emfDecl{Name: m.Name, Dims: strings.Join(dims, ",")}); !emitted[d] {
			t.Errorf("%s charts %s by [%s], which no EMF document declares", where, m.Name, d.Dims)
		}
	}
	for _, m := range metricdefs.All() {
		if !names[m.Name] {
			t.Errorf("metric %s is defined but never emitted", m.Name)
		}
	}
	// The CDK stacks chart metricdefs.<Metric> with {Service} plus the scope's own
	// dimension (Intent or Tool): those sets must be declared too.
	for _, name := range infraMetricRefs(t) {
		m, _ := metricdefs.ByName(name)
		want("infra/stacks", m, m.Scope.Dimensions())
	}
}

// infraMetricRefs returns the metric definitions referenced as metricdefs.<Name> in
// the CDK app's Go sources (skipped when the infra directory is absent).
func infraMetricRefs(t testing.TB) []string {
	dir := filepath.Join("..", "..", "infra", "stacks")
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if len(files) == 0 {
		t.Logf("no CDK sources at %s", dir)
		return nil
	}
	seen := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "metricdefs" {
					if _, isMetric := metricdefs.ByName(sel.Sel.Name); isMetric {
						seen[sel.Sel.Name] = true
					}
				}
			}
			return true
		})
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	if len(out) == 0 {
		t.Errorf("infra/stacks references no metricdefs metric: the dashboard would chart names from elsewhere")
	}
	return out
}

func TestPrometheusExpositionParses(t *testing.T) {
	t.Parallel()
	var logs, emf bytes.Buffer
	tel := newTestTelemetry(t, "info", &logs, &emf)
	exercise(t, tel)
	var buf bytes.Buffer
	if err := tel.Metrics.WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, buf.String())
	}
	for _, def := range metricdefs.All() {
		f, ok := fams[def.Prom]
		if !ok {
			t.Errorf("family %s missing", def.Prom)
			continue
		}
		wantType := "COUNTER"
		if def.Kind == metricdefs.Timing {
			wantType = "HISTOGRAM"
		}
		if f.GetType().String() != wantType || f.GetHelp() != def.Help {
			t.Errorf("%s: type %s help %q", def.Prom, f.GetType(), f.GetHelp())
		}
	}
	turns := fams["switchboard_turns_total"]
	for _, m := range turns.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["service"] != "switchboard" || labels["intent"] == "" || m.GetCounter().GetValue() != 2 {
			t.Errorf("turns series %v = %v, want 2 per intent", labels, m.GetCounter().GetValue())
		}
	}
	h := fams["switchboard_turn_latency_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 2 || h.GetSampleSum() < 4.03 || h.GetSampleSum() > 4.05 {
		t.Errorf("latency histogram count %d sum %v, want 2 and 4.04", h.GetSampleCount(), h.GetSampleSum())
	}
	errs := fams["switchboard_tool_errors_total"]
	classes := map[string]float64{}
	for _, m := range errs.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "error_class" {
				classes[l.GetValue()] += m.GetCounter().GetValue()
			}
		}
	}
	// One of each class per intent (exercise).
	if n := float64(len(conversation.Intents)); classes["unauthorized"] != n || classes["unavailable"] != n {
		t.Errorf("errors by class %v", classes)
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mutate func(*Settings)
		ok     bool
	}{
		{func(*Settings) {}, true}, // the zero value is the default
		{func(c *Settings) { c.LogLevel = "debug"; c.EMF = "on" }, true},
		{func(c *Settings) { c.LogLevel = "loud" }, false},
		{func(c *Settings) { c.DebugSampleRate = 1.5 }, false},
		{func(c *Settings) { c.EMF = "sometimes" }, false},
		{func(c *Settings) { c.Tracing = "jaeger" }, false},
		{func(c *Settings) { c.Tracing = "stdout" }, true},
	} {
		var s Settings
		tc.mutate(&s)
		_, err := New("switchboard", s, Options{Logs: &bytes.Buffer{}, EMF: &bytes.Buffer{}, Traces: &bytes.Buffer{}})
		if (err == nil) != tc.ok {
			t.Errorf("%+v: err %v, want ok=%v", s, err, tc.ok)
		}
	}
	// What shared/config loads converts as is.
	cfg := config.Default()
	if _, err := New(cfg.Service, Settings(cfg.Telemetry), Options{Logs: &bytes.Buffer{}, EMF: &bytes.Buffer{}, Traces: &bytes.Buffer{}}); err != nil {
		t.Fatal(err)
	}
}

// On Lambda a turn's and a tool call's series are also published per function version
// ("<function>:<version>"), which the canary's rollback alarms watch; refusals and
// processes that know no version publish no such dimension.
func TestFunctionVersionDimension(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"7", ""} {
		var logs, emf bytes.Buffer
		cfg := config.Default()
		cfg.Telemetry.EMF = "on"
		tel, err := New(cfg.Service, Settings(cfg.Telemetry), Options{Logs: &logs, EMF: &emf, Getenv: func(k string) string {
			return map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "sb-lookupcustomer", "AWS_LAMBDA_FUNCTION_VERSION": version}[k]
		}})
		if err != nil {
			t.Fatal(err)
		}
		exercise(t, tel)
		if err := tel.Flush(); err != nil {
			t.Fatal(err)
		}
		docs, decls := emfLines(t, emf.Bytes())
		versioned := map[string]bool{}
		for _, d := range decls {
			if strings.HasSuffix(d.Dims, ","+metricdefs.DimFunctionVersion) {
				versioned[d.Name] = true
			}
		}
		for _, doc := range docs {
			v, has := doc[metricdefs.DimFunctionVersion]
			if version == "" && has {
				t.Fatalf("no version known, yet a document carries %v", v)
			}
			if version != "" && has && v != "sb-lookupcustomer:7" {
				t.Fatalf("FunctionVersion %v, want sb-lookupcustomer:7", v)
			}
		}
		if version == "" {
			if len(versioned) > 0 {
				t.Fatalf("no version known, yet %v are declared per version", versioned)
			}
			continue
		}
		// What the rollback alarms (infra/stacks canaryAlarms) read, per version.
		for _, w := range []struct {
			m    metricdefs.Metric
			dims []string
		}{
			{metricdefs.Turns, []string{metricdefs.DimService, metricdefs.DimIntent, metricdefs.DimFunctionVersion}},
			{metricdefs.Failed, []string{metricdefs.DimService, metricdefs.DimIntent, metricdefs.DimFunctionVersion}},
			{metricdefs.FallbackReplies, []string{metricdefs.DimService, metricdefs.DimIntent, metricdefs.DimFunctionVersion}},
			{metricdefs.Calls, []string{metricdefs.DimService, metricdefs.DimTool, metricdefs.DimFunctionVersion}},
			{metricdefs.Errors, []string{metricdefs.DimService, metricdefs.DimTool, metricdefs.DimFunctionVersion}},
			{metricdefs.Errors, []string{metricdefs.DimService, metricdefs.DimTool, metricdefs.DimErrorClass, metricdefs.DimFunctionVersion}},
			// The router's rollback alarms (infra/stacks routerAlarms): every intent, per version.
			{metricdefs.RelayedTurns, []string{metricdefs.DimService, metricdefs.DimFunctionVersion}},
			{metricdefs.RelayedFailed, []string{metricdefs.DimService, metricdefs.DimFunctionVersion}},
			{metricdefs.RelayedFallbacks, []string{metricdefs.DimService, metricdefs.DimFunctionVersion}},
		} {
			if d := (emfDecl{Name: w.m.Name, Dims: strings.Join(w.dims, ",")}); !slices.Contains(decls, d) {
				t.Errorf("%s is not declared by [%s]", w.m.Name, d.Dims)
			}
		}
		for name := range versioned {
			if m, _ := metricdefs.ByName(name); !m.Scope.Versioned() {
				t.Errorf("%s (scope %s) is declared per version", name, m.Scope)
			}
		}
	}
}
