package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// loadResult is one closed-loop run.
type loadResult struct {
	Requests   uint64
	OK         uint64 // HTTP 200
	Throughput float64
	P50, P95   time.Duration
	P99        time.Duration
	Errors     []string
	Took       time.Duration
}

func (l loadResult) String() string {
	return fmt.Sprintf("%.0f req/s, p50 %s, p95 %s, p99 %s (%d requests)",
		l.Throughput, ms(l.P50), ms(l.P95), ms(l.P99), l.Requests)
}

// failure says why a run cannot be trusted, or "" when every request got a 200.
func (l loadResult) failure() string {
	switch {
	case l.Requests == 0:
		return "no request completed"
	case l.OK != l.Requests:
		msg := fmt.Sprintf("%d of %d requests failed", l.Requests-l.OK, l.Requests)
		if len(l.Errors) > 0 {
			msg += ": " + l.Errors[0]
		}
		return msg
	}
	return ""
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
}

// bodies makes request bodies: the sample event with its turn id replaced by a fresh
// one of the same length, so each request is a new turn of the same size.
type bodies struct {
	event []byte
	id    []byte // the turn id as it appears in the event ("" = send the event as is)
	// each is how many consecutive requests carry one turn id (0 or 1: every request
	// a turn of its own; 2: requests 2k and 2k+1 are one turn delivered twice).
	each uint64
}

func (b bodies) nth(n uint64) []byte {
	if len(b.id) == 0 {
		return b.event
	}
	if b.each > 1 {
		n /= b.each
	}
	return bytes.ReplaceAll(b.event, b.id, turnID(n, len(b.id)))
}

// turnID is a deterministic id of exactly width bytes for request n.
func turnID(n uint64, width int) []byte {
	s := "bench-" + strconv.FormatUint(n, 36) + "-"
	for len(s) < width {
		s += "0"
	}
	return []byte(s[:width])
}

// attack drives url with POSTs in closed loop: workers requests in flight, each
// worker sending its next request as soon as the previous one answers, until dur has
// passed or max requests were sent. first is the number of the first turn id, so two
// runs can send the same turns (first equal) or distinct ones.
func attack(name, url string, b bodies, workers int, dur time.Duration, max int, first uint64) loadResult {
	var seq atomic.Uint64
	hdr := http.Header{"Content-Type": []string{"application/json"}}
	targeter := func(t *vegeta.Target) error {
		n := seq.Add(1) - 1
		if n >= uint64(max) {
			return vegeta.ErrNoTargets
		}
		*t = vegeta.Target{Method: http.MethodPost, URL: url, Body: b.nth(first + n), Header: hdr}
		return nil
	}
	atk := vegeta.NewAttacker(
		vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)),
		vegeta.Connections(workers), vegeta.MaxConnections(workers),
		vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second), vegeta.MaxBody(1<<20),
	)
	var m vegeta.Metrics
	var res loadResult
	start := time.Now()
	for r := range atk.Attack(targeter, vegeta.Rate{Freq: 0}, dur, name) {
		if r.Error == vegeta.ErrNoTargets.Error() && r.Code == 0 {
			continue
		}
		m.Add(r)
		if r.Code == http.StatusOK && r.Error == "" {
			res.OK++
		}
	}
	m.Close()
	res.Took = time.Since(start)
	res.Requests = m.Requests
	res.P50, res.P95, res.P99 = m.Latencies.P50, m.Latencies.P95, m.Latencies.P99
	// Throughput over the wall time of the run: successful requests per second.
	if secs := m.Duration.Seconds() + m.Wait.Seconds(); secs > 0 {
		res.Throughput = float64(res.OK) / secs
	}
	res.Errors = m.Errors
	return res
}

var errNotReady = errors.New("not ready")
