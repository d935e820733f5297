package frontends

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ignitego/session/core"
)

// Clock is a fake clock for Config.Now, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at the current second. It starts at the
// real time and only moves forward because stores expire data by their own
// clock: Config.Now drives the engine's expiry, the store's is a backstop.
func NewClock() *Clock { return &Clock{now: time.Now().UTC().Truncate(time.Second)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// ErrDown is what a Store returns while it is Down.
var ErrDown = errors.New("store is down")

// Store wraps a store that has the Swapper ability, counts the calls made
// to it, and can be taken down to fail every call.
type Store struct {
	Inner interface {
		core.Store
		core.Swapper
	}
	Loads, Saves, Inserts, Swaps, Deletes atomic.Int64
	down, writesDown                      atomic.Bool
}

// NewStore wraps inner.
func NewStore(inner interface {
	core.Store
	core.Swapper
}) *Store {
	return &Store{Inner: inner}
}

// SetDown makes every call fail (true) or work (false).
func (s *Store) SetDown(down bool) { s.down.Store(down) }

// SetWritesDown makes every call that writes fail (true) or work (false).
func (s *Store) SetWritesDown(down bool) { s.writesDown.Store(down) }

func (s *Store) failWrite() error {
	if s.writesDown.Load() {
		return ErrDown
	}
	return s.fail()
}

// Writes counts the calls that write.
func (s *Store) Writes() int64 {
	return s.Saves.Load() + s.Inserts.Load() + s.Swaps.Load() + s.Deletes.Load()
}

// Calls counts every call.
func (s *Store) Calls() int64 { return s.Loads.Load() + s.Writes() }

// Reset zeroes the counters.
func (s *Store) Reset() {
	for _, c := range []*atomic.Int64{&s.Loads, &s.Saves, &s.Inserts, &s.Swaps, &s.Deletes} {
		c.Store(0)
	}
}

func (s *Store) fail() error {
	if s.down.Load() {
		return ErrDown
	}
	return nil
}

func (s *Store) Load(ctx context.Context, id string) ([]byte, bool, error) {
	s.Loads.Add(1)
	if err := s.fail(); err != nil {
		return nil, false, err
	}
	return s.Inner.Load(ctx, id)
}

func (s *Store) Save(ctx context.Context, id string, data []byte, exp time.Time) error {
	s.Saves.Add(1)
	if err := s.failWrite(); err != nil {
		return err
	}
	return s.Inner.Save(ctx, id, data, exp)
}

func (s *Store) Delete(ctx context.Context, id string) error {
	s.Deletes.Add(1)
	if err := s.failWrite(); err != nil {
		return err
	}
	return s.Inner.Delete(ctx, id)
}

func (s *Store) Insert(ctx context.Context, id string, data []byte, exp time.Time) (bool, error) {
	s.Inserts.Add(1)
	if err := s.failWrite(); err != nil {
		return false, err
	}
	return s.Inner.Insert(ctx, id, data, exp)
}

func (s *Store) CompareAndSwap(ctx context.Context, id string, old, data []byte, exp time.Time) (bool, error) {
	s.Swaps.Add(1)
	if err := s.failWrite(); err != nil {
		return false, err
	}
	return s.Inner.CompareAndSwap(ctx, id, old, data, exp)
}
