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
// turns are each sent twice back to back by a closed loop of o.concurrency workers
// (the two deliveries of a turn in flight together), through the counting proxy. A
// turn's own work is one claim (TransactWriteItems) and one completion (UpdateItem),
// whichever delivery does it; what the duplicates cost is every other call: reads
// (polling a record), claims and completions beyond one per turn. Under load a turn can
// be answered at its deadline while its record is still being claimed or completed, so
// the count is taken once the calls have stopped (settle), not at the last reply. It
// returns the extra calls and the completions (a turn whose first delivery ran out of
// time leaves its record in progress: its duplicate cannot take a reply from memory).
// Target 0: a duplicate waits for its first delivery in memory and takes the reply from
// the process's copy.
func loadedDuplicates(o *options, r *report, sec string, proxy *countingProxy, endpoint string, b bodies, turns int, first uint64) (extra, completed int) {
	workers := max(o.concurrency, 2)
	twice := b
	twice.each = 2
	if first%2 != 0 {
		first++
	}
	// Request n carries turn (first+n)/2: requests 2k and 2k+1 are one turn.
	c0 := settle(proxy)
	dup := attack("switchboard-twice", endpoint, twice, workers, 60*time.Second, 2*turns, first)
	c := since(settle(proxy), c0)
	if f := dup.failure(); f != "" {
		r.missing(sec, figDupLoaded, "0", "turns delivered twice: "+f)
		return -1, 0
	}
	own := map[string]int{"TransactWriteItems": turns, "UpdateItem": turns}
	for op, n := range c {
		extra += max(n-own[op], 0)
	}
	completed = c["UpdateItem"]
	r.check(sec, figDupLoaded, fmt.Sprintf("%.2f (%d turns each delivered twice at once, c=%d: %s per turn; %d of %d records completed, the rest answered at their deadline)",
		float64(extra)/float64(turns), turns, workers, c.per(uint64(turns)), min(completed, turns), turns),
		"0", extra == 0)
	return extra, completed
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
