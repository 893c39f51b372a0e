package connector

import (
	"errors"
	"strconv"
	"strings"
)

// Valid reports whether p is one of the four priorities.
func (p Priority) Valid() bool {
	switch p {
	case PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent:
		return true
	}
	return false
}

// CheckNewTicket is the check the built-in helpdesks (demo, sqldb) make before filing a
// ticket: a requester email with an @, a subject and a known priority. email, subject
// and prio are the caller's normalized values. The first failure is a
// KindInvalidInput error naming the field.
func CheckNewTicket(tool, op, email, subject string, prio Priority) error {
	invalid := func(field, msg string) error {
		return &Error{Kind: KindInvalidInput, Tool: tool, Op: op, Field: field, Err: errors.New(msg)}
	}
	switch {
	case email == "":
		return invalid("requester_email", "a requester email is required")
	case !strings.Contains(email, "@"):
		return invalid("requester_email", "the requester email has no @")
	case subject == "":
		return invalid("subject", "a subject is required")
	case !prio.Valid():
		return invalid("priority", "unknown priority "+strconv.Quote(string(prio)))
	}
	return nil
}
