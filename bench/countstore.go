package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ignitego/session/core"
)

// countingStore counts the calls the engine makes to a core.Store, and can
// remember the ids it creates (to delete them afterwards from a store whose
// keys carry no prefix of ours).
type countingStore struct {
	core.Store
	loads, writes, deletes atomic.Int64

	record bool
	mu     sync.Mutex
	ids    map[string]struct{}
}

// swappingStore is a countingStore over a store with the core.Swapper
// ability, which it keeps: the engine discovers abilities by type assertion.
type swappingStore struct {
	*countingStore
	sw core.Swapper
}

// countStore wraps st. The result has st's Swapper ability if st has it.
func countStore(st core.Store, record bool) (core.Store, *countingStore) {
	c := &countingStore{Store: st, record: record, ids: make(map[string]struct{})}
	if sw, ok := st.(core.Swapper); ok {
		return &swappingStore{countingStore: c, sw: sw}, c
	}
	return c, c
}

// Calls returns the calls so far.
func (c *countingStore) Calls() (loads, writes, deletes int64) {
	return c.loads.Load(), c.writes.Load(), c.deletes.Load()
}

// IDs returns the ids written to so far, when recording.
func (c *countingStore) IDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]string, 0, len(c.ids))
	for id := range c.ids {
		ids = append(ids, id)
	}
	return ids
}

func (c *countingStore) remember(id string) {
	if c.record {
		c.mu.Lock()
		c.ids[id] = struct{}{}
		c.mu.Unlock()
	}
}

func (c *countingStore) Load(ctx context.Context, id string) ([]byte, bool, error) {
	c.loads.Add(1)
	return c.Store.Load(ctx, id)
}

func (c *countingStore) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	c.writes.Add(1)
	c.remember(id)
	return c.Store.Save(ctx, id, data, expiresAt)
}

func (c *countingStore) Delete(ctx context.Context, id string) error {
	c.deletes.Add(1)
	return c.Store.Delete(ctx, id)
}

func (s *swappingStore) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	s.writes.Add(1)
	s.remember(id)
	return s.sw.Insert(ctx, id, data, expiresAt)
}

func (s *swappingStore) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	s.writes.Add(1)
	return s.sw.CompareAndSwap(ctx, id, old, data, expiresAt)
}
