// Package workers runs functions on long-lived goroutines. A goroutine started per
// turn begins with a small stack and grows it (copying it each time it doubles) on
// every turn; a worker that ran a turn before keeps the stack it grew. In
// BenchmarkTurn the per-turn goroutines' stack growth was about a tenth of a turn's
// CPU. Idle workers exit after a while, so a burst leaves nothing behind.
package workers

import "time"

// idle is how long a worker waits for its next function before it exits.
const idle = 30 * time.Second

// jobs hands a function to a worker waiting for one; unbuffered, so a send succeeds
// only when a worker is idle.
var jobs = make(chan func())

// Go runs f on a goroutine other than the caller's, as `go f()` does: on an idle
// worker when there is one, else on a new worker, which then stays for the next
// functions. f must not panic (recover inside it, as a `go` statement's function
// must).
func Go(f func()) {
	select {
	case jobs <- f:
	default:
		go work(f)
	}
}

func work(f func()) {
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		f()
		f = nil // let what it holds go while the worker waits
		t.Reset(idle)
		select {
		case f = <-jobs:
		case <-t.C:
			return
		}
	}
}
