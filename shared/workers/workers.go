// Package workers runs functions on long-lived goroutines. A goroutine started per
// turn begins with a small stack and grows it (copying it each time it doubles) on
// every turn; a worker that ran a turn before keeps the stack it grew. In
// BenchmarkTurn the per-turn goroutines' stack growth was about a tenth of a turn's
// CPU. Idle workers exit after a while, so a burst leaves nothing behind.
package workers

import (
	"sync"
	"sync/atomic"
	"time"
)

// idle is how long, in nanoseconds, a worker waits for its next function before it
// exits (30 s; setIdle changes it for the tests).
var idle atomic.Int64

func init() { idle.Store(int64(30 * time.Second)) }

// setIdle sets the idle wait to d, wakes the sweeper to use it at once, and returns
// the wait it replaces.
func setIdle(d time.Duration) time.Duration {
	old := time.Duration(idle.Swap(int64(d)))
	select {
	case kick <- struct{}{}:
	default:
	}
	return old
}

// kick wakes the sweeper before its next tick (setIdle).
var kick = make(chan struct{}, 1)

// jobs hands a function to a worker waiting for one; unbuffered, so a send succeeds
// only when a worker is idle. A nil function is the sweeper's question to an idle
// worker: exit if you have waited idle long enough.
var jobs = make(chan func())

// Go runs f on a goroutine other than the caller's, as `go f()` does: on an idle
// worker when there is one, else on a new worker, which then stays for the next
// functions. f must not panic (recover inside it, as a `go` statement's function
// must).
func Go(f func()) {
	select {
	case jobs <- f:
	default:
		start(f)
	}
}

// pool counts the workers alive and whether the sweeper runs.
var pool struct {
	sync.Mutex
	workers  int
	sweeping bool
}

func start(f func()) {
	pool.Lock()
	pool.workers++
	if !pool.sweeping {
		pool.sweeping = true
		go sweep()
	}
	pool.Unlock()
	go work(f)
}

// work runs f, then the functions handed to it, until it has waited idle for one.
// It waits on jobs alone: a receive that a select with a timer would make dearer on
// every turn (the runtime adds a channel timer to its heap each time a goroutine
// blocks on it). The sweeper asks idle workers to check their wait instead.
func work(f func()) {
	for {
		f()
		f = nil // let what it holds go while the worker waits
		last := time.Now()
		for f = <-jobs; f == nil; f = <-jobs {
			if time.Since(last) >= time.Duration(idle.Load()) {
				pool.Lock()
				pool.workers--
				pool.Unlock()
				return
			}
		}
	}
}

// sweep asks the idle workers, every half idle wait, whether they have waited long
// enough (a nil job each: the receive queue is first come, first served, so n sends
// reach n different waiting workers), and ends once no worker is left: a worker exits
// between idle and 1.5 idle waits after its last function.
func sweep() {
	t := time.NewTimer(time.Duration(idle.Load()) / 2)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-kick:
		}
		t.Reset(time.Duration(idle.Load()) / 2)
		pool.Lock()
		n := pool.workers
		if n == 0 {
			pool.sweeping = false
			pool.Unlock()
			return
		}
		pool.Unlock()
	ask:
		for range n {
			select {
			case jobs <- nil:
			default:
				break ask // no worker is waiting
			}
		}
	}
}
