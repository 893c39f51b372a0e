package resilience

import (
	"context"
	"time"
)

// BreakerState is the state of a tool's circuit breaker.
type BreakerState int

// Breaker states.
const (
	BreakerClosed BreakerState = iota
	BreakerHalfOpen
	BreakerOpen
)

func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerHalfOpen:
		return "half_open"
	case BreakerOpen:
		return "open"
	}
	return "unknown"
}

// CallInfo describes one attempt of one outbound call, including attempts the policy
// refused before reaching the tool (breaker open, limiter, bulkhead).
type CallInfo struct {
	Tool string
	Op   string
	// Attempt is 1 for the first try, 2 for the first retry, …
	Attempt int
	Latency time.Duration
	// Err is the attempt's error (a *connector.Error in almost every case), nil on
	// success.
	Err error
	// BreakerState is the breaker's state after the attempt.
	BreakerState BreakerState
}

// Observer receives call and breaker events; the telemetry package implements it.
// Methods are called synchronously on the caller's goroutine and must not block.
type Observer interface {
	OnCall(ctx context.Context, info CallInfo)
	OnBreakerChange(tool string, from, to BreakerState)
}

type nopObserver struct{}

func (nopObserver) OnCall(context.Context, CallInfo)                   {}
func (nopObserver) OnBreakerChange(string, BreakerState, BreakerState) {}
