package secrets

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// defaultMaxAge is how long a fetched secret is served from memory before the next Get
// fetches it again.
const defaultMaxAge = 5 * time.Minute

// Fetcher reads one secret from its source, with no caching. version identifies the
// secret's current value (Secrets Manager's VersionId; may be empty).
type Fetcher interface {
	Fetch(ctx context.Context, id string) (s Secret, version string, err error)
}

// FetcherFunc adapts a function to Fetcher.
type FetcherFunc func(ctx context.Context, id string) (Secret, string, error)

// Fetch calls f.
func (f FetcherFunc) Fetch(ctx context.Context, id string) (Secret, string, error) { return f(ctx, id) }

// Cache is a Provider over a Fetcher: it keeps each secret in memory for MaxAge, makes
// concurrent callers of one id share one fetch, and lets Refresh bypass the cache.
type Cache struct {
	src    Fetcher
	maxAge time.Duration
	now    func() time.Time

	// staleFor is how long past maxAge an entry may still be served when the source
	// cannot be reached (0: never); onStale is told each time it is.
	staleFor time.Duration
	onStale  func(id string, age time.Duration, err error)

	mu      sync.Mutex
	entries map[string]entry
	flight  singleflight.Group
}

type entry struct {
	s       Secret
	version string
	// started is when the fetch that produced this entry began: a slow fetch that
	// started before a Refresh must not overwrite the Refresh's newer value.
	started time.Time
}

// NewCache caches src's secrets for maxAge (defaultMaxAge when zero or negative).
func NewCache(src Fetcher, maxAge time.Duration) *Cache {
	if maxAge <= 0 {
		maxAge = defaultMaxAge
	}
	return &Cache{src: src, maxAge: maxAge, now: time.Now, entries: map[string]entry{}}
}

// Get returns the cached secret while it is younger than the max age, else fetches it.
// When the fetch fails because the source cannot be reached (KindUnavailable) and the
// cache holds a copy younger than max age + the stale allowance, that copy is served:
// an outage of the secret store does not take down tools whose credentials still work.
// (Refresh never serves a stale copy: it is called because a tool refused the current
// one.)
func (c *Cache) Get(ctx context.Context, id string) (Secret, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	age := c.now().Sub(e.started)
	if ok && age < c.maxAge {
		return e.s, nil
	}
	s, err := c.fetch(ctx, "get\x00"+id, id)
	var se *Error
	if err != nil && ok && age < c.maxAge+c.staleFor && errors.As(err, &se) && se.Kind == KindUnavailable {
		if c.onStale != nil {
			c.onStale(id, age, err)
		}
		return e.s, nil
	}
	return s, err
}

// Refresh fetches id again whatever the cache holds. Concurrent Refresh calls for one id
// (every in-flight request answered 401 at once) share one fetch.
func (c *Cache) Refresh(ctx context.Context, id string) (Secret, error) {
	return c.fetch(ctx, "refresh\x00"+id, id)
}

// Version returns the version of the cached copy of id, if any.
func (c *Cache) Version(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	return e.version, ok
}

func (c *Cache) fetch(ctx context.Context, key, id string) (Secret, error) {
	ch := c.flight.DoChan(key, func() (any, error) {
		// The shared fetch must not die with the first caller's context: other
		// callers wait on it too. Each caller still stops waiting at its own deadline.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout(ctx))
		defer cancel()
		started := c.now()
		s, version, err := c.src.Fetch(fctx, id)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if old, ok := c.entries[id]; !ok || !old.started.After(started) {
			c.entries[id] = entry{s: s, version: version, started: started}
		}
		c.mu.Unlock()
		return s, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(Secret), nil
	case <-ctx.Done():
		return nil, &Error{ID: id, Kind: KindUnavailable, Err: ctx.Err()}
	}
}

// fetchTimeout bounds a shared fetch: the first caller's remaining time, at least a
// second, at most ten.
func fetchTimeout(ctx context.Context) time.Duration {
	d := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < d {
			d = left
		}
	}
	if d < time.Second {
		d = time.Second
	}
	return d
}
