package connector

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// Kind classifies a connector failure so the intent layer can decide what to tell the
// user without parsing strings.
type Kind int

// Failure kinds.
const (
	KindUnknown         Kind = iota
	KindNotFound             // the thing asked for does not exist
	KindUnauthorized         // credentials missing, wrong, expired or revoked (401)
	KindRateLimited          // the tool asked us to slow down (429); see RetryAfter
	KindUnavailable          // the tool is down, timed out or answered 5xx
	KindInvalidInput         // the tool rejected what we sent (400/422)
	KindInvalidResponse      // the tool answered something we cannot read; see Field
	KindConflict             // the tool refused a write because of existing state (409)
	// KindDenied: the credentials are good but may not do this (403: a missing scope or
	// permission). Fetching them again would not help, so nothing does.
	KindDenied
)

// kindNames are the error classes of shared/telemetry/metricdefs (DimErrorClass).
var kindNames = map[Kind]string{
	KindUnknown:         metricdefs.ErrorClassUnknown,
	KindNotFound:        metricdefs.ErrorClassNotFound,
	KindUnauthorized:    metricdefs.ErrorClassUnauthorized,
	KindRateLimited:     metricdefs.ErrorClassRateLimited,
	KindUnavailable:     metricdefs.ErrorClassUnavailable,
	KindInvalidInput:    metricdefs.ErrorClassInvalidInput,
	KindInvalidResponse: metricdefs.ErrorClassInvalidResponse,
	KindConflict:        metricdefs.ErrorClassConflict,
	KindDenied:          metricdefs.ErrorClassDenied,
}

// String is the error class used in logs and metrics.
func (k Kind) String() string { return kindNames[k] }

// Error is the typed error every connector returns. It never contains credentials.
type Error struct {
	Kind Kind
	// Tool and Op name where it happened, e.g. "hubspot", "search_contacts".
	Tool string
	Op   string
	// StatusCode is the HTTP status the tool answered, if any.
	StatusCode int
	// Code is the tool's own error code (Salesforce errorCode, Stripe code, …).
	Code string
	// RetryAfter is how long the tool asked us to wait (KindRateLimited, sometimes
	// KindUnavailable).
	RetryAfter time.Duration
	// Field names the offending field for KindInvalidResponse / KindInvalidInput.
	Field string
	// Err is the underlying cause.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Tool != "" {
		b.WriteString(e.Tool)
		if e.Op != "" {
			b.WriteString(" ")
			b.WriteString(e.Op)
		}
		b.WriteString(": ")
	}
	b.WriteString(strings.ReplaceAll(e.Kind.String(), "_", " "))
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " [%s]", e.Code)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " field %q", e.Field)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) (and the other sentinels) match any *Error of
// the same Kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Tool == "" && t.Op == "" && t.Err == nil && t.Kind == e.Kind
}

// Sentinels for errors.Is.
var (
	ErrNotFound        = &Error{Kind: KindNotFound}
	ErrUnauthorized    = &Error{Kind: KindUnauthorized}
	ErrRateLimited     = &Error{Kind: KindRateLimited}
	ErrUnavailable     = &Error{Kind: KindUnavailable}
	ErrInvalidInput    = &Error{Kind: KindInvalidInput}
	ErrInvalidResponse = &Error{Kind: KindInvalidResponse}
	ErrConflict        = &Error{Kind: KindConflict}
	ErrDenied          = &Error{Kind: KindDenied}
)

// ErrUnsupported is returned by a decorator asked for an optional capability (such as
// TicketFinder) the tool behind it does not have.
var ErrUnsupported = errors.New("connector: operation not supported by this tool")

// KindOf returns the Kind of err, KindUnknown when err is not a connector error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindUnknown
}

// RetryAfterOf returns the wait a tool asked for, or 0.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// NotFound builds a KindNotFound error.
func NotFound(tool, op string) error { return &Error{Kind: KindNotFound, Tool: tool, Op: op} }

// InvalidResponse builds a KindInvalidResponse error naming the field that could not be
// read.
func InvalidResponse(tool, op, field string, cause error) error {
	return &Error{Kind: KindInvalidResponse, Tool: tool, Op: op, Field: field, Err: cause}
}

// Warning is what a Ping returns when the tool works but something optional is
// absent (a default plan or status field a stock account does not have): `switchboard
// check` reports the tool ok with the warning.
type Warning struct{ Msg string }

func (w *Warning) Error() string { return w.Msg }
