package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseRetryAfter reads a Retry-After header value, surrounding white space ignored:
// delay-seconds, or an HTTP date measured from now. An empty, negative, unreadable or
// past value gives 0.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Transport builds the KindUnavailable error of a call that got no answer: refused,
// reset, or past the deadline. When ctx is done its error is put in the chain (unless
// err already holds it), so errors.Is(err, context.DeadlineExceeded) tells a timeout.
func Transport(ctx context.Context, tool, op string, err error) error {
	e := &Error{Kind: KindUnavailable, Tool: tool, Op: op, Err: err}
	if ce := ctx.Err(); ce != nil && !errors.Is(err, ce) {
		e.Err = fmt.Errorf("%w: %w", ce, err)
	}
	return e
}
