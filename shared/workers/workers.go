// Package workers runs functions on long-lived goroutines. A goroutine started per
// turn begins with a small stack and grows it (copying it each time it doubles) on
// every turn; a worker that ran a turn before keeps the stack it grew. In
// BenchmarkTurn the per-turn goroutines' stack growth was about a tenth of a turn's
// CPU. Idle workers exit after a while, so a burst leaves nothing behind.
package workers

import "time"

// idle is how long a worker waits for its next function before it exits (a variable
// for the tests).
var idle = 30 * time.Second

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

// work runs f, then the functions handed to it, until it has waited idle for one.
// Its timer is not re-armed after each function (re-arming takes the runtime's timer
// lock, a busy worker would do it on every turn): when it fires, a worker that ran a
// function since re-arms it for the rest of its wait, measured from that function's
// end.
func work(f func()) {
	wait := idle
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		f()
		f = nil // let what it holds go while the worker waits
		last := time.Now()
		for f == nil {
			select {
			case f = <-jobs:
			case <-t.C:
				rest := wait - time.Since(last)
				if rest <= 0 {
					return
				}
				t.Reset(rest)
			}
		}
	}
}
