package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSequentialFunctionsReuseAWorker: functions run one after another take the idle
// worker instead of starting goroutines of their own.
func TestSequentialFunctionsReuseAWorker(t *testing.T) {
	done := make(chan struct{})
	Go(func() { done <- struct{}{} })
	<-done
	before := runtime.NumGoroutine()
	for range 200 {
		Go(func() { done <- struct{}{} })
		<-done
	}
	// The worker that ran the last function may not yet be back at its receive when
	// the next Go looks; at most a few extra workers, never one per function.
	if after := runtime.NumGoroutine(); after-before > 5 {
		t.Fatalf("%d goroutines after 200 sequential functions, %d before: workers are not reused", after, before)
	}
}

// TestConcurrentFunctionsAllRun: functions that wait for each other all run at once
// (a busy worker never holds another function back).
func TestConcurrentFunctionsAllRun(t *testing.T) {
	const n = 50
	var started sync.WaitGroup
	started.Add(n)
	release := make(chan struct{})
	var ran atomic.Int32
	var finished sync.WaitGroup
	finished.Add(n)
	for range n {
		Go(func() {
			defer finished.Done()
			started.Done()
			<-release
			ran.Add(1)
		})
	}
	started.Wait() // every function is running at the same time
	close(release)
	finished.Wait()
	if ran.Load() != n {
		t.Fatalf("%d of %d ran", ran.Load(), n)
	}
}

// deep uses a few KiB of stack, as a turn does.
//
//go:noinline
func deep(n int) int {
	var buf [512]byte
	buf[n%len(buf)] = byte(n)
	if n == 0 {
		return int(buf[0])
	}
	return deep(n-1) + int(buf[n%len(buf)])
}

func BenchmarkGo(b *testing.B) {
	done := make(chan struct{})
	f := func() { deep(40); done <- struct{}{} }
	b.Run("worker", func(b *testing.B) {
		for b.Loop() {
			Go(f)
			<-done
		}
	})
	b.Run("goroutine", func(b *testing.B) {
		for b.Loop() {
			go f()
			<-done
		}
	})
}

// TestIdleWorkersExit: workers, including one kept busy for longer than its idle wait
// (the sweeper asks it while it works, and it stays), exit once they have waited idle
// with nothing to run; the sweeper ends with the last of them.
func TestIdleWorkersExit(t *testing.T) {
	defer setIdle(setIdle(20 * time.Millisecond))
	idle := 20 * time.Millisecond
	before := runtime.NumGoroutine()
	// Eight at once: most on new workers (with the short wait).
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		Go(func() { defer wg.Done(); <-release })
	}
	close(release)
	wg.Wait()
	// One function after another for longer than the wait: the worker keeps running
	// them, its timer firing in between.
	done := make(chan struct{})
	// The sleep is the function's work, not a synchronisation: on a slower machine the
	// loop only runs longer, and the timer fires during it all the same.
	for end := time.Now().Add(5 * idle); time.Now().Before(end); {
		Go(func() { time.Sleep(idle / 4); done <- struct{}{} })
		<-done
	}
	// Poll for the workers to go: the 30 s is a hang guard, not a bound (they go about
	// one idle wait, 20 ms, after the last function). Not a synctest bubble: jobs is a
	// package-level channel, made outside any bubble, so a worker waiting on it is not
	// durably blocked and the bubble's clock would not move.
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines 30 s after the last function, %d before: idle workers did not exit", runtime.NumGoroutine(), before)
		}
		time.Sleep(idle)
	}
}
