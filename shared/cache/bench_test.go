package cache_test

import (
	"context"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/cache"
)

// BenchmarkHit is a fresh answer served without the tool: from the in-memory LRU
// ("memory-only"), and from each store with the LRU too small to hold the two keys the
// loop alternates, so every lookup goes to the store.
func BenchmarkHit(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b, nil)
			size := 1000
			if s != nil {
				size = 1
			}
			tool := &crm{plan: "Pro"}
			dir := cache.New(s, cache.Options{Size: size}).Customers("crm", tool, policy)
			ctx := context.Background()
			emails := []string{"ada@example.com", "grace@example.com"}
			for _, e := range emails {
				if _, err := dir.FindCustomerByEmail(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dir.FindCustomerByEmail(ctx, emails[i%2]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			if tool.calls.Load() != 2 {
				b.Fatalf("tool called %d times, want 2", tool.calls.Load())
			}
		})
	}
}
