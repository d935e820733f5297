// Package lease gives the stores' session locks their common core.Lease:
// a lock is released at most once, a release that failed may be tried
// again, and a renewal after the release, or one the store refused, reports
// core.ErrLockLost.
package lease

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ignitego/session/core"
)

// Lease is a core.Lease over a store's renewal and release of one lock.
type Lease struct {
	store   string // the store's name, for errors
	mu      sync.Mutex
	done    bool // released
	renew   func(ctx context.Context, ttl time.Duration) (held bool, err error)
	release func(ctx context.Context) error
}

// New returns the Lease of one lock. renew extends the lock to ttl from now
// and reports whether the lock was still this lease's; release releases it
// if it still is. store names the store in errors.
func New(store string, renew func(ctx context.Context, ttl time.Duration) (bool, error), release func(ctx context.Context) error) *Lease {
	return &Lease{store: store, renew: renew, release: release}
}

// Renew implements core.Lease.
func (l *Lease) Renew(ctx context.Context, ttl time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return fmt.Errorf("%s: renew: %w: released", l.store, core.ErrLockLost)
	}
	held, err := l.renew(ctx, ttl)
	if err != nil {
		return err
	}
	if !held {
		return fmt.Errorf("%s: renew: %w: it lapsed", l.store, core.ErrLockLost)
	}
	return nil
}

// Unlock implements core.Lease: it calls release until that has succeeded
// once; later calls return nil.
func (l *Lease) Unlock(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return nil
	}
	if err := l.release(ctx); err != nil {
		return err
	}
	l.done = true
	return nil
}
