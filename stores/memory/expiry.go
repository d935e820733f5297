package memstore

import "container/heap"

// expiryQueue orders a bounded store's entries by expiry, the soonest
// first and those that never expire last, so that the one to evict is at
// index 0. Each entry keeps its index in at.
type expiryQueue []*entry

func (q expiryQueue) Len() int { return len(q) }

func (q expiryQueue) Less(i, j int) bool {
	a, b := q[i].expiresAt, q[j].expiresAt
	switch {
	case a.IsZero():
		return false
	case b.IsZero():
		return true
	}
	return a.Before(b)
}

func (q expiryQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].at, q[j].at = i, j
}

func (q *expiryQueue) Push(x any) {
	e := x.(*entry)
	e.at = len(*q)
	*q = append(*q, e)
}

func (q *expiryQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}

func (q *expiryQueue) push(e *entry)   { heap.Push(q, e) }
func (q *expiryQueue) fix(e *entry)    { heap.Fix(q, e.at) }
func (q *expiryQueue) remove(e *entry) { heap.Remove(q, e.at) }
