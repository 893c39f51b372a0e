// Package cache is the read cache in front of the business tools: decorators for the
// customer directory, the knowledge base and payment lookups that keep each answer in
// an in-memory LRU (per Lambda instance or server) and, when built with a store
// (store.cache.shared), in the store too (shared by every instance, deleted by TTL). Every value keeps its fetch time: a fresh one is served
// without calling the tool, and when the tool fails an older one is served instead of
// an apology, its age recorded through connector.NoteStale so the reply can say
// "as of 12 minutes ago".
package cache

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/lru"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/telemetry"
	"github.com/switchboard-dev/switchboard/shared/turntrace"
)

// keyKind is the kind segment of cache keys ("<function>#cache#<hash>").
const keyKind = "cache"

// Policy is how one capability is cached.
type Policy struct {
	// MaxAge is how old a value may be and still be served without asking the tool.
	// A negative MaxAge disables the cache for the capability (no reads, no writes).
	MaxAge time.Duration
	// StaleLimit is how old a value may be and still be served while the tool is
	// failing. Entries are kept in the store until then.
	StaleLimit time.Duration
}

// Policies are the three capabilities' policies.
type Policies struct {
	Customer, KB, PaymentStatus Policy
}

// Options configure a Cache. The zero value of every field is the documented default.
type Options struct {
	// Function is the key prefix of entries read outside a scoped turn (see WithScope;
	// default "switchboard").
	Function string
	// Size bounds the in-memory LRU (default 1000 entries).
	Size int
	// StoreTimeout bounds each store read or write, so a slow store costs the turn at
	// most this (default 150ms).
	StoreTimeout time.Duration
	// Identity returns the identity of a business tool's configuration (the tool and
	// its account or base URL, never a secret), which every key carries, so one
	// backend's data is never served as another's (default: the tool's name).
	Identity func(tool string) string
	// Observer counts hits, misses and stale answers (telemetry.Telemetry implements
	// it; none when nil).
	Observer telemetry.CacheObserver
	Now      func() time.Time
	Logger   *slog.Logger
}

type nopObserver struct{}

func (nopObserver) OnCache(context.Context, string, telemetry.CacheEvent) {}

// Cache holds the entries; the decorators share it. Safe for concurrent use.
type Cache struct {
	s   store.Store // nil: memory only
	lru *lru.Cache[entry]
	o   Options
	// changed holds, per record (an unscoped key, see changedKey), when this process
	// last changed it through a decorator (Customers' UpdateCustomer): an entry fetched
	// before then is never served, fresh or stale, whichever scope keyed it.
	changed *lru.Cache[time.Time]

	hits, storeHits, misses, stale atomic.Int64
}

// New returns a cache backed by s (nil for memory only).
func New(s store.Store, o Options) *Cache {
	if o.Function == "" {
		o.Function = "switchboard"
	}
	if o.Size <= 0 {
		o.Size = 1000
	}
	if o.StoreTimeout <= 0 {
		o.StoreTimeout = 150 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.Identity == nil {
		o.Identity = func(tool string) string { return tool }
	}
	return &Cache{s: s, lru: lru.New[entry](o.Size), o: o, changed: lru.New[time.Time](o.Size)}
}

// Stats counts how answers were served.
type Stats struct {
	// MemoryHits and StoreHits are fresh answers served without the tool; Misses went
	// to the tool; Stale are old answers served because the tool failed.
	MemoryHits, StoreHits, Misses, Stale int64
}

// Stats returns a snapshot of the counters.
func (c *Cache) Stats() Stats {
	return Stats{MemoryHits: c.hits.Load(), StoreHits: c.storeHits.Load(), Misses: c.misses.Load(), Stale: c.stale.Load()}
}

type entry struct {
	key       string
	value     any // the decoded value, so a memory hit costs no JSON decoding
	fetchedAt time.Time
	expires   time.Time
}

// fetch is the read path every decorator shares. servable says whether a value may be
// served fresh at all (a pending payment is always asked again); clone copies a value
// so callers cannot modify the cached one.
func fetch[T any](ctx context.Context, c *Cache, p Policy, tool, key string, servable func(T) bool, clone func(T) T,
	call func(context.Context) (T, error)) (T, error) {
	return fetchSince(ctx, c, p, tool, key, "", servable, clone, call)
}

// fetchSince is fetch for a record this process may have changed: changed is its
// changedKey ("" for none), and an entry fetched at or before the last change is
// ignored, as if absent.
func fetchSince[T any](ctx context.Context, c *Cache, p Policy, tool, key, changed string, servable func(T) bool, clone func(T) T,
	call func(context.Context) (T, error)) (T, error) {
	if p.MaxAge < 0 {
		return call(ctx)
	}
	start := c.o.Now()
	e, fromStore, ok := lookup[T](ctx, c, key, start, p.MaxAge)
	if ok && changed != "" {
		if at, was := c.changed.Get(changed, start); was && !e.fetchedAt.After(at) {
			ok = false
		}
	}
	if ok && start.Sub(e.fetchedAt) <= p.MaxAge && servable(e.value.(T)) {
		if fromStore {
			c.storeHits.Add(1)
		} else {
			c.hits.Add(1)
		}
		c.o.Observer.OnCache(ctx, tool, telemetry.CacheHit)
		turntrace.Add(ctx, turntrace.KindCache, tool, 0, "decision", "hit", "from", hitFrom(fromStore))
		return clone(e.value.(T)), nil
	}
	c.misses.Add(1)
	c.o.Observer.OnCache(ctx, tool, telemetry.CacheMiss)
	turntrace.Add(ctx, turntrace.KindCache, tool, 0, "decision", "miss")
	v, err := call(ctx)
	if err == nil {
		c.save(ctx, p, key, v, start)
		return v, nil
	}
	if ok && resilience.Transient(err) && c.o.Now().Sub(e.fetchedAt) <= p.StaleLimit {
		c.stale.Add(1)
		connector.NoteStale(ctx, e.fetchedAt)
		c.o.Observer.OnCache(ctx, tool, telemetry.CacheStale)
		turntrace.Add(ctx, turntrace.KindCache, tool, 0, "decision", "stale")
		c.o.Logger.LogAttrs(ctx, slog.LevelWarn, "cache: serving a stale answer while the tool fails",
			slog.String("tool", tool), slog.Duration("age", c.o.Now().Sub(e.fetchedAt)), slog.String("error_class", connector.KindOf(err).String()))
		return clone(e.value.(T)), nil
	}
	var zero T
	return zero, err
}

// lookup returns the freshest entry known: the memory one when it is fresh enough,
// else the store's when it is newer (another instance may have refreshed it).
func lookup[T any](ctx context.Context, c *Cache, key string, now time.Time, maxAge time.Duration) (entry, bool, bool) {
	mem, memOK := c.lru.Get(key, now)
	if (memOK && now.Sub(mem.fetchedAt) <= maxAge) || c.s == nil {
		return mem, false, memOK
	}
	sctx, cancel := context.WithTimeout(ctx, c.o.StoreTimeout)
	rec, err := c.s.Get(sctx, key)
	cancel()
	if err != nil {
		return mem, false, memOK
	}
	var v T
	if err := json.Unmarshal(rec.Data, &v); err != nil || rec.FetchedAt.IsZero() {
		c.o.Logger.LogAttrs(ctx, slog.LevelWarn, "cache: unreadable store entry ignored", slog.Any("error", err))
		return mem, false, memOK
	}
	if memOK && !rec.FetchedAt.After(mem.fetchedAt) {
		return mem, false, true
	}
	e := entry{key: key, value: v, fetchedAt: rec.FetchedAt, expires: rec.Expiration}
	c.lru.Put(key, e, e.expires)
	return e, true, true
}

func (c *Cache) save(ctx context.Context, p Policy, key string, v any, fetchedAt time.Time) {
	e := entry{key: key, value: v, fetchedAt: fetchedAt, expires: fetchedAt.Add(max(p.StaleLimit, p.MaxAge))}
	c.lru.Put(key, e, e.expires)
	if c.s == nil {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.o.StoreTimeout)
	defer cancel()
	if err := c.s.Put(sctx, store.Record{Key: key, Data: data, FetchedAt: fetchedAt, Expiration: e.expires}); err != nil {
		c.o.Logger.LogAttrs(ctx, slog.LevelWarn, "cache: store write failed; the entry stays in memory only", slog.Any("error", err))
	}
}

// Key is the store key of one cached answer: "<scope>#cache#<hash>", where the scope
// is the one ctx carries (see WithScope) or else Options.Function. Arguments are
// normalized (trimmed, lower case) and hashed, so no email or search text is stored in
// the clear.
func (c *Cache) Key(ctx context.Context, capability string, args ...string) string {
	prefix, _ := ctx.Value(scopeKey{}).(string)
	if prefix == "" {
		prefix = c.o.Function
	}
	norm := make([]string, len(args))
	for i, a := range args {
		norm[i] = strings.ToLower(strings.Join(strings.Fields(a), " "))
	}
	return store.Key(prefix, keyKind, append([]string{capability}, norm...)...)
}

// ToolKey is Key for an answer of tool: the tool's identity (Options.Identity) is
// part of the key.
func (c *Cache) ToolKey(ctx context.Context, tool, capability string, args ...string) string {
	return c.Key(ctx, capability, append([]string{"tool=" + c.o.Identity(tool)}, args...)...)
}

// changedKey names a record whatever the scope: the tool's identity, the capability
// and the arguments, as ToolKey has them.
func (c *Cache) changedKey(tool, capability string, args ...string) string {
	return c.ToolKey(WithScope(context.Background(), "changed"), tool, capability, args...)
}

// markChanged records that the record changedKey names was changed now: every entry
// fetched before is ignored from now on. The mark outlives the longest entry.
func (c *Cache) markChanged(p Policy, key string) {
	now := c.o.Now()
	c.changed.Put(key, now, now.Add(max(p.StaleLimit, p.MaxAge, time.Minute)))
}

type scopeKey struct{}

// WithScope returns a context whose cache entries are keyed under prefix. On AWS each
// function's role may only touch items whose key starts with "<its intent>#", so the
// entries a turn reads and writes must be scoped to the turn's intent.
func WithScope(ctx context.Context, prefix string) context.Context {
	return context.WithValue(ctx, scopeKey{}, prefix)
}

// Scoped is a conversation.Handler middleware that scopes each turn's cache entries to
// its intent (see WithScope).
func Scoped(next conversation.Handler) conversation.Handler {
	return conversation.HandlerFunc(func(ctx context.Context, t conversation.Turn) conversation.Reply {
		if t.Intent != "" {
			ctx = WithScope(ctx, string(t.Intent))
		}
		return next.Handle(ctx, t)
	})
}

// hitFrom names where a cache hit came from, for the turn trace.
func hitFrom(fromStore bool) string {
	if fromStore {
		return "store"
	}
	return "process"
}
