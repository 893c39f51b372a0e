package identity

import (
	"bufio"
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
}

// OutboxEntry is one line of the outbox.
type OutboxEntry struct {
	Time    time.Time `json:"time"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
}

// SendCode appends the code to the outbox file (mode 0600).
func (o *Outbox) SendCode(_ context.Context, to, code string, valid time.Duration) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(o.Path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	now := time.Now()
	subject, _ := Message("Switchboard", code, valid)
	line, _ := json.Marshal(OutboxEntry{Time: now.UTC(), To: to, Subject: subject, Code: code, Expires: now.Add(valid).UTC()})
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
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
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e OutboxEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	if n > 0 && len(out) > n {
		out = out[len(out)-n:]
	}
	return out, sc.Err()
}
