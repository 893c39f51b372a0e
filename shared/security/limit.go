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

// Uploads caps the webhook bodies one client address may be sending at once. A body
// counts from the moment its reading starts until it has arrived (or is refused), not
// while its turn runs, so a platform sending many small calls from one address is
// never near the cap; a client holding connections open with bodies that do not come
// is. A nil *Uploads allows everything.
type Uploads struct {
	max int

	mu sync.Mutex
	n  map[string]int
}

// newUploads returns a cap of max bodies per source; max <= 0 disables it (nil).
func newUploads(max int) *Uploads {
	if max <= 0 {
		return nil
	}
	return &Uploads{max: max, n: map[string]int{}}
}

// Start counts one more body from source, or reports false when source already sends
// the maximum (and counts nothing). Every true is followed by one Done.
func (u *Uploads) Start(source string) bool {
	if u == nil {
		return true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.n[source] >= u.max {
		return false
	}
	u.n[source]++
	return true
}

// Done ends a body counted by Start.
func (u *Uploads) Done(source string) {
	if u == nil {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.n[source] <= 1 {
		delete(u.n, source)
		return
	}
	u.n[source]--
}

// Active is the number of bodies being received from source now.
func (u *Uploads) Active(source string) int {
	if u == nil {
		return 0
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.n[source]
}
