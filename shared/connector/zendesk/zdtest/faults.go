package zdtest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// FaultKind is how a request misbehaves.
type FaultKind int

// Fault kinds.
const (
	// Unauthorized answers 401 {"error":"Couldn't authenticate you"}.
	Unauthorized FaultKind = iota + 1
	// RateLimited answers 429 with Retry-After (whole seconds) and Zendesk's body.
	RateLimited
	// ServerError answers Status (default 503) with an error body.
	ServerError
	// Malformed answers 200 with Body (default: JSON cut off mid-object).
	Malformed
	// Slow waits Delay (or until the client gives up), then answers normally.
	Slow
	// Drop carries the request out (a ticket is created) and then closes the
	// connection without answering: the client never learns the outcome.
	Drop
	// CommitSlow carries the request out (a ticket is created) at once, then waits
	// Delay (or until the client gives up) before answering: a create that commits
	// and answers too late.
	CommitSlow
)

// Fault is one queued misbehaviour. It applies to the next Times requests (default
// 1) whose method and path match (empty matches any).
type Fault struct {
	Kind FaultKind
	// Method, when set, limits the fault to requests with this method.
	Method string
	// Path, when set, limits the fault to request paths starting with it.
	Path string
	// Times is how many matching requests the fault applies to (default 1).
	Times int
	// Skip lets the first Skip matching requests through before the fault applies.
	Skip int
	// RetryAfter is the Retry-After of RateLimited (default 1s; whole seconds) and,
	// when set, of ServerError.
	RetryAfter time.Duration
	// Status is ServerError's status (default 503).
	Status int
	// Delay is how long Slow waits.
	Delay time.Duration
	// Body is what Malformed answers.
	Body string
}

// On limits the fault to requests with method and a path starting with path.
func (f Fault) On(method, path string) Fault { f.Method, f.Path = method, path; return f }

// After lets n matching requests through before the fault applies.
func (f Fault) After(n int) Fault { f.Skip = n; return f }

// Fail queues faults; each applies to the next matching requests, in order.
func (s *Server) Fail(fs ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range fs {
		f := f
		if f.Times <= 0 {
			f.Times = 1
		}
		s.faults = append(s.faults, &f)
	}
}

// Pending is how many queued fault applications are left.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.Times
	}
	return n
}

// takeFault pops the first fault matching r. Caller holds mu.
func (s *Server) takeFault(r *http.Request) *Fault {
	for i, f := range s.faults {
		if (f.Method == "" || f.Method == r.Method) && strings.HasPrefix(r.URL.Path, f.Path) {
			if f.Skip > 0 {
				f.Skip--
				continue
			}
			c := *f
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return &c
		}
	}
	return nil
}

// apply carries the fault out. It reports whether the request has been answered;
// Slow returns false after its wait so the normal handler answers.
func (f *Fault) apply(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) bool {
	switch f.Kind {
	case Unauthorized:
		zdError(w, http.StatusUnauthorized, "Couldn't authenticate you", "", nil)
	case RateLimited:
		d := f.RetryAfter
		if d <= 0 {
			d = time.Second
		}
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		w.Header().Set("X-Rate-Limit", "700")
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		zdError(w, http.StatusTooManyRequests, "APIRateLimitExceeded", "Number of allowed API requests per minute exceeded", nil)
	case ServerError:
		st := f.Status
		if st == 0 {
			st = http.StatusServiceUnavailable
		}
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter/time.Second)))
		}
		zdError(w, st, "ServiceUnavailable", "Zendesk is temporarily unavailable", nil)
	case Malformed:
		body := f.Body
		if body == "" {
			body = `{"tickets":[{"id":1001,"subject":"cut off`
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(body))
	case Slow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			return false
		case <-r.Context().Done():
			return true
		}
	case CommitSlow:
		rec := httptest.NewRecorder()
		next(rec, r)
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	case Drop:
		rec := httptest.NewRecorder()
		next(rec, r)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	default:
		return false
	}
	return true
}
