package security

import "sync/atomic"

// Budget is a process-wide allowance of bytes being read, inflated and decoded at
// once. A webhook call reserves its worst case (the size its body may reach) before
// the body is read and releases it once the turn is decoded; a call that does not fit
// is refused at once rather than queued, so memory stays bounded by the budget
// whatever the number of connections. A nil *Budget allows everything.
type Budget struct {
	limit int64
	used  atomic.Int64
}

// NewBudget returns a budget of limit bytes; limit <= 0 means unlimited (nil).
func NewBudget(limit int64) *Budget {
	if limit <= 0 {
		return nil
	}
	return &Budget{limit: limit}
}

// Reserve takes n bytes from the budget, or reports false (and takes nothing) when
// they are not available. A reservation larger than the whole budget never succeeds.
func (b *Budget) Reserve(n int64) bool {
	if b == nil || n <= 0 {
		return true
	}
	for {
		used := b.used.Load()
		if used+n > b.limit {
			return false
		}
		if b.used.CompareAndSwap(used, used+n) {
			return true
		}
	}
}

// Release returns n bytes to the budget.
func (b *Budget) Release(n int64) {
	if b == nil || n <= 0 {
		return
	}
	b.used.Add(-n)
}

// InUse is the number of bytes reserved now.
func (b *Budget) InUse() int64 {
	if b == nil {
		return 0
	}
	return b.used.Load()
}

// Limit is the budget's size (0 when unlimited).
func (b *Budget) Limit() int64 {
	if b == nil {
		return 0
	}
	return b.limit
}
