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
	keyService       = "service"
	keyFunctionName  = "function_name"
	keyFunctionVer   = "function_version"
	keyColdStart     = "cold_start"
	keyRequestID     = "request_id"
	keyPlatform      = "platform"
	keyIntent        = "intent"
	keySessionID     = "session_id"
	keyCorrelationID = "correlation_id"
	keyTraceID       = "xray_trace_id"
)

// LogOptions configure newLogHandler. The zero value logs info and above, unsampled,
// with a Redactor that knows no registered secrets.
type LogOptions struct {
	Level slog.Leveler
	// Redactor scrubs every attribute and message (a new one when nil).
	Redactor *Redactor
	// Attrs are set on every line (service, function name, …).
	Attrs []slog.Attr
}

// newLogHandler returns a JSON slog.Handler writing one line per record to w. It
// redacts every attribute and message, adds the turn's context (see StartTurn) to every
// line logged with a turn's context, and enables debug lines for the turns sampled for
// debug. Lines look like slog.JSONHandler's: time, level, msg, then the attributes.
func newLogHandler(w io.Writer, o LogOptions) slog.Handler {
	if o.Level == nil {
		o.Level = slog.LevelInfo
	}
	if o.Redactor == nil {
		o.Redactor = newRedactor()
	}
	static := encodeMembers(o.Redactor.Attrs(o.Attrs))
	return &logHandler{c: &logCore{level: o.Level, red: o.Redactor, w: w, static: static}}
}

type logCore struct {
	level  slog.Leveler
	red    *Redactor
	static []byte // encoded static attributes, each preceded by a comma

	mu sync.Mutex // serializes writes: one Write per line
	w  io.Writer
}

type logHandler struct {
	c *logCore
	// pre holds the encoded WithAttrs/WithGroup members ("," + members, groups left
	// open); groups counts the open groups to close.
	pre    []byte
	groups int
	// gStart and gEnd are where each open group's member starts and where its '{'
	// ends in pre: a record without attributes drops trailing groups left empty, as
	// slog's handlers do.
	gStart, gEnd []int
}

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

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
	return h.handle(ctx, h.c.redactRecord(r))
}

// handle writes a record that is already redacted (or built only from values known to
// be safe: Telemetry's own turn and tool-call lines, whose free-text values are
// redacted one by one).
func (h *logHandler) handle(ctx context.Context, r slog.Record) error {
	bp := linePool.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"time":"`...)
	b = r.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":`...)
	b = appendJSONString(b, r.Level.String())
	b = append(b, `,"msg":`...)
	b = appendJSONString(b, r.Message)
	b = append(b, h.c.static...)
	if ts := turnFrom(ctx); ts != nil {
		b = append(b, ts.encoded()...)
	}
	pre, groups := h.pre, h.groups
	if r.NumAttrs() == 0 {
		for groups > 0 && h.gEnd[groups-1] == len(pre) {
			pre = pre[:h.gStart[groups-1]]
			groups--
		}
	}
	b = append(b, pre...)
	r.Attrs(func(a slog.Attr) bool {
		b = appendAttr(b, a)
		return true
	})
	for i := 0; i < groups; i++ {
		b = append(b, '}')
	}
	b = append(b, '}', '\n')
	h.c.mu.Lock()
	_, err := h.c.w.Write(b)
	h.c.mu.Unlock()
	if cap(b) <= 64<<10 {
		*bp = b
		linePool.Put(bp)
	}
	return err
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	var pre []byte
	if len(h.pre) == 0 {
		pre = encodeMembers(h.c.red.Attrs(as))
	} else {
		pre = append([]byte(nil), h.pre...)
		for _, a := range h.c.red.Attrs(as) {
			pre = appendAttr(pre, a)
		}
	}
	return &logHandler{c: h.c, pre: pre, groups: h.groups, gStart: h.gStart, gEnd: h.gEnd}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	pre := append([]byte(nil), h.pre...)
	start := len(pre)
	if len(pre) == 0 {
		pre = append(pre, ',')
	} else {
		pre = appendSep(pre)
	}
	pre = appendJSONString(pre, name)
	pre = append(pre, ':', '{')
	return &logHandler{c: h.c, pre: pre, groups: h.groups + 1,
		gStart: append(h.gStart[:len(h.gStart):len(h.gStart)], start),
		gEnd:   append(h.gEnd[:len(h.gEnd):len(h.gEnd)], len(pre))}
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

	encOnce sync.Once
	enc     []byte
}

type turnKey struct{}

func turnFrom(ctx context.Context) *turnState {
	if ctx == nil {
		return nil
	}
	ts, _ := ctx.Value(turnKey{}).(*turnState)
	return ts
}

// encoded returns the turn's attributes as JSON members (each preceded by a comma),
// encoded once per turn.
func (ts *turnState) encoded() []byte {
	ts.encOnce.Do(func() { ts.enc = encodeMembers(ts.attrs) })
	return ts.enc
}

// encodeMembers encodes attributes as JSON members, each preceded by a comma.
func encodeMembers(as []slog.Attr) []byte {
	b := make([]byte, 1, 32+48*len(as))
	b[0] = '{'
	for _, a := range as {
		b = appendAttr(b, a)
	}
	if len(b) == 1 {
		return nil
	}
	b[0] = ','
	return b
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
