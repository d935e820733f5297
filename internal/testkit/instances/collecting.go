package instances

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/ignitego/session/core"
)

// collectorStore is a store with every optional ability the engine uses.
type collectorStore interface {
	core.Store
	core.Swapper
	core.Locker
	core.Collector
}

// collecting counts the garbage collections the Manager runs on a store,
// keeping the store's other abilities. Collections that Manager.Close
// cancels are not failures.
type collecting struct {
	collectorStore
	calls, deleted, cancelled atomic.Int64

	mu     sync.Mutex
	errors []string
}

// countCollections wraps st to count its collections, when st has the
// Collector ability and the others, which a wrapper must not hide. It
// reports false for a store it cannot count.
func countCollections(st core.Store) (*collecting, bool) {
	full, ok := st.(collectorStore)
	if !ok {
		return nil, false
	}
	return &collecting{collectorStore: full}, true
}

func (c *collecting) Collect(ctx context.Context, limit int) (int, error) {
	n, err := c.collectorStore.Collect(ctx, limit)
	c.calls.Add(1)
	c.deleted.Add(int64(n))
	switch {
	case err == nil:
	case ctx.Err() != nil:
		c.cancelled.Add(1)
	default:
		c.mu.Lock()
		c.errors = append(c.errors, err.Error())
		c.mu.Unlock()
	}
	return n, err
}

// failures returns the errors of the collections that were not cancelled.
func (c *collecting) failures() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errors...)
}
