package security

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a set of token buckets keyed by a client address or a session id. Idle
// buckets are dropped so that the set stays bounded by the active keys.
type Limiter struct {
	rate  rate.Limit
	burst int
	idle  time.Duration
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// NewLimiter returns a limiter of perSecond with burst; perSecond < 0 disables it (Allow
// is always true) and a nil *Limiter allows everything too.
func NewLimiter(perSecond float64, burst int, idle time.Duration) *Limiter {
	if perSecond < 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	if idle <= 0 {
		idle = 10 * time.Minute
	}
	return &Limiter{rate: rate.Limit(perSecond), burst: burst, idle: idle, now: time.Now, buckets: map[string]*bucket{}}
}

// Allow takes one token from key's bucket.
func (l *Limiter) Allow(key string) bool {
	if l == nil || key == "" {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.idle {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > l.idle {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{l: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.l.AllowN(now, 1)
}

// Len is the number of live buckets.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
