package turntrace

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestAddRecordsOnlyWithARecorder(t *testing.T) {
	Add(context.Background(), KindTool, "x", time.Millisecond) // no recorder: nothing, no panic
	r := New()
	base := r.start
	clock := base.Add(10 * time.Millisecond)
	r.now = func() time.Time { return clock }
	ctx := With(context.Background(), r)
	Add(ctx, KindTool, "demo.find_customer", 4*time.Millisecond, "attempt", "1", "dangling")
	Add(ctx, KindCache, "demo", 0, "decision", "hit")
	ev := r.Events()
	if len(ev) != 2 {
		t.Fatalf("events %+v", ev)
	}
	if ev[0].AtMS != 6 || ev[0].DurationMS != 4 || ev[0].Detail["attempt"] != "1" || len(ev[0].Detail) != 1 {
		t.Errorf("tool event %+v", ev[0])
	}
	if ev[1].AtMS != 10 || ev[1].Detail["decision"] != "hit" {
		t.Errorf("cache event %+v", ev[1])
	}
}

func TestConcurrentAdds(t *testing.T) {
	r := New()
	ctx := With(context.Background(), r)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { Add(ctx, KindTool, "t", 0) })
	}
	wg.Wait()
	if n := len(r.Events()); n != 8 {
		t.Fatalf("%d events", n)
	}
}

func BenchmarkAddWithoutRecorder(b *testing.B) {
	ctx := context.WithValue(context.Background(), struct{ k int }{1}, 1)
	for b.Loop() {
		Add(ctx, KindCache, "demo", 0, "decision", "miss")
	}
}
