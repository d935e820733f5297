package core

import (
	"context"
	"time"
)

// clockStore is a Store as the engine calls it with a Config.Now that is
// not the wall clock: each expiry the engine computed on its own clock
// reaches the store as the same remaining lifetime on the wall clock,
// which stores judge expiry by. It has the Swapper methods: the store's,
// or their emulation. Abilities other than those (Locker, Collector) are
// asked of the store itself.
type clockStore struct {
	Store
	sw   Swapper
	skew time.Duration // the wall clock minus the engine's clock
}

// onWallClock returns st as the engine calls it: st itself on the wall
// clock (Config.Now unset), else a clockStore.
func (m *Manager) onWallClock(st Store) Store {
	if _, done := st.(*clockStore); done || m.realClock {
		return st
	}
	return &clockStore{Store: st, sw: swapperOf(st), skew: time.Since(m.cfg.Now())}
}

// wall turns an expiry on the engine's clock into one on the wall clock.
func (c *clockStore) wall(expiresAt time.Time) time.Time {
	if expiresAt.IsZero() {
		return expiresAt
	}
	return expiresAt.Add(c.skew)
}

func (c *clockStore) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	return c.Store.Save(ctx, id, data, c.wall(expiresAt))
}

func (c *clockStore) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	return c.sw.Insert(ctx, id, data, c.wall(expiresAt))
}

func (c *clockStore) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	return c.sw.CompareAndSwap(ctx, id, old, data, c.wall(expiresAt))
}
