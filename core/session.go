package core

import (
	"context"
	"fmt"
)

// Session is one request's handle on a user's session data, in one driver's
// namespace. Its methods are safe for concurrent use by the goroutines of
// one request. The data is loaded when a method first needs it; setters and
// the lifecycle methods only change the session in memory, and Save (which
// the middlewares call before the response headers go out) persists what
// changed.
//
// A Session belongs to its request. Once the request ends (Release), a
// Session kept after it is inert: it reads as empty, changes nothing, and
// its Save reports ErrModifiedAfterCommit; the first such use is logged.
type Session struct {
	q  *request   // the request's state; nil for a Session never started
	ns *namespace // the namespace s reads and writes; nil until first use, then the default driver's unless selected
}

// errReleased is what a Session used after its request ended reports.
var errReleased = fmt.Errorf("%w: the session's request has ended", ErrModifiedAfterCommit)

// inRequest runs f under the request's lock and reports whether it ran: it
// does not once the request has ended, nor for a Session never started.
func (s *Session) inRequest(f func(q *request)) bool {
	q := s.q
	if q == nil {
		return false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ended {
		q.warnEnded()
		return false
	}
	f(q)
	return true
}

// use runs f on the namespace s reads and writes, loaded, under the
// request's lock, and reports whether it ran.
func (s *Session) use(f func(ns *namespace)) bool {
	return s.inRequest(func(q *request) {
		ns := s.namespaceIn(q)
		ns.load()
		f(ns)
	})
}

// namespaceIn returns the namespace s reads and writes. The caller holds the
// request's lock.
func (s *Session) namespaceIn(q *request) *namespace {
	if s.ns == nil {
		s.ns = q.mainNS()
	}
	return s.ns
}

// Save persists every change the request made to its sessions, in every
// driver it touched: only what changed, merged with concurrent requests on
// the same session. Calling it again without new changes does nothing. It
// returns nil when everything was persisted, and otherwise the error that
// kept a session from loading or saving (wrapping ErrStore, ErrLockTimeout,
// ErrConflict, ErrCookieTooLarge or ErrModifiedAfterCommit, or an
// *EncodeError); see ErrorStatus. The middlewares call it for you.
func (s *Session) Save(ctx context.Context) error {
	var err error
	if !s.inRequest(func(q *request) { err = q.save(ctx) }) {
		return errReleased
	}
	return err
}

// Commit saves like Save, then marks the response headers as sent: from
// then on a change cannot send a cookie, and Save reports it with
// ErrModifiedAfterCommit (store-side data is still saved when no cookie has
// to change). The middlewares call it just before the headers go out.
func (s *Session) Commit(ctx context.Context) error {
	var err error
	if !s.inRequest(func(q *request) {
		err = q.save(ctx)
		q.committed = true
	}) {
		return errReleased
	}
	return err
}

// Release ends the request's use of its sessions: it releases the session
// locks Config.Lock took, and every Session of the request becomes inert.
// The middlewares defer it, so that it runs even when a handler panics.
// Calling it more than once is safe.
func (s *Session) Release() {
	q := s.q
	if q == nil {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.ended {
		q.ended = true
		q.unlockAll()
	}
}

// Err returns the error that kept the session from loading, if any: a
// failing store, a lock not acquired in time. The session then reads as
// empty and Save, which returns the same error, writes nothing.
func (s *Session) Err() error {
	var err error
	if !s.use(func(ns *namespace) { err = ns.err }) {
		return errReleased
	}
	return err
}

// ID returns the session id, as PHP's session_id() does. A new session
// gets its id on this call and is saved with it, so that the client holds
// the id from the next request on; a request that never asks for the id nor
// touches the session's data creates nothing. ID returns "" after Destroy in
// the same request (until data set afterwards starts a new session; the
// next request gets a new id), and for a new session asked once the
// response headers went out, when no cookie can carry its id any more.
func (s *Session) ID() (id string) {
	s.use(func(ns *namespace) { id = ns.sessionID() })
	return id
}

// sessionID returns the session's id, giving a new session one (see ID).
func (ns *namespace) sessionID() string {
	if ns.id == "" && !ns.ended && !ns.q.committed {
		ns.changed("", false)
	}
	return ns.id
}

// OldID says what Regenerate does with the id it replaces.
type OldID int

const (
	// KeepOld leaves the old id holding the session's data until it expires:
	// CodeIgniter's sess_regenerate(FALSE), Mako's regenerateId(true).
	KeepOld OldID = iota
	// DestroyOld ends the old id at once: CodeIgniter's sess_regenerate(TRUE),
	// Mako's regenerateId(). Use it on login, logout and any change of
	// privilege.
	DestroyOld
)

// Regenerate gives the session a new id, keeping its data (CodeIgniter's
// sess_regenerate, Mako's regenerateId); old says whether the id it
// replaces keeps the data (KeepOld) or ends now (DestroyOld).
func (s *Session) Regenerate(old OldID) {
	s.use(func(ns *namespace) {
		if old == DestroyOld {
			ns.regen = regenDrop
		} else {
			ns.regen = max(ns.regen, regenKeep)
		}
		ns.id = ns.newID()
		ns.rec.lastActivity = ns.nowMs()
		ns.changed("", false)
	})
}

// Destroy ends the session (CodeIgniter's sess_destroy): Save deletes its
// stored data and expires its cookie, and the session leaves its user's
// list (SetUser). The rest of the request sees an empty session; data set
// after Destroy starts a new session with a new id.
func (s *Session) Destroy() {
	s.use(func(ns *namespace) {
		if ns.loadedID != "" {
			ns.destroyID = ns.loadedID
		}
		ns.ended = true
		ns.endIndexed(true)
		ns.fresh(ns.nowMs())
		ns.changes = changes{byHandler: ns.byHandler}
	})
}

// Clear removes all of the session's data, tokens included, and keeps its
// id (Mako's clear). It ends the session's binding to a user (SetUser).
func (s *Session) Clear() {
	s.use(func(ns *namespace) {
		ns.rec.items = nil
		ns.rec.csrf, ns.rec.otts = "", nil
		ns.keys = nil
		ns.cleared = true
		ns.setUser("")
		ns.changed("", false)
	})
}

// Driver returns a handle on the named driver's data, loading the driver if
// it is valid; ErrUnknownDriver if it is not. Each driver keeps its own data
// under its own cookie.
func (s *Session) Driver(name string) (*Session, error) {
	var h *Session
	var err error
	if !s.inRequest(func(q *request) {
		var ns *namespace
		if ns, err = q.namespace(name); err == nil {
			h = &Session{q: q, ns: ns}
		}
	}) {
		return &Session{q: s.q}, errReleased // as inert as s
	}
	return h, err
}

// SelectDriver makes later calls on s use the named driver's data.
func (s *Session) SelectDriver(name string) error {
	var err error
	if !s.inRequest(func(q *request) {
		var ns *namespace
		if ns, err = q.namespace(name); err == nil {
			s.ns = ns
		}
	}) {
		return errReleased
	}
	return err
}

// LoadDriver makes a further valid driver available to the request
// (CodeIgniter's load_driver); ErrUnknownDriver if it is not valid. Driver
// and SelectDriver load a valid driver themselves.
func (s *Session) LoadDriver(name string) error {
	var err error
	if !s.inRequest(func(q *request) { _, err = q.namespace(name) }) {
		return errReleased
	}
	return err
}

// DriverName returns the name of the driver whose data s reads and writes.
func (s *Session) DriverName() (name string) {
	s.inRequest(func(q *request) { name = s.namespaceIn(q).slot.name })
	return name
}
