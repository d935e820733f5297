// Package memstore keeps sessions in the memory of one process: for tests,
// development, and single-process applications that accept losing sessions
// on restart.
//
// It has every optional store ability: Swapper (concurrent requests merge
// their changes), Locker (Config.Lock) and Collector (the Manager removes
// expired sessions every Config.GCInterval).
//
// A store holds every session it is given until the session expires and is
// collected: each new visitor's session costs memory, about 1.3 KB for an
// anonymous one. WithMaxSessions bounds that; see its documentation for
// which session makes room for a new one.
package memstore

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/ignitego/session/internal/lease"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/storeid"
)

// Store is an in-memory core.Store. The zero value is not usable; call New.
type Store struct {
	mu      sync.RWMutex
	items   map[string]*entry
	max     int         // WithMaxSessions; 0: no bound
	expiry  expiryQueue // with max: every entry, the one closest to expiry first
	evicted uint64      // live sessions evicted to make room

	lmu   sync.Mutex
	locks map[string]*lock
}

type entry struct {
	id        string
	data      []byte
	expiresAt time.Time
	at        int // the entry's index in Store.expiry
}

type lock struct {
	until    time.Time
	released chan struct{}
}

// New returns an empty Store, unbounded unless an option says otherwise.
func New(opts ...Option) *Store {
	s := &Store{items: make(map[string]*entry), locks: make(map[string]*lock)}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	return s
}

var (
	_ core.Store     = (*Store)(nil)
	_ core.Swapper   = (*Store)(nil)
	_ core.Locker    = (*Store)(nil)
	_ core.Collector = (*Store)(nil)
	_ core.InProcess = (*Store)(nil)
)

// InProcess tells the engine that the store's calls never wait on I/O:
// they need no deadline (core.InProcess).
func (*Store) InProcess() {}

// Load returns a copy of the data stored under id.
func (s *Store) Load(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if !core.ValidID(id) {
		return nil, false, nil
	}
	now := time.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.items[id]
	if !ok || core.Expired(e.expiresAt, now) {
		return nil, false, nil
	}
	return bytes.Clone(e.data), true, nil
}

// Save stores a copy of data under id until expiresAt.
func (s *Store) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	if err := storeid.Check(ctx, "memstore", "save", id); err != nil {
		return err
	}
	data = clone(data)
	s.mu.Lock()
	s.put(id, data, expiresAt, time.Now())
	s.mu.Unlock()
	return nil
}

// Delete removes id.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if e, ok := s.items[id]; ok {
		s.remove(e)
	}
	s.mu.Unlock()
	return nil
}

// Insert stores data under id if id holds nothing live.
func (s *Store) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	if err := storeid.Check(ctx, "memstore", "insert", id); err != nil {
		return false, err
	}
	data = clone(data)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.items[id]; ok && !core.Expired(cur.expiresAt, now) {
		return false, nil
	}
	s.put(id, data, expiresAt, now)
	return true, nil
}

// CompareAndSwap replaces the data under id if it is still old.
func (s *Store) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	if err := storeid.Check(ctx, "memstore", "compare and swap", id); err != nil {
		return false, err
	}
	data = clone(data)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.items[id]
	if !ok || core.Expired(cur.expiresAt, now) || !bytes.Equal(cur.data, old) {
		return false, nil
	}
	s.put(id, data, expiresAt, now)
	return true, nil
}

// Lock takes the lock on id, waiting for its holder to release it or for
// the holder's ttl to pass since it took or last renewed it.
func (s *Store) Lock(ctx context.Context, id string, ttl time.Duration) (core.Lease, error) {
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
			return s.lease(id, mine), nil
		}
		wait := held.until.Sub(now) // read under lmu: a renewal moves it
		s.lmu.Unlock()
		timer := time.NewTimer(wait)
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

// lease returns the Lease of mine, the lock on id.
func (s *Store) lease(id string, mine *lock) core.Lease {
	renew := func(_ context.Context, ttl time.Duration) (bool, error) {
		s.lmu.Lock()
		defer s.lmu.Unlock()
		if s.locks[id] != mine {
			return false, nil
		}
		mine.until = time.Now().Add(ttl)
		return true, nil
	}
	release := func(context.Context) error {
		s.lmu.Lock()
		if s.locks[id] == mine {
			delete(s.locks, id)
		}
		s.lmu.Unlock()
		close(mine.released)
		return nil
	}
	return lease.New("memstore", renew, release)
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
	for _, e := range s.items {
		if n >= limit {
			break
		}
		if core.Expired(e.expiresAt, now) {
			s.remove(e) // deleting while ranging over a map is allowed
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

// put stores data, which the store owns, under id. A new id in a store at
// its WithMaxSessions bound first makes room. The caller holds s.mu.
func (s *Store) put(id string, data []byte, expiresAt, now time.Time) {
	if e, ok := s.items[id]; ok {
		e.data, e.expiresAt = data, expiresAt
		if s.max > 0 {
			s.expiry.fix(e)
		}
		return
	}
	e := &entry{id: id, data: data, expiresAt: expiresAt}
	if s.max > 0 {
		for len(s.items) >= s.max {
			s.evict(now)
		}
		s.expiry.push(e)
	}
	s.items[id] = e
}

// remove deletes e. The caller holds s.mu.
func (s *Store) remove(e *entry) {
	delete(s.items, e.id)
	if s.max > 0 {
		s.expiry.remove(e)
	}
}

// clone copies data; a nil slice becomes an empty one, so that a stored
// empty value reads back as found.
func clone(data []byte) []byte {
	return append(make([]byte, 0, len(data)), data...)
}
