// Package nullstore is Mako's Null store: it accepts every write and
// remembers nothing. Every request starts a fresh session. Use it to turn
// sessions off (in tests, or for a stateless API) without changing handlers.
package nullstore

import (
	"context"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/storeid"
)

// Store is a core.Store that keeps nothing.
type Store struct{}

// New returns a Store.
func New() *Store { return &Store{} }

var (
	_ core.Store     = (*Store)(nil)
	_ core.InProcess = (*Store)(nil)
)

// InProcess tells the engine that the store's calls never wait on I/O:
// they need no deadline (core.InProcess).
func (*Store) InProcess() {}

// Load finds nothing.
func (*Store) Load(ctx context.Context, _ string) ([]byte, bool, error) {
	return nil, false, ctx.Err()
}

// Save accepts a valid id and forgets the data.
func (*Store) Save(ctx context.Context, id string, _ []byte, _ time.Time) error {
	return storeid.Check(ctx, "nullstore", "save", id)
}

// Delete does nothing.
func (*Store) Delete(ctx context.Context, _ string) error { return ctx.Err() }
