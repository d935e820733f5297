package core

import (
	"cmp"
	"context"
	"crypto/subtle"
	"reflect"
	"slices"
	"time"

	"github.com/ignitego/session/internal/userindex"
)

// SetUser binds the session to a user, by an id of the application's
// choosing ("" unbinds): call it on login, after Regenerate. The binding
// survives Regenerate and the automatic id rotation, and ends with Destroy
// or Clear. A bound session is listed by Manager.UserSessions and can be
// ended from anywhere with Manager.RevokeSession and RevokeUser.
//
// Listing needs a driver that keeps sessions in a Store: the native driver,
// the cookie driver with UseDatabase, or a StoreDriver on a Store. The
// cookie driver without UseDatabase keeps the binding in its cookie, where
// User reads it, but nothing on the server can list or end it. A driver
// that stores sessions as PHP does (stores/codeigniter) keeps no binding:
// there SetUser changes nothing, and logs a warning.
func (s *Session) SetUser(userID string) {
	s.use(func(ns *namespace) { ns.setUser(userID) })
}

// User returns the user the session is bound to (SetUser), "" when none.
func (s *Session) User() (user string) {
	s.use(func(ns *namespace) { user = ns.rec.user() })
	return user
}

// Handle returns the session's handle: a random name for it, made on first
// use, that stays the same across Regenerate and the automatic id rotation.
// It is what a page listing a user's sessions shows, to mark "this device"
// and to name the session to revoke. It is safe to show: it is not the
// session id, nothing derives one from the other, and the engine never
// accepts a handle as an id. A driver that stores sessions as PHP does
// keeps no handle: there it is "".
func (s *Session) Handle() (h string) {
	s.use(func(ns *namespace) { h = ns.handle() })
	return h
}

// SessionInfo describes one of a user's sessions for a page that lists
// where the user is signed in. It never holds the session id.
type SessionInfo struct {
	Handle       string    // the session's handle (Session.Handle), never its id
	Driver       string    // the driver that keeps it
	Created      time.Time // when it began
	LastActivity time.Time // when a request last saved it: within a tenth of its lifetime, or TimeToUpdate, of its last request
	ExpiresAt    time.Time // when it ends unless a request comes first
	IPAddress    string    // the client IP it began from
	UserAgent    string    // the User-Agent it began with (its first 120 bytes); "" under MatchUserAgent, which keeps only a digest
}

// UserSessions lists the user's live sessions, most recently active first:
// those of every driver that keeps sessions in a Store, whichever request
// or application instance sharing the store created, rotated or ended
// them. It never lists a session that expired or was destroyed. It costs
// one read of the user's index and one (or, during a rotation, two) per
// session of that user, whatever the number of sessions in the store; it
// also prunes the index of what it found gone.
//
// It returns ErrUnsupported when no driver keeps sessions where they can be
// listed (see SetUser).
func (m *Manager) UserSessions(ctx context.Context, userID string) ([]SessionInfo, error) {
	stores := m.indexStores()
	if len(stores) == 0 {
		return nil, ErrUnsupported
	}
	out := []SessionInfo{}
	if userID == "" {
		return out, nil
	}
	for _, st := range stores {
		infos, err := m.listIndex(ctx, st, userID)
		if err != nil {
			return nil, err
		}
		out = append(out, infos...)
	}
	slices.SortFunc(out, func(a, b SessionInfo) int {
		return cmp.Or(b.LastActivity.Compare(a.LastActivity), b.Created.Compare(a.Created), cmp.Compare(a.Handle, b.Handle))
	})
	return out, nil
}

// RevokeSession ends the user's session that has the handle, wherever it
// is used: its next request starts a new, empty session. A handle that
// names none of the user's sessions (gone already, or another user's) ends
// nothing and is not an error. It returns ErrUnsupported when no driver
// keeps sessions where they can be ended (see SetUser).
func (m *Manager) RevokeSession(ctx context.Context, userID, handle string) error {
	stores := m.indexStores()
	if len(stores) == 0 {
		return ErrUnsupported
	}
	if userID == "" || !userindex.ValidHandle(handle) {
		return nil
	}
	for _, st := range stores {
		if _, err := m.revoke(ctx, st, userID, func(h string) bool { return sameHandle(h, handle) }); err != nil {
			return err
		}
	}
	return nil
}

// RevokeUser ends every session of the user but those whose handles are
// given ("sign out everywhere else": keep the current session's Handle),
// and returns how many it ended. Each one's next request starts a new,
// empty session. It returns ErrUnsupported when no driver keeps sessions
// where they can be ended (see SetUser).
func (m *Manager) RevokeUser(ctx context.Context, userID string, keepHandles ...string) (int, error) {
	stores := m.indexStores()
	if len(stores) == 0 {
		return 0, ErrUnsupported
	}
	if userID == "" {
		return 0, nil
	}
	kept := func(h string) bool {
		k := false
		for _, keep := range keepHandles {
			k = sameHandle(h, keep) || k // no early exit: the time does not tell which matched
		}
		return k
	}
	total := 0
	for _, st := range stores {
		n, err := m.revoke(ctx, st, userID, func(h string) bool { return !kept(h) })
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// sameHandle compares handles in constant time.
func sameHandle(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// indexStores returns the stores whose user indexes list the Manager's
// sessions: those of its drivers that keep sessions in one Store in the
// engine's format, each once.
func (m *Manager) indexStores() []Store {
	var out []Store
	for _, s := range m.drivers {
		st := s.indexStore()
		if st == nil || slices.ContainsFunc(out, func(o Store) bool { return sameStore(o, st) }) {
			continue
		}
		out = append(out, st)
	}
	return out
}

// sameStore reports whether a and b are the same store, without the panic
// of comparing values of an incomparable type.
func sameStore(a, b Store) bool {
	ta := reflect.TypeOf(a)
	return ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

// indexUntil is how long the user index lists the id of the session r,
// which ends at end: with headroom past it (half its lifetime), so that an
// active session rewrites its entry rarely, but never past its absolute
// timeout.
func (c *Config) indexUntil(r *record, end int64) int64 {
	until := end + c.lifetimeOf(r).Milliseconds()/2
	if c.AbsoluteTimeout > 0 {
		until = min(until, r.created+c.AbsoluteTimeout.Milliseconds())
	}
	return until
}
