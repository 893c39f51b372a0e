package idempotency

import (
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
