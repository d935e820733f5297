package core

import "crypto/subtle"

// Token returns the session's CSRF token, creating it on first use; it stays
// the same until RegenerateToken (Mako's getToken).
func (s *Session) Token() (token string) {
	s.use(func(ns *namespace) {
		if ns.rec.csrf == "" {
			ns.rec.csrf = newToken()
			ns.csrf = max(ns.csrf, csrfCreated)
			ns.changed("", false)
		}
		token = ns.rec.csrf
	})
	return token
}

// ValidateToken reports whether token is the session's CSRF token, in
// constant time. A session without a token validates nothing.
func (s *Session) ValidateToken(token string) (ok bool) {
	s.use(func(ns *namespace) {
		ok = ns.rec.csrf != "" && subtle.ConstantTimeCompare([]byte(ns.rec.csrf), []byte(token)) == 1
	})
	return ok
}

// RegenerateToken replaces the CSRF token and returns the new one (Mako's
// regenerateToken).
func (s *Session) RegenerateToken() (token string) {
	s.use(func(ns *namespace) {
		ns.rec.csrf = newToken()
		ns.csrf = csrfReplaced
		ns.changed("", false)
		token = ns.rec.csrf
	})
	return token
}

// GenerateOneTimeToken returns a token that ValidateOneTimeToken accepts
// once. The session keeps the last 20; older ones stop validating (Mako's
// generateOneTimeToken). See ValidateOneTimeToken for the cookie driver
// without UseDatabase, where once cannot hold.
func (s *Session) GenerateOneTimeToken() (token string) {
	s.use(func(ns *namespace) {
		warnReplayable(ns)
		token = newToken()
		ns.rec.otts = append(ns.rec.otts, token)
		if n := len(ns.rec.otts); n > maxOneTimeTokens {
			ns.rec.otts = append([]string(nil), ns.rec.otts[n-maxOneTimeTokens:]...)
		}
		ns.ottAdded = append(ns.ottAdded, token)
		ns.changed("", false)
	})
	return token
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
func (s *Session) ValidateOneTimeToken(token string) (ok bool) {
	s.use(func(ns *namespace) {
		warnReplayable(ns)
		at := -1
		for i, t := range ns.rec.otts {
			if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
				at = i
			}
		}
		if at < 0 {
			return
		}
		ns.rec.otts = append(ns.rec.otts[:at:at], ns.rec.otts[at+1:]...)
		ns.ottUsed = append(ns.ottUsed, token)
		ns.changed("", false)
		ok = true
	})
	return ok
}

// warnReplayable logs, once per Manager, that one-time tokens on the cookie
// driver without a store validate again when a client replays an older
// cookie.
func warnReplayable(ns *namespace) {
	if _, ok := ns.slot.d.(cookieDriver); !ok {
		return
	}
	m := ns.q.m
	m.replayWarned.Do(func() {
		m.cfg.Logger.Warn("session: one-time tokens on the cookie driver without UseDatabase validate again when "+
			"a client replays an older cookie; set Config.UseDatabase, or use the native driver, for tokens that validate once",
			"driver", ns.slot.name)
	})
}
