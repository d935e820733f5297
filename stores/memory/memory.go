// Package memstore keeps sessions in the memory of one process: for tests,
// development, and single-process applications that accept losing sessions
// on restart.
//
// It has every optional store ability: Swapper (concurrent requests merge
// their changes), Locker (Config.Lock) and Collector (the Manager removes
// expired sessions every Config.GCInterval).
package memstore

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/storeid"
)

// Store is an in-memory core.Store. The zero value is not usable; call New.
type Store struct {
	mu    sync.RWMutex
	items map[string]entry

	lmu   sync.Mutex
	locks map[string]*lock
}

type entry struct {
	data      []byte
	expiresAt time.Time
}

type lock struct {
	until    time.Time
	released chan struct{}
}

// New returns an empty Store.
func New() *Store {
	return &Store{items: make(map[string]entry), locks: make(map[string]*lock)}
}

var (
	_ core.Store     = (*Store)(nil)
	_ core.Swapper   = (*Store)(nil)
	_ core.Locker    = (*Store)(nil)
	_ core.Collector = (*Store)(nil)
)

// Load returns a copy of the data stored under id.
func (s *Store) Load(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if !core.ValidID(id) {
		return nil, false, nil
	}
	s.mu.RLock()
	e, ok := s.items[id]
	s.mu.RUnlock()
	if !ok || core.Expired(e.expiresAt, time.Now()) {
		return nil, false, nil
	}
	return bytes.Clone(e.data), true, nil
}

// Save stores a copy of data under id until expiresAt.
func (s *Store) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	if err := storeid.Check(ctx, "memstore", "save", id); err != nil {
		return err
	}
	e := entry{data: clone(data), expiresAt: expiresAt}
	s.mu.Lock()
	s.items[id] = e
	s.mu.Unlock()
	return nil
}

// Delete removes id.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.items, id)
	s.mu.Unlock()
	return nil
}

// Insert stores data under id if id holds nothing live.
func (s *Store) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	if err := storeid.Check(ctx, "memstore", "insert", id); err != nil {
		return false, err
	}
	e := entry{data: clone(data), expiresAt: expiresAt}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.items[id]; ok && !core.Expired(cur.expiresAt, time.Now()) {
		return false, nil
	}
	s.items[id] = e
	return true, nil
}

// CompareAndSwap replaces the data under id if it is still old.
func (s *Store) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	if err := storeid.Check(ctx, "memstore", "compare and swap", id); err != nil {
		return false, err
	}
	e := entry{data: clone(data), expiresAt: expiresAt}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.items[id]
	if !ok || core.Expired(cur.expiresAt, time.Now()) || !bytes.Equal(cur.data, old) {
		return false, nil
	}
	s.items[id] = e
	return true, nil
}

// Lock takes the lock on id, waiting for its holder to release it or for
// the holder's ttl to pass.
func (s *Store) Lock(ctx context.Context, id string, ttl time.Duration) (func(context.Context) error, error) {
	if err := storeid.Check(ctx, "memstore", "lock", id); err != nil {
		return nil, err
	}
	for {
		now := time.Now()
		s.lmu.Lock()
		held, ok := s.locks[id]
		if !ok || !now.Before(held.until) {
			mine := &lock{until: now.Add(ttl), released: make(chan struct{})}
			s.locks[id] = mine
			s.lmu.Unlock()
			var once sync.Once
			return func(context.Context) error {
				once.Do(func() {
					s.lmu.Lock()
					if s.locks[id] == mine {
						delete(s.locks, id)
					}
					s.lmu.Unlock()
					close(mine.released)
				})
				return nil
			}, nil
		}
		s.lmu.Unlock()
		timer := time.NewTimer(held.until.Sub(now))
		select {
		case <-held.released:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		}
		timer.Stop()
	}
}

// Collect deletes at most limit expired sessions.
func (s *Store) Collect(ctx context.Context, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := time.Now()
	n := 0
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, e := range s.items {
		if n >= limit {
			break
		}
		if core.Expired(e.expiresAt, now) {
			delete(s.items, id)
			n++
		}
	}
	return n, nil
}

// Len returns how many sessions the store holds, expired ones included.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.items)
}

// clone copies data; a nil slice becomes an empty one, so that a stored
// empty value reads back as found.
func clone(data []byte) []byte {
	return append(make([]byte, 0, len(data)), data...)
}
