// Package lru is the bounded, expiring, least-recently-used map the in-process copies
// use: the read cache's memory tier and the idempotency layer's completed turns.
package lru

import (
	"container/list"
	"sync"
	"time"
)

// Cache maps keys to values, each with an expiry, holding at most its size: adding
// past that drops the least recently used. It is safe for concurrent use.
type Cache[V any] struct {
	mu    sync.Mutex
	size  int
	order *list.List // front: most recent; values are *item[V]
	items map[string]*list.Element
}

type item[V any] struct {
	key     string
	value   V
	expires time.Time // zero: never
}

// New returns a cache of at most size entries (at least one). Its map grows with its
// entries: sized up front, the five caches a function builds at start (the read
// cache's two, the engine's, the idempotency layer's) cost ~0.1 ms of its cold start
// for entries a Lambda instance may never hold.
func New[V any](size int) *Cache[V] {
	size = max(size, 1)
	return &Cache[V]{size: size, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns key's value unless it is missing or has expired by now (an expired
// entry is dropped).
func (c *Cache[V]) Get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[key]
	if !ok {
		return zero, false
	}
	it := el.Value.(*item[V])
	if !it.expires.IsZero() && !now.Before(it.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return zero, false
	}
	c.order.MoveToFront(el)
	return it.value, true
}

// Put sets key's value and expiry (zero: never), making it the most recently used.
func (c *Cache[V]) Put(key string, v V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		*el.Value.(*item[V]) = item[V]{key, v, expires}
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&item[V]{key, v, expires})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*item[V]).key)
	}
}

// Len is the number of entries held (expired ones included until met).
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
