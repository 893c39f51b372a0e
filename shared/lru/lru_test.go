package lru

import (
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	now := time.Now()
	c := New[int](2)
	c.Put("a", 1, time.Time{})
	c.Put("b", 2, time.Time{})
	if v, ok := c.Get("a", now); !ok || v != 1 { // a is now the most recent
		t.Fatal("a missing")
	}
	c.Put("c", 3, time.Time{})
	if _, ok := c.Get("b", now); ok {
		t.Error("b should have been evicted")
	}
	if _, ok := c.Get("a", now); !ok {
		t.Error("a evicted although used more recently than b")
	}
	c.Put("a", 10, time.Time{})
	if v, _ := c.Get("a", now); v != 10 || c.Len() != 2 {
		t.Errorf("update: a = %d, len %d", v, c.Len())
	}
}

func TestExpiry(t *testing.T) {
	now := time.Now()
	c := New[string](4)
	c.Put("k", "v", now.Add(time.Minute))
	if _, ok := c.Get("k", now.Add(59*time.Second)); !ok {
		t.Error("expired early")
	}
	if _, ok := c.Get("k", now.Add(time.Minute)); ok {
		t.Error("served at its expiry")
	}
	if c.Len() != 0 {
		t.Error("expired entry kept")
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New[int](64)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				k := strconv.Itoa((g*1000 + i) % 100)
				c.Put(k, i, time.Time{})
				c.Get(k, time.Now())
			}
		}()
	}
	wg.Wait()
	if c.Len() > 64 {
		t.Fatalf("len %d over the bound", c.Len())
	}
}

// TestNewAllocatesForEntriesNotSize: a cache's memory follows what it holds, not its
// bound, so building the caches at a function's start costs no memory (or time) for
// entries it may never hold.
func TestNewAllocatesForEntriesNotSize(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c := New[struct{}](100000)
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<10 {
		t.Errorf("New(100000) allocated %d bytes, want a few hundred", got)
	}
	for i := range 100 {
		c.Put(strconv.Itoa(i), struct{}{}, time.Time{})
	}
	if c.Len() != 100 {
		t.Errorf("len %d, want 100", c.Len())
	}
}
