package main

import (
	"fmt"
	"time"
)

// figDupLoaded is the loaded duplicates row: same-process duplicates arriving while
// their first delivery is still being answered, under load.
const figDupLoaded = "DynamoDB calls per duplicate, same process, loaded (each new create_ticket turn delivered twice at once; generator and server on both cores)"

// loadedDuplicates measures what a duplicate costs in DynamoDB calls when it reaches
// the process that is still answering its first delivery, under load: turns new
// turns are sent once (phase "once"), then turns other new turns are each sent twice
// back to back by a closed loop of o.concurrency workers (phase "twice": the two
// deliveries of a turn are in flight together). Both phases run on the same table
// through the counting proxy, so the calls of the twice phase beyond those of the once
// phase are what the duplicates cost. Under load a turn can be answered at its
// deadline while its handler still claims or completes the record, so each phase's
// count is taken once the calls have stopped (settle), not when its last reply came.
// Target 0: a duplicate waits for its first delivery in memory and takes the reply
// from the process's copy.
func loadedDuplicates(o *options, r *report, sec string, proxy *countingProxy, endpoint string, b bodies, turns int, first uint64) {
	workers := max(o.concurrency, 2)
	c0 := settle(proxy)
	once := attack("switchboard-once", endpoint, b, workers, 60*time.Second, turns, first)
	c1 := settle(proxy)
	twice := b
	twice.each = 2
	// Turn ids first/2+turns … (distinct from the once phase's): request n carries turn
	// (first+2·turns+n)/2, so requests 2k and 2k+1 are one turn.
	dup := attack("switchboard-twice", endpoint, twice, workers, 60*time.Second, 2*turns, first+2*uint64(turns))
	c2 := settle(proxy)
	if f := once.failure(); f != "" {
		r.missing(sec, figDupLoaded, "0", "new turns: "+f)
		return
	}
	if f := dup.failure(); f != "" {
		r.missing(sec, figDupLoaded, "0", "turns delivered twice: "+f)
		return
	}
	onceCalls, twiceCalls := since(c1, c0), since(c2, c1)
	extra := twiceCalls.total() - onceCalls.total()
	r.check(sec, figDupLoaded, fmt.Sprintf("%.2f (%d turns delivered twice at once: %s per turn; the same number delivered once: %s per turn; c=%d)",
		float64(extra)/float64(turns), turns, twiceCalls.per(uint64(turns)), onceCalls.per(uint64(turns)), workers),
		"0", extra == 0)
}

// settle returns the proxy's counts once no call has arrived for half a second (at
// most 60 s): the calls a phase's handlers make after its replies are its own.
func settle(proxy *countingProxy) map[string]int {
	last := proxy.snapshot()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		now := proxy.snapshot()
		if fmt.Sprint(now) == fmt.Sprint(last) {
			return now
		}
		last = now
	}
	return last
}
