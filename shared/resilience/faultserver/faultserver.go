// Package faultserver is an in-process HTTP server that stands in for a business tool
// and misbehaves on cue: down (connection dropped), slow, a 429 storm with Retry-After,
// a 5xx burst, or a malformed body. Healthy answers come from the handler the test
// gives it (for example Stripe's documented PaymentIntent JSON), error answers use
// Stripe's documented error shape, which most JSON APIs resemble closely enough for a
// client to classify by status. Fault tests for the resilience layer and the end-to-end
// fault suite use it.
package faultserver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is how the server answers a request.
type Fault int

// Faults.
const (
	// OK passes the request to the healthy handler.
	OK Fault = iota
	// Down drops the connection without an answer (what a crashed process or a reset
	// load balancer looks like to a client).
	Down
	// Slow waits Server.Delay (or until the client gives up), then answers healthily.
	Slow
	// RateLimited answers 429 with Retry-After: Server.RetryAfter seconds.
	RateLimited
	// ServerError answers 503.
	ServerError
	// Malformed answers 200 with a truncated JSON body.
	Malformed
)

var names = map[Fault]string{OK: "ok", Down: "down", Slow: "slow", RateLimited: "rate_limited", ServerError: "server_error", Malformed: "malformed"}

func (f Fault) String() string { return names[f] }

// Server is a misbehaving tool. Set the standing fault with Set, queue one-off faults
// for the next requests with Next. Safe for concurrent use.
type Server struct {
	*httptest.Server
	healthy http.Handler

	mu         sync.Mutex
	fault      Fault
	queue      []Fault
	delay      time.Duration
	retryAfter int

	hits atomic.Int64
}

// New starts a server answering healthy requests with h. Close it when done (t.Cleanup).
func New(h http.Handler) *Server {
	s := &Server{healthy: h, delay: 10 * time.Second, retryAfter: 1}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Set makes f the standing fault.
func (s *Server) Set(f Fault) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// Next queues faults for the next requests, one each, before the standing fault
// applies again.
func (s *Server) Next(fs ...Fault) {
	s.mu.Lock()
	s.queue = append(s.queue, fs...)
	s.mu.Unlock()
}

// SetDelay sets how long Slow waits (default 10 s).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// SetRetryAfter sets the Retry-After seconds of RateLimited (default 1; 0 omits the
// header).
func (s *Server) SetRetryAfter(seconds int) {
	s.mu.Lock()
	s.retryAfter = seconds
	s.mu.Unlock()
}

// Hits is the number of requests that reached the server.
func (s *Server) Hits() int64 { return s.hits.Load() }

func (s *Server) take() (Fault, time.Duration, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fault
	if len(s.queue) > 0 {
		f, s.queue = s.queue[0], s.queue[1:]
	}
	return f, s.delay, s.retryAfter
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	f, delay, retryAfter := s.take()
	switch f {
	case Down:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler)
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	case Slow:
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
			s.healthy.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	case RateLimited:
		if retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		writeJSON(w, http.StatusTooManyRequests,
			`{"error":{"code":"rate_limit","message":"Too many requests hit the API too quickly.","type":"invalid_request_error"}}`)
	case ServerError:
		writeJSON(w, http.StatusServiceUnavailable, `{"error":{"message":"The service is temporarily unavailable.","type":"api_error"}}`)
	case Malformed:
		writeJSON(w, http.StatusOK, `{"id": "x", "object": "payment_intent", "amount": 20`)
	default:
		s.healthy.ServeHTTP(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}
