package secrets

import (
	"errors"
	"fmt"
)

// Kind classifies a failure to fetch a secret.
type Kind int

// Failure kinds. A missing secret is a *NotFoundError instead.
const (
	// KindUnavailable: the secret store could not be reached, timed out, throttled us
	// or failed (the credentials may be fine: retry later).
	KindUnavailable Kind = iota + 1
	// KindDenied: the store refused us the secret (IAM policy, KMS key access).
	KindDenied
	// KindMalformed: the secret exists but is not a JSON object of strings.
	KindMalformed
)

func (k Kind) String() string {
	switch k {
	case KindUnavailable:
		return "unavailable"
	case KindDenied:
		return "access denied"
	case KindMalformed:
		return "malformed"
	}
	return "unknown"
}

// Error is a failed fetch. It names the secret and the source, never a value: Err is
// either a transport or service error (which carries no secret material) or a
// description written here.
type Error struct {
	ID     string
	Source string // "aws", "file", "env"
	Kind   Kind
	// Code is the store's own error code (e.g. Secrets Manager's
	// InternalServiceError), when it gave one.
	Code string
	Err  error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("secrets: secret %s", e.ID)
	if e.Source != "" {
		s += " (" + e.Source + ")"
	}
	s += ": " + e.Kind.String()
	if e.Code != "" {
		s += " [" + e.Code + "]"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Unavailable reports whether err is the secret store failing (unreachable, throttled,
// 5xx) rather than a refused, missing or malformed secret: the first is a transient
// outage, the others are a configuration problem a retry will not cure.
func Unavailable(err error) bool {
	var se *Error
	return errors.As(err, &se) && se.Kind == KindUnavailable
}
