package resilience

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// Sentinels for the refusals the policy makes itself, without calling the tool. Each is
// wrapped in a *connector.Error, so intents that only look at the Kind apologise the
// same way as for the tool's own failure, and code that cares can use errors.Is.
var (
	// ErrBreakerOpen: the tool's circuit breaker is open (Kind Unavailable).
	ErrBreakerOpen = errors.New("circuit breaker open")
	// ErrBulkheadFull: too many calls to the tool are in flight (Kind Unavailable).
	ErrBulkheadFull = errors.New("too many calls in flight")
	// ErrLimited: the tool's rate limit, or a Retry-After it sent, would hold the call
	// past the budget (Kind RateLimited; RetryAfter says how long).
	ErrLimited = errors.New("rate limit would hold the call past its deadline")
)

// errNotAttempted marks outcomes the breaker must not count.
var errNotAttempted = errors.New("not attempted")

func (p *Policy) refusal(op string, kind connector.Kind, code string, after time.Duration, cause error) error {
	return &connector.Error{Kind: kind, Tool: p.tool, Op: op, Code: code, RetryAfter: after, Err: cause}
}

// normalize makes context errors typed: a call cut off by the budget is the tool being
// too slow for this turn (Unavailable), which intents already know how to explain.
func (p *Policy) normalize(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		return err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &connector.Error{Kind: connector.KindUnavailable, Tool: p.tool, Op: op, Code: "timeout", Err: err}
	case errors.Is(err, context.Canceled):
		return &connector.Error{Kind: connector.KindUnavailable, Tool: p.tool, Op: op, Code: "canceled", Err: err}
	}
	return err
}

// healthy reports whether an error still proves the tool is up: it answered, the
// answer was just "no" (not found, bad input, conflict, wrong credentials).
func healthy(err error) bool {
	switch connector.KindOf(err) {
	case connector.KindNotFound, connector.KindInvalidInput, connector.KindConflict, connector.KindUnauthorized, connector.KindDenied:
		return true
	}
	return err == nil
}

// retryable reports whether another attempt could succeed.
func retryable(err error) bool {
	if errors.Is(err, ErrBreakerOpen) || errors.Is(err, ErrBulkheadFull) || errors.Is(err, ErrLimited) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	k := connector.KindOf(err)
	return k == connector.KindUnavailable || k == connector.KindRateLimited
}
