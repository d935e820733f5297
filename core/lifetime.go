package core

import "time"

// SetLifetime gives this session its own idle lifetime in place of
// Config.Expiration: a "remember me" session that lives 30 days without
// activity, say. NoExpiration keeps it 400 days, the browsers' cap; zero or
// another negative value gives it Config.Expiration again. Its cookie
// follows it: Max-Age is the session's lifetime, even under
// Config.ExpireOnClose, so that browser-session cookies for everyone and a
// lasting one for who asked to be remembered is one Config.
// Config.AbsoluteTimeout still ends the session. The lifetime survives
// Regenerate and the automatic rotation.
//
// A driver that stores sessions as PHP does (stores/codeigniter) keeps no
// such lifetime, the application's store expires its sessions: there
// SetLifetime changes nothing, and logs a warning.
func (s *Session) SetLifetime(d time.Duration) {
	s.use(func(ns *namespace) {
		if !ns.keepsExt("SetLifetime") {
			return
		}
		var ms int64
		switch {
		case d == NoExpiration:
			ms = -1
		case d > 0:
			ms = max(d.Milliseconds(), 1)
		}
		x := ns.rec.ext()
		if ms == x.lifetime {
			return
		}
		x.lifetime = ms
		ns.rec.setExt(x)
		ns.ext |= extLifetime
		ns.changed("", false)
	})
}

// lifetimeOf is how long the session r lives without activity: its own
// lifetime, or Config.Expiration.
func (c *Config) lifetimeOf(r *record) time.Duration {
	switch l := r.lifetime(); {
	case l < 0:
		return noExpirationLifetime
	case l > 0:
		return time.Duration(l) * time.Millisecond
	}
	return c.lifetime()
}

// sessionEnd is when the session r ends, in unix milliseconds, unless a
// request saves it first: its lifetime after its last write, and never
// past Config.AbsoluteTimeout after it began.
func (c *Config) sessionEnd(r *record) int64 {
	end := r.lastWrite + c.lifetimeOf(r).Milliseconds()
	if c.AbsoluteTimeout > 0 {
		end = min(end, r.created+c.AbsoluteTimeout.Milliseconds())
	}
	return end
}

// cookieMaxAge is the Max-Age of the cookie of the session r saved at now:
// the seconds it has left, or 0 (a browser-session cookie) under
// Config.ExpireOnClose unless the session has a lifetime of its own.
func (c *Config) cookieMaxAge(r *record, now time.Time) int {
	if c.ExpireOnClose && r.lifetime() == 0 {
		return 0
	}
	left := c.sessionEnd(r) - now.UnixMilli()
	return int(max((left+999)/1000, 1))
}

// keepsExt reports whether the namespace's format keeps what recordExt
// holds; when not, it logs that op changes nothing.
func (ns *namespace) keepsExt(op string) bool {
	if ns.slot.codec.keepsTimes() {
		return true
	}
	ns.q.m.cfg.Logger.Warn("session: "+op+" changes nothing: the driver stores sessions as PHP does, without it", "driver", ns.slot.name)
	return false
}

// checkLifetimes refuses an AbsoluteTimeout that cannot work: negative, or
// with a driver whose format keeps no start time.
func (m *Manager) checkLifetimes() error {
	if m.cfg.AbsoluteTimeout < 0 {
		return configError("AbsoluteTimeout %s is negative", m.cfg.AbsoluteTimeout)
	}
	if m.cfg.AbsoluteTimeout == 0 {
		return nil
	}
	for name, s := range m.drivers {
		if !s.codec.keepsTimes() {
			return configError("AbsoluteTimeout: driver %q stores sessions as PHP does, without their start time", name)
		}
	}
	return nil
}
