package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Event is one audit event: who (how verified, which customer) touched which customer
// data through which tool, and what came of it. It carries no email, name, token or
// raw id: every id is the keyed hash the logs use (telemetry.HashID keyed with
// telemetry.hash_salt: 16 hex digits), so events join log lines and can be searched
// for a known id by hashing it, but a reader cannot recover an id (a Rasa sender id
// that is an email, a Lex session id made of a name and phone number).
type Event struct {
	Time     time.Time `json:"time"`
	Intent   string    `json:"intent"`
	Platform string    `json:"platform"`
	// TurnID is the keyed hash of the platform's turn id (a log line's correlation_id
	// when the caller sent no X-Correlation-Id).
	TurnID string `json:"turn_id"`
	// Session is the keyed hash of the platform's session id (a log line's session_id).
	Session string `json:"session"`
	// Verification is token, code or none.
	Verification string `json:"verification"`
	// CustomerID is the keyed hash of the business tool's own id of the customer whose
	// data was read or for whom something was written; empty when none was.
	CustomerID string `json:"customer_id,omitempty"`
	// Object is the keyed hash of the business object's id read or written (payment or
	// ticket), if any.
	Object string `json:"object,omitempty"`
	// Tool is the business tool read or written (salesforce, stripe, zendesk, …), or
	// "identity" for the code flow.
	Tool string `json:"tool,omitempty"`
	// Outcome: answered, refused_unverified, refused_other_customer, not_found,
	// token_<reason>, code_sent, code_rate_limited, code_wrong, code_exhausted,
	// code_verified, created, created_unverified, updated, refused, failed,
	// unavailable, outcome_unknown.
	Outcome string `json:"outcome"`
	// Fields names the fields a write set or tried to set (update_customer: "phone",
	// "address"); never their values.
	Fields []string `json:"fields,omitempty"`
}

// Auditor records audit events. Record is called on the turn's goroutine before the
// reply goes back; it returns once the event is written (nothing runs after the
// handler returns on Lambda).
type Auditor interface {
	Record(ctx context.Context, e Event) error
}

// Lines writes events as JSON lines to a writer (a file, stdout).
type Lines struct {
	mu sync.Mutex
	w  io.Writer
	f  lineFile // the file OpenFile opened: appended to whole lines or nothing
	c  io.Closer
}

// NewLines writes to w.
func NewLines(w io.Writer) *Lines { return &Lines{w: w} }

// OpenFile appends to the JSON-lines file at path (mode 0600). Each event is a whole
// line or nothing: an append a full disk cuts short is undone (AppendLine) and
// Record fails.
func OpenFile(path string) (*Lines, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := openLines(path)
	if err != nil {
		return nil, err
	}
	return &Lines{w: f, f: f, c: f}, nil
}

// Record writes one line, in one write. It returns an error when the event was not
// written whole (the caller then withholds what the event would have accounted for).
func (l *Lines) Record(_ context.Context, e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	line := append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		if err := AppendLine(l.f, line); err != nil {
			return fmt.Errorf("identity: audit file: %w", err)
		}
		return nil
	}
	n, err := l.w.Write(line)
	if err == nil && n < len(line) {
		err = io.ErrShortWrite
	}
	return err
}

// ReadEvents returns the events of an audit JSON-lines file, oldest first, skipping
// a partial last line and any line that is not an event.
func ReadEvents(path string) ([]Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Event
	err = ScanLines(f, func(line []byte) {
		var e Event
		if json.Unmarshal(line, &e) == nil {
			out = append(out, e)
		}
	})
	return out, err
}

// Close closes the file, if Lines opened one.
func (l *Lines) Close() error {
	if l.c == nil {
		return nil
	}
	return l.c.Close()
}

// Discard records nothing (identity.audit.sink: none).
type Discard struct{}

// Record does nothing.
func (Discard) Record(context.Context, Event) error { return nil }
