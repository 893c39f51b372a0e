package idempotency

import (
	"container/list"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// replies is a bounded LRU of completed turns' replies, keyed like the store. An entry
// is only ever a copy of a COMPLETED record, which the store never changes before it
// expires, so a copy is as good as the record until the record's own expiration. A
// nil *replies holds nothing.
type replies struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently used; values are *replyEntry
	byKey map[string]*list.Element
}

type replyEntry struct {
	key     string
	hash    string
	reply   conversation.Reply
	expires time.Time
}

func newReplies(max int) *replies {
	return &replies{max: max, order: list.New(), byKey: make(map[string]*list.Element, max)}
}

// get returns the entry for key unless it has expired by now.
func (r *replies) get(key string, now time.Time) (replyEntry, bool) {
	if r == nil {
		return replyEntry{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	el, ok := r.byKey[key]
	if !ok {
		return replyEntry{}, false
	}
	e := el.Value.(*replyEntry)
	if !now.Before(e.expires) {
		r.order.Remove(el)
		delete(r.byKey, key)
		return replyEntry{}, false
	}
	r.order.MoveToFront(el)
	out := *e
	out.reply = cloneReply(e.reply)
	return out, true
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

// put keeps a completed turn's reply until expires, evicting the least recently used
// entry when full.
func (r *replies) put(key, hash string, reply conversation.Reply, expires time.Time) {
	if r == nil {
		return
	}
	reply = cloneReply(reply)
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.byKey[key]; ok {
		*el.Value.(*replyEntry) = replyEntry{key, hash, reply, expires}
		r.order.MoveToFront(el)
		return
	}
	r.byKey[key] = r.order.PushFront(&replyEntry{key, hash, reply, expires})
	for r.order.Len() > r.max {
		last := r.order.Back()
		r.order.Remove(last)
		delete(r.byKey, last.Value.(*replyEntry).key)
	}
}
