package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// Options are where telemetry writes and what it reads from the process. The zero
// value writes logs, EMF and spans to stdout (what Lambda ships to CloudWatch Logs)
// and reads the real environment.
type Options struct {
	Logs    io.Writer // default os.Stdout
	EMF     io.Writer // default os.Stdout
	Traces  io.Writer // default os.Stdout (tracing: stdout)
	Getenv  func(string) string
	Now     func() time.Time
	Secrets []string // secret values to cut out of every log line
	// Redactor replaces the redactor New builds (tests: NewUnsafeRedactor shows a leak
	// detector works). Secrets are added to it.
	Redactor *Redactor
	// Tracing overrides the configured tracing (tests).
	Tracing *Tracing
}

// Settings are what the telemetry section of the configuration chooses (see
// docs/observability.md). The zero value is the documented default.
type Settings struct {
	LogLevel string // debug | info | warn | error ("": info)
	// DebugSampleRate is the fraction of turns (0–1) logged at debug level whatever
	// LogLevel says.
	DebugSampleRate float64
	// EMF says when CloudWatch Embedded Metric Format documents are written: auto
	// (also ""; on Lambda, flushed after every turn), on or off.
	EMF string
	// Tracing selects the span exporter: none (also "") or stdout.
	Tracing string
	// HashSalt salts the hash that replaces session ids in logs ("": the service name).
	HashSalt string
	// PublicHashSalt records that the public default HashSalt was accepted by name
	// (telemetry.public_hash_salt): the boot sequence of a Lambda function refuses it
	// otherwise (shared/function/boot). Telemetry itself does not read it.
	PublicHashSalt bool
}

// Telemetry is one process's logs, metrics and traces. It implements engine.TurnHook
// and resilience.Observer.
type Telemetry struct {
	Logger   *slog.Logger
	Metrics  *Metrics
	Redactor *Redactor
	Tracing  *Tracing

	service    string
	salt       string
	sampleRate float64
	emfOut     io.Writer
	emfPerTurn bool
	getenv     func(string) string
	now        func() time.Time
	warm       atomic.Bool
	emfMu      sync.Mutex
	// holders hold an invocation's lines on Lambda (PerInvocation); nil elsewhere.
	holders []*lineHolder
	// problemsLogged holds the configuration errors already logged (platform, intent,
	// kind, name): each is logged once per process and counted every time.
	problemsLogged sync.Map
}

var (
	_ engine.TurnHook     = (*Telemetry)(nil)
	_ resilience.Observer = (*Telemetry)(nil)
	_ engine.RefusalHook  = (*Telemetry)(nil)
	_ engine.RelayHook    = (*Telemetry)(nil)
)

// Relayed implements engine.RelayHook: RelayedTurns for every relayed turn;
// RelayedFailed when the reply carried failed, rejected or unknown_intent (a relayed
// turn is one the router mapped and routed, so the function should answer it), carried
// no outcome at all (unknown is never counted as success), or the forward failed;
// RelayedFallbacks when it carried a fallback or the forward failed. One log line per
// relayed turn; on Lambda the EMF is flushed before the reply returns.
func (t *Telemetry) Relayed(ctx context.Context, r engine.RelayEnd) {
	intent := string(r.Intent)
	if intent == "" {
		intent = "unknown"
	}
	d := Dims{Intent: intent}
	m := t.Metrics
	m.Add(metricdefs.RelayedTurns, d, 1)
	outcome := string(r.Outcome.Outcome)
	if !r.Known {
		outcome = "unknown"
	}
	failed := r.ForwardFailed || !r.Known
	switch r.Outcome.Outcome {
	case conversation.OutcomeFailed, conversation.OutcomeRejected, conversation.OutcomeUnknownIntent:
		failed = true
	}
	fallback := r.ForwardFailed || (r.Known && r.Outcome.Fallback)
	if failed {
		m.Add(metricdefs.RelayedFailed, d, 1)
	}
	if fallback {
		m.Add(metricdefs.RelayedFallbacks, d, 1)
	}
	level := slog.LevelInfo
	if failed {
		level = slog.LevelWarn
	}
	t.log(ctx, level, "relayed", slog.String(keyPlatform, string(r.Platform)), slog.String(keyIntent, intent),
		slog.String("outcome", outcome), slog.Bool("fallback", fallback), slog.Bool("forward_failed", r.ForwardFailed))
	if t.emfPerTurn {
		if err := t.Flush(); err != nil {
			t.Logger.LogAttrs(ctx, slog.LevelError, "emf flush failed", slog.Any("error", err))
		}
	}
}

// New builds the telemetry of service (the metrics namespace and the service field of
// every log line) with settings s.
func New(service string, s Settings, o Options) (*Telemetry, error) {
	if o.Logs == nil {
		o.Logs = os.Stdout
	}
	if o.EMF == nil {
		o.EMF = os.Stdout
	}
	if o.Traces == nil {
		o.Traces = os.Stdout
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	tc := s
	if tc.LogLevel == "" {
		tc.LogLevel = "info"
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(tc.LogLevel)); err != nil {
		return nil, fmt.Errorf("telemetry: log_level %q: want debug, info, warn or error", tc.LogLevel)
	}
	if tc.DebugSampleRate < 0 || tc.DebugSampleRate > 1 {
		return nil, fmt.Errorf("telemetry: debug_sample_rate %v: want a fraction between 0 and 1", tc.DebugSampleRate)
	}
	onLambda := o.Getenv("AWS_LAMBDA_FUNCTION_NAME") != ""
	var holders []*lineHolder
	if onLambda {
		// On Lambda an invocation's lines are held and written together before its
		// reply (PerInvocation); logs, EMF and spans sharing stdout share one holder.
		o.Logs = holderFor(&holders, o.Logs)
		o.EMF = holderFor(&holders, o.EMF)
		o.Traces = holderFor(&holders, o.Traces)
	}
	var emf bool
	switch tc.EMF {
	case "", "auto":
		emf = onLambda
	case "on":
		emf = true
	case "off":
	default:
		return nil, fmt.Errorf("telemetry: emf %q: want auto, on or off", tc.EMF)
	}
	tr := o.Tracing
	if tr == nil {
		var err error
		if tr, err = newTracing(tc.Tracing, o.Traces); err != nil {
			return nil, err
		}
	}
	red := o.Redactor
	if red == nil {
		red = newRedactor()
	}
	for _, sec := range o.Secrets {
		red.AddSecret(sec)
	}
	static := []slog.Attr{slog.String(keyService, service)}
	if fn := o.Getenv("AWS_LAMBDA_FUNCTION_NAME"); fn != "" {
		static = append(static, slog.String(keyFunctionName, fn))
	}
	if v := o.Getenv("AWS_LAMBDA_FUNCTION_VERSION"); v != "" {
		static = append(static, slog.String(keyFunctionVer, v))
	}
	salt := tc.HashSalt
	if salt == "" {
		salt = service
	}
	metrics := newMetrics(service, emf, o.Now)
	if fn, v := o.Getenv("AWS_LAMBDA_FUNCTION_NAME"), o.Getenv("AWS_LAMBDA_FUNCTION_VERSION"); fn != "" && v != "" {
		metrics.functionVersion = fn + ":" + v
	}
	t := &Telemetry{
		Logger:   slog.New(newLogHandler(o.Logs, LogOptions{Level: level, Redactor: red, Attrs: static})),
		Metrics:  metrics,
		Redactor: red, Tracing: tr,
		service: service, salt: salt, sampleRate: tc.DebugSampleRate,
		emfOut: o.EMF, emfPerTurn: emf, getenv: o.Getenv, now: o.Now,
		holders: holders,
	}
	return t, nil
}

// StartTurn implements engine.TurnHook: it starts the turn's span (a child of the
// caller's X-Ray trace), decides debug sampling, and puts the turn's log context in
// ctx.
func (t *Telemetry) StartTurn(ctx context.Context, s engine.TurnStart) context.Context {
	ri := requestFrom(ctx)
	if lc, ok := lambdacontext.FromContext(ctx); ok && ri.ID == "" {
		ri.ID = lc.AwsRequestID
	}
	header := ri.TraceHeader
	if header == "" {
		header, _ = ctx.Value(lambdaTraceKey).(string)
	}
	if header == "" {
		header = t.getenv("_X_AMZN_TRACE_ID")
	}
	if t.Tracing.recording && !trace.SpanContextFromContext(ctx).IsValid() {
		ctx = t.Tracing.Extract(ctx, header)
	}
	intent := string(s.Turn.Intent)
	if intent == "" {
		intent = "unknown"
	}
	var span trace.Span
	if t.Tracing.recording {
		ctx, span = t.Tracing.tracer.Start(ctx, "turn "+intent, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("switchboard.platform", string(s.Platform)),
				attribute.String("switchboard.intent", intent)))
	} else {
		ctx, span = t.Tracing.tracer.Start(ctx, "turn")
	}
	corr := ri.CorrelationID
	if corr == "" && s.Turn.TurnID != "" {
		// A platform's turn id can hold the session id (a Rasa sender's email, a Lex
		// session id made of a name and phone number): keyed-hashed like the session,
		// it is the turn_id of the turn's audit event.
		corr = HashID(t.salt, s.Turn.TurnID)
	}
	if corr == "" {
		corr = ri.ID
	}
	ts := &turnState{
		start: t.now(), span: span, intent: intent, platform: string(s.Platform),
		debug: t.sampleRate > 0 && mrand.Float64() < t.sampleRate,
	}
	cold := !t.warm.Swap(true)
	ts.attrs = make([]slog.Attr, 0, 8)
	ts.attrs = append(ts.attrs, slog.Bool(keyColdStart, cold))
	if ri.ID != "" {
		ts.attrs = append(ts.attrs, slog.String(keyRequestID, t.Redactor.String(ri.ID)))
	}
	ts.attrs = append(ts.attrs, slog.String(keyPlatform, string(s.Platform)), slog.String(keyIntent, intent))
	if s.Turn.SessionID != "" {
		ts.attrs = append(ts.attrs, slog.String(keySessionID, HashID(t.salt, s.Turn.SessionID)))
	}
	if corr != "" {
		ts.attrs = append(ts.attrs, slog.String(keyCorrelationID, t.Redactor.String(corr)))
	}
	if id := XRayTraceID(span.SpanContext().TraceID()); id != "" {
		ts.attrs = append(ts.attrs, slog.String(keyTraceID, id))
	} else if root := xrayRoot(header); root != "" {
		ts.attrs = append(ts.attrs, slog.String(keyTraceID, root))
	}
	ctx = context.WithValue(ctx, turnKey{}, ts)
	if t.Logger.Enabled(ctx, slog.LevelDebug) {
		// The body's structure only (field names, types, lengths): its values are the
		// caller's words, names, amounts and codes, which no log holds at any level.
		t.Logger.LogAttrs(ctx, slog.LevelDebug, "webhook request",
			slog.String("raw_intent", s.Turn.RawIntent), slog.String("phase", string(s.Turn.Phase)),
			slog.Int("body_bytes", len(s.Body)), slog.Any("body", t.Redactor.Structure(s.Body)))
	}
	return ctx
}

// xrayRoot returns the Root=… part of an X-Amzn-Trace-Id header.
func xrayRoot(header string) string {
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ";")
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok {
			return v
		}
	}
	return ""
}

// EndTurn implements engine.TurnHook: the per-intent metrics, one info line for the
// turn, the reply body at debug, the end of the span, and (on Lambda) the EMF flush.
func (t *Telemetry) EndTurn(ctx context.Context, e engine.TurnEnd) {
	ts := turnFrom(ctx)
	intent := string(e.Turn.Intent)
	if intent == "" {
		intent = "unknown"
	}
	d := Dims{Intent: intent}
	m := t.Metrics
	m.Add(metricdefs.Turns, d, 1)
	switch e.Reply.Outcome {
	case conversation.OutcomeFulfilled:
		m.Add(metricdefs.Fulfilled, d, 1)
	case conversation.OutcomeFailed:
		m.Add(metricdefs.Failed, d, 1)
	}
	stale := ts != nil && ts.stale.Load()
	fallback := e.Fallback || stale || e.Reply.Fallback
	if fallback {
		m.Add(metricdefs.FallbackReplies, d, 1)
	}
	if e.Reply.LanguageFallback {
		m.Add(metricdefs.LocaleFallbacks, d, 1)
	}
	for _, p := range e.Problems {
		m.Add(metricdefs.ConfigErrors, d, 1)
		key := string(e.Platform) + "\x00" + p.Intent + "\x00" + p.Kind + "\x00" + p.Name
		if _, seen := t.problemsLogged.LoadOrStore(key, true); !seen {
			t.log(ctx, slog.LevelError, "bot configuration error",
				slog.String("platform", string(e.Platform)), slog.String("raw_intent", p.Intent),
				slog.String("missing", p.Kind), slog.String("name", p.Name), slog.String("sent", p.Reply),
				slog.String("fix", "define the "+p.Kind+" "+p.Name+" on the bot's intent "+p.Intent+" (switchboard check --lex-bot reads an exported bot)"))
		}
	}
	m.Observe(metricdefs.TurnLatency, d, e.Latency)

	level := slog.LevelInfo
	if e.Reply.Outcome == conversation.OutcomeFailed || e.Status >= 500 {
		level = slog.LevelWarn
	}
	var calls int32
	if ts != nil {
		calls = ts.toolCalls.Load()
	}
	t.log(ctx, level, "turn",
		slog.String("outcome", string(e.Reply.Outcome)),
		slog.Int("status", e.Status),
		slog.Float64("latency_ms", ms(e.Latency)),
		slog.Bool("fallback", fallback),
		slog.Bool("stale", stale),
		slog.Int("tool_calls", int(calls)))
	if t.Logger.Enabled(ctx, slog.LevelDebug) {
		// The reply's outcome and the structure of what it says, never its words: they
		// carry the customer's name, company, plan, amounts and ticket subjects.
		t.Logger.LogAttrs(ctx, slog.LevelDebug, "webhook reply",
			slog.String("outcome", string(e.Reply.Outcome)), slog.String("slot_to_elicit", e.Reply.SlotToElicit),
			slog.Int("messages", len(e.Reply.Messages)), slog.Any("reply", t.Redactor.StructureOf(e.Reply)),
			slog.Int("body_bytes", len(e.Body)), slog.Any("body", t.Redactor.Structure(e.Body)))
	}
	if ts != nil {
		ts.span.SetAttributes(attribute.String("switchboard.outcome", string(e.Reply.Outcome)),
			attribute.Bool("switchboard.fallback", fallback), attribute.Int("http.response.status_code", e.Status))
		if e.Reply.Outcome == conversation.OutcomeFailed {
			ts.span.SetStatus(codes.Error, "turn failed")
		}
		ts.span.End()
	}
	if t.emfPerTurn {
		if err := t.Flush(); err != nil {
			t.Logger.LogAttrs(ctx, slog.LevelError, "emf flush failed", slog.Any("error", err))
		}
	}
}

// log writes one line without the caller lookup slog.Logger does for every record
// (the handler never prints the source): the turn and tool-call lines run on every
// turn.
// The attributes are enums, numbers, configured names and values the caller has
// already passed through the Redactor, so the per-attribute scan is skipped when the
// handler is ours.
func (t *Telemetry) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	h := t.Logger.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(t.now(), level, msg, 0)
	r.AddAttrs(attrs...)
	if lh, ok := h.(*logHandler); ok {
		_ = lh.handle(ctx, r)
		return
	}
	_ = h.Handle(ctx, r)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// OnCall implements resilience.Observer: one log line, the tool metrics and a span per
// attempt of a business-tool call.
func (t *Telemetry) OnCall(ctx context.Context, info resilience.CallInfo) {
	d := Dims{Tool: info.Tool}
	m := t.Metrics
	m.Add(metricdefs.Calls, d, 1)
	m.Observe(metricdefs.ToolLatency, d, info.Latency)
	if info.Attempt > 1 {
		m.Add(metricdefs.Retries, d, 1)
	}
	ts := turnFrom(ctx)
	if ts != nil {
		ts.toolCalls.Add(1)
	}
	status, level := "ok", slog.LevelInfo
	kind := connector.KindOf(info.Err)
	var ce *connector.Error
	if info.Err != nil {
		status, level = "error", slog.LevelWarn
		d.ErrorClass = kind.String()
		m.Add(metricdefs.Errors, d, 1)
		if kind == connector.KindUnauthorized || kind == connector.KindDenied {
			m.Add(metricdefs.AuthFailures, d, 1)
		}
		// A missing record is an answer, not a fault of the tool.
		if kind == connector.KindNotFound {
			level = slog.LevelInfo
		}
		errors.As(info.Err, &ce)
	}
	if t.Logger.Enabled(ctx, level) {
		attrs := make([]slog.Attr, 0, 10)
		attrs = append(attrs,
			slog.String("tool", info.Tool), slog.String("operation", info.Op), slog.String("status", status),
			slog.Float64("latency_ms", ms(info.Latency)), slog.Int("attempt", info.Attempt),
			slog.String("breaker_state", info.BreakerState.String()))
		if info.Err != nil {
			attrs = append(attrs, slog.String("error_code", kind.String()))
			if ce != nil && ce.Code != "" {
				attrs = append(attrs, slog.String("tool_error_code", t.Redactor.String(ce.Code)))
			}
			if ce != nil && ce.StatusCode != 0 {
				attrs = append(attrs, slog.Int("http_status", ce.StatusCode))
			}
			attrs = append(attrs, slog.String("error", t.Redactor.String(info.Err.Error())))
		}
		t.log(ctx, level, "tool call", attrs...)
	}
	if trace.SpanFromContext(ctx).IsRecording() {
		end := t.now()
		span := t.Tracing.spanAfter(ctx, info.Tool+"."+info.Op, end.Add(-info.Latency), info.Latency,
			attribute.String("switchboard.tool", info.Tool), attribute.String("switchboard.operation", info.Op),
			attribute.Int("switchboard.attempt", info.Attempt), attribute.String("switchboard.breaker_state", info.BreakerState.String()))
		if info.Err != nil {
			span.SetAttributes(attribute.String("error.type", kind.String()))
			span.SetStatus(codes.Error, kind.String())
		}
		span.End(trace.WithTimestamp(end))
	}
}

// OnBreakerChange implements resilience.Observer (the resilience layer logs the change
// itself; this counts openings).
func (t *Telemetry) OnBreakerChange(tool string, from, to resilience.BreakerState) {
	if to == resilience.BreakerOpen {
		t.Metrics.Add(metricdefs.BreakerOpens, Dims{Tool: tool}, 1)
	}
}

// CacheEvent is what a cache lookup found.
type CacheEvent int

// Cache events.
const (
	CacheHit   CacheEvent = iota // a fresh entry answered
	CacheMiss                    // no usable entry: the tool was called
	CacheStale                   // the tool failed and a stale entry answered
)

// CacheObserver is what a caching decorator reports to; Telemetry implements it.
type CacheObserver interface {
	OnCache(ctx context.Context, tool string, ev CacheEvent)
}

// OnCache counts a cache lookup of tool. A stale answer also marks the turn as a
// fallback reply.
func (t *Telemetry) OnCache(ctx context.Context, tool string, ev CacheEvent) {
	d := Dims{Tool: tool}
	switch ev {
	case CacheHit:
		t.Metrics.Add(metricdefs.CacheHits, d, 1)
	case CacheMiss:
		t.Metrics.Add(metricdefs.CacheMisses, d, 1)
	case CacheStale:
		t.Metrics.Add(metricdefs.StaleServed, d, 1)
		if ts := turnFrom(ctx); ts != nil {
			ts.stale.Store(true)
		}
		t.Logger.LogAttrs(ctx, slog.LevelWarn, "stale cache entry served", slog.String("tool", tool))
	}
}

// Refused implements engine.RefusalHook: refused_total{reason} (on Lambda, flushed as
// EMF at once: a refused call has no turn end to flush it).
func (t *Telemetry) Refused(ctx context.Context, p conversation.Platform, reason string) {
	t.Metrics.Add(metricdefs.Refused, Dims{Reason: reason}, 1)
	if t.emfPerTurn {
		_ = t.Flush()
	}
}

// Flush writes the EMF documents recorded since the last flush.
func (t *Telemetry) Flush() error {
	t.emfMu.Lock()
	defer t.emfMu.Unlock()
	return t.Metrics.WriteEMF(t.emfOut)
}

// Shutdown flushes metrics (when EMF is on), the span exporter and any lines held.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var err error
	if t.emfPerTurn {
		err = t.Flush()
	}
	err = errors.Join(err, t.Tracing.Shutdown(ctx))
	for _, h := range t.holders {
		err = errors.Join(err, h.flush())
	}
	return err
}

// MetricsHandler serves GET /metrics in the Prometheus text format.
func (t *Telemetry) MetricsHandler() http.Handler { return t.Metrics.Handler() }

// Middleware gives every HTTP request an identity for the logs: X-Request-Id (or a
// new random id, echoed back), X-Correlation-Id, and the X-Amzn-Trace-Id header.
func (t *Telemetry) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 128 {
			id = newID()
		}
		w.Header().Set("X-Request-Id", id)
		ri := RequestInfo{ID: id, CorrelationID: r.Header.Get("X-Correlation-Id"), TraceHeader: r.Header.Get(TraceHeader)}
		if len(ri.CorrelationID) > 128 {
			ri.CorrelationID = ""
		}
		next.ServeHTTP(w, r.WithContext(WithRequest(r.Context(), ri)))
	})
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
