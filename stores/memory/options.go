package memstore

import "time"

// Option configures a Store; pass options to New.
type Option func(*Store)

// WithMaxSessions bounds the store to n sessions, expired ones not yet
// collected included. Saving a new session into a full store first removes
// the session closest to its expiry: an expired one if there is any, else
// the one with the least time left. Updating a session that the store holds
// never evicts another.
//
// Closest to expiry, rather than least recently used, because the engine
// moves a session's expiry forward as its user comes back, so the session
// with the least time left is, among sessions of one lifetime, the one
// idle longest; because it spares sessions given a longer lifetime
// (Session.SetLifetime, core.NoExpiration) over anonymous ones; and because
// it needs no bookkeeping on Load, which only takes a read lock. An evicted
// user starts a fresh session on the next request; Evicted counts them, so
// that a bound set too low shows. n <= 0 means no bound.
// Default: no bound.
func WithMaxSessions(n int) Option {
	return func(s *Store) { s.max = max(n, 0) }
}

// Evicted returns how many sessions, not yet expired, the store has removed
// to stay within WithMaxSessions.
func (s *Store) Evicted() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.evicted
}

// evict removes the session closest to its expiry. The caller holds s.mu
// and the store holds at least one session.
func (s *Store) evict(now time.Time) {
	e := s.expiry[0]
	if e.expiresAt.IsZero() || now.Before(e.expiresAt) {
		s.evicted++
	}
	s.remove(e)
}
