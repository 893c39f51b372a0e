package telemetry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// Log attribute keys set on every line of a turn.
const (
	KeyService       = "service"
	KeyFunctionName  = "function_name"
	KeyFunctionVer   = "function_version"
	KeyColdStart     = "cold_start"
	KeyRequestID     = "request_id"
	KeyPlatform      = "platform"
	KeyIntent        = "intent"
	KeySessionID     = "session_id"
	KeyCorrelationID = "correlation_id"
	KeyTraceID       = "xray_trace_id"
)

// LogOptions configure NewLogHandler. The zero value logs info and above, unsampled,
// with a Redactor that knows no registered secrets.
type LogOptions struct {
	Level slog.Leveler
	// Redactor scrubs every attribute and message (a new one when nil).
	Redactor *Redactor
	// Attrs are set on every line (service, function name, …).
	Attrs []slog.Attr
}

// NewLogHandler returns a JSON slog.Handler writing to w that redacts every
// attribute, adds the turn's context (see StartTurn) to every line logged with a turn's
// context, and enables debug lines for the turns sampled for debug.
func NewLogHandler(w io.Writer, o LogOptions) slog.Handler {
	if o.Level == nil {
		o.Level = slog.LevelInfo
	}
	if o.Redactor == nil {
		o.Redactor = NewRedactor()
	}
	// The base handler accepts every level: Enabled is decided here, per turn.
	base := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.Level(-8)})
	c := &logCore{level: o.Level, red: o.Redactor, base: base.WithAttrs(o.Redactor.Attrs(o.Attrs))}
	return &logHandler{c: c, out: c.base}
}

type logCore struct {
	level slog.Leveler
	red   *Redactor
	base  slog.Handler
}

type logHandler struct {
	c   *logCore
	out slog.Handler
	// ops replays WithAttrs/WithGroup on a turn's derived handler.
	ops []func(slog.Handler) slog.Handler
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool {
	if l >= h.c.level.Level() {
		return true
	}
	if ts := turnFrom(ctx); ts != nil && ts.debug && l >= slog.LevelDebug {
		return true
	}
	return false
}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	r = h.c.redactRecord(r)
	out := h.out
	if ts := turnFrom(ctx); ts != nil {
		out = ts.handlerFor(h)
	}
	return out.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	as = h.c.red.Attrs(as)
	op := func(x slog.Handler) slog.Handler { return x.WithAttrs(as) }
	return &logHandler{c: h.c, out: op(h.out), ops: append(h.ops[:len(h.ops):len(h.ops)], op)}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	op := func(x slog.Handler) slog.Handler { return x.WithGroup(name) }
	return &logHandler{c: h.c, out: op(h.out), ops: append(h.ops[:len(h.ops):len(h.ops)], op)}
}

// redactRecord returns r, or a copy with its message and attributes redacted when any
// of them needed it. The common case (nothing to redact) allocates nothing.
func (c *logCore) redactRecord(r slog.Record) slog.Record {
	msg := c.red.String(r.Message)
	changed := msg != r.Message
	if !changed {
		r.Attrs(func(a slog.Attr) bool {
			_, changed = c.red.Attr(a)
			return !changed
		})
	}
	if !changed {
		return r
	}
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		ra, _ := c.red.Attr(a)
		nr.AddAttrs(ra)
		return true
	})
	return nr
}

// turnState is what a turn's context carries for logs, metrics and spans.
type turnState struct {
	attrs []slog.Attr
	debug bool
	start time.Time
	span  trace.Span

	intent   string
	platform string

	toolCalls atomic.Int32
	stale     atomic.Bool

	mu      sync.Mutex
	derived map[*logHandler]slog.Handler
}

type turnKey struct{}

func turnFrom(ctx context.Context) *turnState {
	if ctx == nil {
		return nil
	}
	ts, _ := ctx.Value(turnKey{}).(*turnState)
	return ts
}

// handlerFor returns h's output handler with the turn's attributes added, built once
// per turn and handler so that the turn's attributes are formatted once.
func (ts *turnState) handlerFor(h *logHandler) slog.Handler {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if d, ok := ts.derived[h]; ok {
		return d
	}
	d := h.c.base.WithAttrs(ts.attrs)
	for _, op := range h.ops {
		d = op(d)
	}
	if ts.derived == nil {
		ts.derived = make(map[*logHandler]slog.Handler, 2)
	}
	ts.derived[h] = d
	return d
}

// HashID returns a stable, non-reversible form of an identifier (a session id) for
// logs: the first 16 hex digits of SHA-256(salt || id). Lines of one conversation can
// still be grouped, but the platform's session id (which may embed a phone number on
// some channels) never appears.
func HashID(salt, id string) string {
	if id == "" {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(id))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:8])
}

// RequestInfo identifies the request a turn arrived in, before the turn is decoded.
type RequestInfo struct {
	// ID is the Lambda request id or the HTTP request's X-Request-Id (or a generated id).
	ID string
	// CorrelationID is the caller's X-Correlation-Id, when it sent one.
	CorrelationID string
	// TraceHeader is the X-Amzn-Trace-Id header of the request (API Gateway, ALB, or
	// the Lambda runtime's).
	TraceHeader string
}

type requestKey struct{}

// WithRequest returns ctx carrying the request's identity; StartTurn reads it.
func WithRequest(ctx context.Context, ri RequestInfo) context.Context {
	return context.WithValue(ctx, requestKey{}, ri)
}

func requestFrom(ctx context.Context) RequestInfo {
	ri, _ := ctx.Value(requestKey{}).(RequestInfo)
	return ri
}
