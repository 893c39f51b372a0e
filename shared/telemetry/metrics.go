package telemetry

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// Dims are the dimension values of one series. Only the dimensions of the metric's
// scope are used: Intent for intent metrics, Tool for tool metrics, Tool and
// ErrorClass for Errors. Values are small closed sets (canonical intents, tool names,
// error kinds): nothing per user or per request.
type Dims struct {
	Intent     string
	Tool       string
	ErrorClass string
	Reason     string
}

// maxValuesPerMetric is the most values one EMF metric member may hold (the
// specification's limit for a numeric array).
const maxValuesPerMetric = 100

// maxPendingTimings bounds the timing values kept between two EMF flushes; beyond it
// values still count in Prometheus but are not emitted (a flush per turn on Lambda
// never comes near it).
const maxPendingTimings = 10000

// promBuckets are the Prometheus histogram upper bounds, in seconds, for timings:
// from a cache hit to the slowest platform deadline (Lex's 30 s).
var promBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Metrics records Switchboard's metrics (all defined in metricdefs) and writes them as
// CloudWatch EMF documents or Prometheus text. Safe for concurrent use; recording is
// a map lookup under a read lock plus atomic adds.
type Metrics struct {
	service string
	emf     bool
	now     func() time.Time
	// functionVersion is "<function>:<version>" on Lambda ("" elsewhere); set before
	// the first series is created.
	functionVersion string

	mu     sync.RWMutex
	series map[seriesKey]*series
	list   []*series // sorted by key (guarded by mu)

	// Reused by WriteEMF (guarded by flushMu): a Lambda flushes after every turn.
	flushMu sync.Mutex
	snap    []*series
	buf     []byte
	deltas  []int64
	docMs   []emfMetric
}

type seriesKey struct {
	scope metricdefs.Scope
	a, b  string
}

type series struct {
	key     seriesKey
	defs    []metricdefs.Metric
	counts  []atomic.Int64
	flushed []int64 // counts at the last EMF flush (guarded by Metrics.flushMu)
	timing  *timing // nil when the scope has no timing metric
	// emfHeads caches emfDocument.head per variant (guarded by Metrics.flushMu).
	emfHeads [3]string
	// dimKeys and dimVals are the scope's dimension keys and this series' values.
	dimKeys, dimVals []string
}

type timing struct {
	mu      sync.Mutex
	pending []float64 // ms, since the last EMF flush
	buckets []uint64  // cumulative counts per promBuckets bound
	count   uint64
	sum     float64 // seconds
}

// scopeIndex maps each metric to its position within its scope.
var scopeIndex = func() map[string]int {
	m := map[string]int{}
	for _, s := range metricdefs.Scopes {
		for i, d := range metricdefs.ForScope(s) {
			m[d.Name] = i
		}
	}
	return m
}()

// newMetrics returns an empty registry for service. With emf false, timing values are
// not kept for EMF (only the Prometheus histograms).
func newMetrics(service string, emf bool, now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	return &Metrics{service: service, emf: emf, now: now, series: map[seriesKey]*series{}}
}

func keyFor(scope metricdefs.Scope, d Dims) seriesKey {
	switch scope {
	case metricdefs.ScopeIntent, metricdefs.ScopeRelay:
		if d.Intent == "" {
			d.Intent = "unknown"
		}
		return seriesKey{scope: scope, a: d.Intent}
	case metricdefs.ScopeTool:
		return seriesKey{scope: scope, a: d.Tool}
	case metricdefs.ScopeRefusal:
		return seriesKey{scope: scope, a: d.Reason}
	default:
		if d.ErrorClass == "" {
			d.ErrorClass = "unknown"
		}
		return seriesKey{scope: scope, a: d.Tool, b: d.ErrorClass}
	}
}

func (m *Metrics) get(k seriesKey) *series {
	m.mu.RLock()
	s := m.series[k]
	m.mu.RUnlock()
	if s != nil {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s = m.series[k]; s != nil {
		return s
	}
	defs := metricdefs.ForScope(k.scope)
	s = &series{key: k, defs: defs, counts: make([]atomic.Int64, len(defs)), flushed: make([]int64, len(defs))}
	s.dimKeys, s.dimVals = m.dimValues(k)
	for _, d := range defs {
		if d.Kind == metricdefs.Timing {
			s.timing = &timing{buckets: make([]uint64, len(promBuckets))}
		}
	}
	m.series[k] = s
	i, _ := slices.BinarySearchFunc(m.list, s, compareSeries)
	m.list = slices.Insert(m.list, i, s)
	return s
}

func compareSeries(x, y *series) int {
	if c := strings.Compare(string(x.key.scope), string(y.key.scope)); c != 0 {
		return c
	}
	if c := strings.Compare(x.key.a, y.key.a); c != 0 {
		return c
	}
	return strings.Compare(x.key.b, y.key.b)
}

// Add adds n to a counter metric.
func (m *Metrics) Add(def metricdefs.Metric, d Dims, n int64) {
	if def.Kind != metricdefs.Counter {
		return
	}
	m.get(keyFor(def.Scope, d)).counts[scopeIndex[def.Name]].Add(n)
}

// Observe records one value of a timing metric.
func (m *Metrics) Observe(def metricdefs.Metric, d Dims, v time.Duration) {
	if def.Kind != metricdefs.Timing {
		return
	}
	s := m.get(keyFor(def.Scope, d))
	s.counts[scopeIndex[def.Name]].Add(1)
	t := s.timing
	sec := v.Seconds()
	t.mu.Lock()
	if m.emf && len(t.pending) < maxPendingTimings {
		t.pending = append(t.pending, math.Round(float64(v.Microseconds()))/1000)
	}
	for i, ub := range promBuckets {
		if sec <= ub {
			t.buckets[i]++
		}
	}
	t.count++
	t.sum += sec
	t.mu.Unlock()
}

// Counter returns the current total of a counter metric (tests, health output).
func (m *Metrics) Counter(def metricdefs.Metric, d Dims) int64 {
	m.mu.RLock()
	s := m.series[keyFor(def.Scope, d)]
	m.mu.RUnlock()
	if s == nil {
		return 0
	}
	return s.counts[scopeIndex[def.Name]].Load()
}

func (m *Metrics) sorted() []*series {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.list)
}

// dimValues returns the scope's dimension keys and this series' values for them (plus
// the function version, for a versioned scope in a process that knows it).
func (m *Metrics) dimValues(k seriesKey) ([]string, []string) {
	keys, vals := m.scopeValues(k)
	if m.functionVersion != "" && k.scope.Versioned() {
		keys = append(append([]string(nil), keys...), metricdefs.DimFunctionVersion)
		vals = append(vals, m.functionVersion)
	}
	return keys, vals
}

func (m *Metrics) scopeValues(k seriesKey) ([]string, []string) {
	switch k.scope {
	case metricdefs.ScopeIntent, metricdefs.ScopeRelay:
		return k.scope.Dimensions(), []string{m.service, k.a}
	case metricdefs.ScopeTool, metricdefs.ScopeRefusal:
		return k.scope.Dimensions(), []string{m.service, k.a}
	default:
		return k.scope.Dimensions(), []string{m.service, k.a, k.b}
	}
}

// WriteEMF writes what was recorded since the last WriteEMF as CloudWatch Embedded
// Metric Format documents, one JSON line per series (plus one per further 100 timing
// values). Series without news are skipped. Counters are deltas, so CloudWatch's Sum
// over any period is the true count.
func (m *Metrics) WriteEMF(w io.Writer) error {
	m.flushMu.Lock()
	defer m.flushMu.Unlock()
	ts := m.now().UnixMilli()
	m.mu.RLock()
	m.snap = append(m.snap[:0], m.list...)
	m.mu.RUnlock()
	b := m.buf[:0]
	for _, s := range m.snap {
		deltas := append(m.deltas[:0], make([]int64, len(s.defs))...)
		m.deltas = deltas
		news := false
		for i := range s.defs {
			cur := s.counts[i].Load()
			deltas[i] = cur - s.flushed[i]
			s.flushed[i] = cur
			news = news || deltas[i] != 0
		}
		var values []float64
		if s.timing != nil {
			s.timing.mu.Lock()
			values = s.timing.pending
			s.timing.pending = nil
			s.timing.mu.Unlock()
		}
		if !news && len(values) == 0 {
			continue
		}
		first := true
		for first || len(values) > 0 {
			chunk := values[:min(len(values), maxValuesPerMetric)]
			values = values[len(chunk):]
			doc := emfDocument{ts: ts, keys: s.dimKeys, vals: s.dimVals, scope: s.key.scope, metrics: m.docMs[:0],
				versioned: m.functionVersion != "" && s.key.scope.Versioned()}
			for i, d := range s.defs {
				switch {
				case d.Kind == metricdefs.Timing && len(chunk) > 0:
					doc.metrics = append(doc.metrics, emfMetric{def: d, values: chunk})
				case d.Kind == metricdefs.Counter && first:
					doc.metrics = append(doc.metrics, emfMetric{def: d, value: deltas[i]})
				}
			}
			m.docMs = doc.metrics
			first = false
			if len(doc.metrics) == 0 {
				continue
			}
			// Variants: 0 counters and timings, 1 counters only, 2 timings only.
			variant := 0
			switch {
			case len(chunk) == 0:
				variant = 1
			case !doc.hasCounters():
				variant = 2
			}
			if s.emfHeads[variant] == "" {
				s.emfHeads[variant] = doc.head()
			}
			var err error
			if b, err = doc.append(b, s.emfHeads[variant]); err != nil {
				return err
			}
		}
	}
	m.buf = b
	if len(b) == 0 {
		return nil
	}
	_, err := w.Write(b)
	return err
}

type emfMetric struct {
	def    metricdefs.Metric
	value  int64
	values []float64
}

func (d emfDocument) hasCounters() bool {
	for _, m := range d.metrics {
		if m.def.Kind == metricdefs.Counter {
			return true
		}
	}
	return false
}

type emfDocument struct {
	ts      int64
	keys    []string
	vals    []string
	scope   metricdefs.Scope
	metrics []emfMetric
	// versioned: the series is also published per function version.
	versioned bool
}

// append encodes the document by hand: the member order is fixed (_aws first), and
// this runs after every Lambda invocation. head is the constant part after the
// timestamp (directive, dimension members), cached per series and variant.
func (d emfDocument) append(b []byte, head string) ([]byte, error) {
	if len(d.metrics) > maxValuesPerMetric {
		return b, fmt.Errorf("telemetry: %d metrics in one EMF document (max 100)", len(d.metrics))
	}
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, d.ts, 10)
	b = append(b, head...)
	for _, m := range d.metrics {
		b = append(b, metricMember[m.def.Name]...)
		if m.def.Kind == metricdefs.Timing {
			b = append(b, '[')
			for i, v := range m.values {
				if i > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, v, 'f', -1, 64)
			}
			b = append(b, ']')
		} else {
			b = strconv.AppendInt(b, m.value, 10)
		}
	}
	b = append(b, "}\n"...)
	return b, nil
}

// metricMember is `,"<Name>":` for every metric.
var metricMember = func() map[string]string {
	out := map[string]string{}
	for _, m := range metricdefs.All() {
		out[m.Name] = "," + jsonString(m.Name) + ":"
	}
	return out
}()

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// head builds the constant part of a document: the metric directive and the
// dimension members.
func (d emfDocument) head() string {
	var b strings.Builder
	b.WriteString(`,"CloudWatchMetrics":[{"Namespace":`)
	b.WriteString(jsonString(metricdefs.Namespace))
	b.WriteString(`,"Dimensions":[`)
	sets := d.scope.DimensionSets()
	if d.versioned {
		sets = append(slices.Clone(sets), d.scope.VersionedDimensionSets()...)
	}
	for i, set := range sets {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		for j, k := range set {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(jsonString(k))
		}
		b.WriteByte(']')
	}
	b.WriteString(`],"Metrics":[`)
	for i, m := range d.metrics {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"Name":`)
		b.WriteString(jsonString(m.def.Name))
		b.WriteString(`,"Unit":`)
		b.WriteString(jsonString(string(m.def.Unit)))
		b.WriteByte('}')
	}
	b.WriteString(`]}]}`)
	for i, k := range d.keys {
		b.WriteByte(',')
		b.WriteString(jsonString(k))
		b.WriteByte(':')
		b.WriteString(jsonString(d.vals[i]))
	}
	return b.String()
}

// WritePrometheus writes every metric's running totals in the Prometheus text
// exposition format (version 0.0.4): counters as <name>_total, timings as histograms
// in seconds.
func (m *Metrics) WritePrometheus(w io.Writer) error {
	bw := bufio.NewWriter(w)
	all := m.sorted()
	for _, def := range metricdefs.All() {
		var rows []*series
		for _, s := range all {
			if s.key.scope == def.Scope {
				rows = append(rows, s)
			}
		}
		if len(rows) == 0 {
			continue
		}
		typ := "counter"
		if def.Kind == metricdefs.Timing {
			typ = "histogram"
		}
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", def.Prom, escapeHelp(def.Help), def.Prom, typ)
		idx := scopeIndex[def.Name]
		for _, s := range rows {
			keys, vals := m.dimValues(s.key)
			labels := promLabels(keys, vals)
			if def.Kind == metricdefs.Counter {
				fmt.Fprintf(bw, "%s{%s} %d\n", def.Prom, labels, s.counts[idx].Load())
				continue
			}
			t := s.timing
			t.mu.Lock()
			buckets, count, sum := slices.Clone(t.buckets), t.count, t.sum
			t.mu.Unlock()
			for i, ub := range promBuckets {
				fmt.Fprintf(bw, "%s_bucket{%s,le=\"%s\"} %d\n", def.Prom, labels, strconv.FormatFloat(ub, 'g', -1, 64), buckets[i])
			}
			fmt.Fprintf(bw, "%s_bucket{%s,le=\"+Inf\"} %d\n", def.Prom, labels, count)
			fmt.Fprintf(bw, "%s_sum{%s} %s\n", def.Prom, labels, strconv.FormatFloat(sum, 'g', -1, 64))
			fmt.Fprintf(bw, "%s_count{%s} %d\n", def.Prom, labels, count)
		}
	}
	return bw.Flush()
}

func promLabels(keys, vals []string) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(metricdefs.PromLabel(k))
		b.WriteString(`="`)
		b.WriteString(escapeLabel(vals[i]))
		b.WriteByte('"')
	}
	return b.String()
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// PrometheusContentType is the content type of the text exposition format.
const PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

// Handler serves the Prometheus exposition (GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", PrometheusContentType)
		_ = m.WritePrometheus(w)
	})
}
