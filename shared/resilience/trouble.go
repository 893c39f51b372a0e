package resilience

import (
	"context"
	"sync"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// Trouble collects, for one turn, the failures of outbound calls that say nothing about
// the request itself: the tool was down, slow, throttling, unreadable, or refused by a
// breaker. The idempotency layer reads it to tell a business answer ("the helpdesk
// rejected that ticket"), which may be replayed to a retry, from an outage, after which
// the retry must run again. Safe for concurrent use by parallel lookups.
type Trouble struct {
	mu    sync.Mutex
	first error
	n     int
}

type troubleKey struct{}

// WithTrouble returns a context carrying a new Trouble collector.
func WithTrouble(ctx context.Context) (context.Context, *Trouble) {
	t := &Trouble{}
	return context.WithValue(ctx, troubleKey{}, t), t
}

// NoteTrouble records err if it is transient (see Transient). It is a no-op when ctx
// carries no collector. Do calls it for the final error of every call.
func NoteTrouble(ctx context.Context, err error) {
	if !Transient(err) {
		return
	}
	t, _ := ctx.Value(troubleKey{}).(*Trouble)
	if t == nil {
		return
	}
	t.mu.Lock()
	if t.first == nil {
		t.first = err
	}
	t.n++
	t.mu.Unlock()
}

// Any reports whether a transient failure was recorded, and the first one.
func (t *Trouble) Any() (error, bool) {
	if t == nil {
		return nil, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.first, t.n > 0
}

// Transient reports whether err is a failure of the tool or of the path to it rather
// than the tool's answer about the request: everything but not found, invalid input
// and conflict.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	switch connector.KindOf(err) {
	case connector.KindNotFound, connector.KindInvalidInput, connector.KindConflict:
		return false
	}
	return true
}
