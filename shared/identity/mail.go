package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Mailer delivers a one-time code to an email address.
type Mailer interface {
	SendCode(ctx context.Context, to, code string, valid time.Duration) error
}

// Message is the subject and plain-text body of a code's email.
func Message(service, code string, valid time.Duration) (subject, body string) {
	subject = fmt.Sprintf("Your %s verification code", service)
	body = fmt.Sprintf("Your verification code is %s.\n\nType it in the chat within %d minutes. "+
		"If you did not ask for a code, ignore this email: nothing happens without it.\n", code, int(valid.Minutes()))
	return subject, body
}

// Outbox is the local mailer: each code is appended as a JSON line to a file under the
// data directory (and never to the server log); `switchboard outbox` prints them.
type Outbox struct {
	Path string
	mu   sync.Mutex
	// wrap, when set (tests), stands between SendCode and the file.
	wrap func(*os.File) lineFile
}

// OutboxEntry is one line of the outbox.
type OutboxEntry struct {
	Time    time.Time `json:"time"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
}

// SendCode appends the code to the outbox file (mode 0600), a whole line or nothing:
// an append a full disk cuts short is undone and the send fails (AppendLine).
func (o *Outbox) SendCode(_ context.Context, to, code string, valid time.Duration) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return err
	}
	f, err := openLines(o.Path)
	if err != nil {
		return err
	}
	now := time.Now()
	subject, _ := Message("Switchboard", code, valid)
	line, _ := json.Marshal(OutboxEntry{Time: now.UTC(), To: to, Subject: subject, Code: code, Expires: now.Add(valid).UTC()})
	err = o.append(f, append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("identity: outbox: %w", err)
	}
	return nil
}

// append is AppendLine, through wrap when a test set it.
func (o *Outbox) append(f *os.File, line []byte) error {
	if o.wrap != nil {
		return AppendLine(o.wrap(f), line)
	}
	return AppendLine(f, line)
}

// ReadOutbox returns the last n entries of the outbox file (all when n <= 0), oldest
// first.
func ReadOutbox(path string, n int) ([]OutboxEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []OutboxEntry
	// A partial last line (an older version on a full disk) and lines that are not
	// entries are skipped.
	err = ScanLines(f, func(line []byte) {
		var e OutboxEntry
		if json.Unmarshal(line, &e) == nil {
			out = append(out, e)
		}
	})
	if n > 0 && len(out) > n {
		out = out[len(out)-n:]
	}
	return out, err
}
