package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"sync"
	"time"
)

// maxBatch is the most bytes one write of held lines carries. Lambda makes a
// CloudWatch Logs event of every line (the size limit of an event is 256 KB); a batch
// of whole lines well under that keeps every write small enough for the log pipe and
// bounds what an invocation holds in memory. A single line longer than maxBatch is
// written alone, whole.
const maxBatch = 64 << 10

// deadlineMargin is how long before an invocation's deadline its held lines are
// written and further lines are no longer held: Lambda ends an invocation that runs
// out its time without running any more of its code.
const deadlineMargin = 200 * time.Millisecond

// lineHolder is the writer a Lambda function's logs and EMF documents go through.
// Between Hold and Release (one Lambda invocation) it keeps the lines written to it and
// writes them in one write (several when they pass maxBatch, each ending at a line
// end) at Release; otherwise it writes through. Lines are never held across
// invocations: the sandbox may be frozen as soon as the handler returns.
type lineHolder struct {
	mu sync.Mutex
	w  io.Writer
	// open counts the invocations held and not yet released (Lambda managed instances
	// run several at once); late counts those past their deadline margin. Lines are
	// held while open > 0 and late == 0.
	open, late int
	buf        []byte
}

func (h *lineHolder) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.open == 0 || h.late > 0 {
		if len(h.buf) == 0 {
			return h.w.Write(p)
		}
		h.buf = append(h.buf, p...)
		return len(p), h.flushLocked(false)
	}
	var err error
	if len(h.buf) > 0 && len(h.buf)+len(p) > maxBatch {
		// The batch is full: its complete lines go now (a partial last line stays with
		// the rest of its write to come).
		err = h.flushLocked(true)
	}
	h.buf = append(h.buf, p...)
	if len(h.buf) >= maxBatch {
		// One write past the cap: a line too long to share a batch goes alone.
		err = errors.Join(err, h.flushLocked(true))
	}
	return len(p), err
}

// hold starts holding lines for one invocation.
func (h *lineHolder) hold() {
	h.mu.Lock()
	h.open++
	h.mu.Unlock()
}

// expire writes what is held and stops holding until the invocation is released.
func (h *lineHolder) expire() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.late++
	return h.flushLocked(false)
}

// release ends an invocation's holding (late: its expire ran) and writes every line
// held, whichever invocation wrote it.
func (h *lineHolder) release(late bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.open--
	if late {
		h.late--
	}
	return h.flushLocked(false)
}

// flush writes whatever is held.
func (h *lineHolder) flush() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.flushLocked(false)
}

// flushLocked writes what is held in batches of whole lines; keepPartial keeps back a
// last line that has no line end yet.
func (h *lineHolder) flushLocked(keepPartial bool) error {
	b := h.buf
	n := len(b)
	if keepPartial {
		n = bytes.LastIndexByte(b, '\n') + 1
	}
	err := writeBatches(h.w, b[:n])
	rest := copy(b, b[n:])
	h.buf = b[:rest]
	if cap(h.buf) > 4*maxBatch && rest < maxBatch {
		// A burst (or one huge line) grew the buffer: do not keep it for every turn.
		h.buf = append([]byte(nil), h.buf...)
	}
	return err
}

// writeBatches writes b in writes of at most maxBatch bytes, each ending at a line end
// (a line longer than maxBatch is written alone, whole).
func writeBatches(w io.Writer, b []byte) error {
	var first error
	for len(b) > 0 {
		n := len(b)
		if n > maxBatch {
			if i := bytes.LastIndexByte(b[:maxBatch], '\n'); i >= 0 {
				n = i + 1
			} else if i := bytes.IndexByte(b[maxBatch:], '\n'); i >= 0 {
				n = maxBatch + i + 1
			}
		}
		if _, err := w.Write(b[:n]); err != nil && first == nil {
			// The lines after it are still written: one failed write loses only its own.
			first = err
		}
		b = b[n:]
	}
	return first
}

// holderFor returns the holder of w among hs, adding one when w has none: logs, EMF
// and spans that share stdout share its holder, so one write carries them all.
func holderFor(hs *[]*lineHolder, w io.Writer) *lineHolder {
	for _, h := range *hs {
		if sameWriter(h.w, w) {
			return h
		}
	}
	h := &lineHolder{w: w}
	*hs = append(*hs, h)
	return h
}

// sameWriter reports whether a and b are the same writer (two interface values of an
// incomparable type are never taken for the same).
func sameWriter(a, b io.Writer) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta != nil && ta.Comparable() && a == b
}

// Invocation is a Lambda handler as shared/function/boot runs it.
type Invocation = func(ctx context.Context, event json.RawMessage) (any, error)

// PerInvocation returns h with the lines of each invocation written together: the log
// lines and EMF documents (and stdout spans) an invocation writes are held, then
// written in one write (more only past 64 KiB, each a run of whole lines) before the
// returned handler returns, so before the runtime sends the reply and the sandbox may
// be frozen. A panic in h still writes them (the flush is deferred) and goes on to the
// runtime. Past its deadline less deadlineMargin an invocation writes what it holds
// and its further lines go through at once: a turn Lambda ends at its timeout keeps
// its lines. Lines written outside an invocation (after its reply, by work it left
// running) go through at once. Off Lambda (no AWS_LAMBDA_FUNCTION_NAME) it returns h
// unchanged.
func (t *Telemetry) PerInvocation(h Invocation) Invocation {
	if len(t.holders) == 0 {
		return h
	}
	return func(ctx context.Context, event json.RawMessage) (any, error) {
		for _, lh := range t.holders {
			lh.hold()
		}
		var late bool
		var lateMu sync.Mutex
		var timer *time.Timer
		if dl, ok := ctx.Deadline(); ok {
			expire := func() {
				lateMu.Lock()
				defer lateMu.Unlock()
				if late {
					return
				}
				late = true
				for _, lh := range t.holders {
					_ = lh.expire()
				}
			}
			if d := time.Until(dl) - deadlineMargin; d > 0 {
				timer = time.AfterFunc(d, expire)
			} else {
				expire()
			}
		}
		defer func() {
			if timer != nil {
				timer.Stop()
			}
			lateMu.Lock()
			defer lateMu.Unlock()
			for _, lh := range t.holders {
				// A failed write to stdout has nowhere else to be told: the log is
				// where it would be said.
				_ = lh.release(late)
			}
			late = true // an expire that lost the race to the lock does nothing
		}()
		return h(ctx, event)
	}
}
