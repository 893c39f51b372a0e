package idempotency

import (
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/lru"
)

// replies is the in-process copy of completed turns' replies, keyed like the store. An
// entry is only ever a copy of a COMPLETED record, which the store never changes before
// it expires, so a copy is as good as the record until the record's own expiration. A
// nil *replies holds nothing.
type replies struct{ c *lru.Cache[replyEntry] }

type replyEntry struct {
	hash  string
	reply conversation.Reply
}

func newReplies(size int) *replies { return &replies{lru.New[replyEntry](size)} }

// get returns the entry for key unless it has expired by now.
func (r *replies) get(key string, now time.Time) (replyEntry, bool) {
	if r == nil {
		return replyEntry{}, false
	}
	e, ok := r.c.Get(key, now)
	if ok {
		e.reply = cloneReply(e.reply)
	}
	return e, ok
}

// put keeps a completed turn's reply until expires.
func (r *replies) put(key, hash string, reply conversation.Reply, expires time.Time) {
	if r == nil {
		return
	}
	r.c.Put(key, replyEntry{hash: hash, reply: cloneReply(reply)}, expires)
}

// cloneReply copies what a reply shares by reference (messages, slot values), so no
// caller's change reaches the copy kept here or another caller's.
func cloneReply(r conversation.Reply) conversation.Reply {
	r.Messages = append([]string(nil), r.Messages...)
	if r.SetSlots != nil {
		slots := make(map[string]*string, len(r.SetSlots))
		for k, v := range r.SetSlots {
			if v != nil {
				v = conversation.Value(*v)
			}
			slots[k] = v
		}
		r.SetSlots = slots
	}
	return r
}

// flights are the turns this process is running, by key. A delivery of a turn this
// process is already running (a platform's retry reaching the same server while the
// first delivery works) waits for the first in memory and gets its reply, instead of
// claiming the key in the store and polling it. On Lambda an instance runs one
// request at a time, so this only matters for `switchboard serve`.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	hash  string
	done  chan struct{}
	reply conversation.Reply
}

// join returns the flight running key, or starts one (first: the caller runs the turn
// and must call land).
func (f *flights) join(key, hash string) (fl *flight, first bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.m[key]; ok {
		return fl, false
	}
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	fl = &flight{hash: hash, done: make(chan struct{})}
	f.m[key] = fl
	return fl, true
}

// land records the first delivery's reply and releases the deliveries waiting for it.
func (f *flights) land(key string, fl *flight, reply conversation.Reply) {
	f.mu.Lock()
	delete(f.m, key)
	f.mu.Unlock()
	fl.reply = cloneReply(reply)
	close(fl.done)
}
