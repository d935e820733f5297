package core

import "crypto/subtle"

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
// generateOneTimeToken).
func (s *Session) GenerateOneTimeToken() string {
	if !s.lock() {
		return ""
	}
	defer s.q().mu.Unlock()
	ns := s.n()
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
func (s *Session) ValidateOneTimeToken(token string) bool {
	if !s.lock() {
		return false
	}
	defer s.q().mu.Unlock()
	ns := s.n()
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
