package core

import (
	"crypto/subtle"
	"runtime"
	"sync"
	"weak"
)

// Token returns the session's CSRF token, creating it on first use; it stays
// the same until RegenerateToken (Mako's getToken).
func (s *Session) Token() string {
	if !s.lock() {
		return ""
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	if ns.rec.csrf == "" {
		ns.rec.csrf = newToken()
		ns.csrf = max(ns.csrf, csrfCreated)
		ns.changed("", false)
	}
	return ns.rec.csrf
}

// ValidateToken reports whether token is the session's CSRF token, in
// constant time. A session without a token validates nothing.
func (s *Session) ValidateToken(token string) bool {
	if !s.lock() {
		return false
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	return ns.rec.csrf != "" && subtle.ConstantTimeCompare([]byte(ns.rec.csrf), []byte(token)) == 1
}

// RegenerateToken replaces the CSRF token and returns the new one (Mako's
// regenerateToken).
func (s *Session) RegenerateToken() string {
	if !s.lock() {
		return ""
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	ns.rec.csrf = newToken()
	ns.csrf = csrfReplaced
	ns.changed("", false)
	return ns.rec.csrf
}

// GenerateOneTimeToken returns a token that ValidateOneTimeToken accepts
// once. The session keeps the last 20; older ones stop validating (Mako's
// generateOneTimeToken). See ValidateOneTimeToken for the cookie driver
// without UseDatabase, where once cannot hold.
func (s *Session) GenerateOneTimeToken() string {
	if !s.lock() {
		return ""
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	warnReplayable(s.m, ns.slot)
	ns.load()
	t := newToken()
	ns.rec.otts = append(ns.rec.otts, t)
	if n := len(ns.rec.otts); n > maxOneTimeTokens {
		ns.rec.otts = append([]string(nil), ns.rec.otts[n-maxOneTimeTokens:]...)
	}
	ns.ottAdded = append(ns.ottAdded, t)
	ns.changed("", false)
	return t
}

// ValidateOneTimeToken reports whether token is one of the session's live
// one-time tokens, and if so uses it up: it validates once (Mako's
// validateOneTimeToken). Every comparison is constant-time. Across
// concurrent requests of one session, once is guaranteed with Config.Lock.
//
// Once holds only where the session lives on the server: the native
// driver, the cookie driver with UseDatabase, and custom drivers with a
// Store. The cookie driver without UseDatabase keeps the session, tokens
// included, in the cookie: a client that sends again the cookie it held
// before the token was used gets the token accepted again, as often as it
// likes until the cookie expires. The first use of one-time tokens on such
// a driver logs a warning, once per Manager.
func (s *Session) ValidateOneTimeToken(token string) bool {
	if !s.lock() {
		return false
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	warnReplayable(s.m, ns.slot)
	ns.load()
	at := -1
	for i, t := range ns.rec.otts {
		if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
			at = i
		}
	}
	if at < 0 {
		return false
	}
	ns.rec.otts = append(ns.rec.otts[:at:at], ns.rec.otts[at+1:]...)
	ns.ottUsed = append(ns.ottUsed, token)
	ns.changed("", false)
	return true
}

// replayWarned holds the Managers that have logged the warning of
// warnReplayable, by weak pointer, so that it keeps none alive; each entry
// goes when its Manager does.
var replayWarned sync.Map // weak.Pointer[Manager] → struct{}

// warnReplayable logs, once per Manager, that one-time tokens on slot, the
// cookie driver without a Store, can be replayed with an older cookie.
func warnReplayable(m *Manager, slot *driverSlot) {
	if d, ok := slot.d.(*cookieDriver); !ok || d.store != nil {
		return
	}
	key := weak.Make(m)
	if _, seen := replayWarned.LoadOrStore(key, struct{}{}); seen {
		return
	}
	runtime.AddCleanup(m, func(k weak.Pointer[Manager]) { replayWarned.Delete(k) }, key)
	m.cfg.Logger.Warn("session: one-time tokens on the cookie driver without UseDatabase validate again when "+
		"a client replays an older cookie; set Config.UseDatabase, or use the native driver, for tokens that validate once",
		"driver", slot.name)
}
