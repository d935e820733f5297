package core

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ignitego/session/internal/storeid"
)

// Sentinel errors. Every error the package returns wraps one of them or is an
// *EncodeError, so callers can use errors.Is and errors.As.
var (
	// ErrCookieTooLarge is returned by Save when an encoded cookie would exceed
	// 4096 bytes. Nothing is sent: the cookie the client holds stays valid.
	ErrCookieTooLarge = errors.New("session: cookie exceeds 4096 bytes")

	// ErrUnknownDriver is returned for a driver name that is neither
	// Config.Driver nor listed in Config.ValidDrivers.
	ErrUnknownDriver = errors.New("session: unknown driver")

	// ErrReservedKey is the warning logged when a handler tried to set or
	// unset one of the read-only items session_id, ip_address, user_agent or
	// last_activity (or a codec's bookkeeping, such as CodeIgniter's
	// __ci_vars). The item does not change, everything else is saved, and
	// Save returns nil.
	ErrReservedKey = errors.New("session: reserved key is read-only")

	// ErrStore is wrapped by every error that comes from a Store: the store
	// is down, slow past the context deadline, or failed. The middlewares
	// answer it with 503 Service Unavailable by default.
	ErrStore = errors.New("session: store failed")

	// ErrModifiedAfterCommit is wrapped by the error Save returns when the
	// session changed after the response headers were sent, so a cookie that
	// carries the change could not reach the client. It is logged too.
	ErrModifiedAfterCommit = errors.New("session: modified after the response headers were sent")

	// ErrConflict is returned when concurrent requests kept changing a session
	// and Save could not merge its changes in after many attempts.
	ErrConflict = errors.New("session: too many concurrent updates")

	// ErrLockTimeout is returned when Config.Lock is on and the session's lock
	// was not acquired within Config.LockTimeout.
	ErrLockTimeout = errors.New("session: lock wait timed out")

	// ErrLockLost is returned by Save when Config.Lock is on and the
	// request's lock on its session lapsed before the save: the store was
	// out of reach for longer than Config.LockLease, so another request may
	// have read the session since. Nothing is written. A Lease's Renew
	// wraps it too.
	ErrLockLost = errors.New("session: lock lost")

	// ErrInvalidConfig is wrapped by every error New returns.
	ErrInvalidConfig = errors.New("session: invalid config")

	// ErrUnsupported is returned by Manager.UserSessions, RevokeSession and
	// RevokeUser when no driver keeps its sessions where they can be listed:
	// the cookie driver without UseDatabase keeps them in the browser only,
	// and the drivers that store sessions as PHP does (stores/codeigniter)
	// keep the application's layout, which has no user index.
	ErrUnsupported = errors.New("session: the sessions' storage cannot list or revoke a user's sessions")

	// errCorrupt reports stored or cookie data that does not decode. It never
	// reaches a handler: corrupt client input starts a fresh session.
	errCorrupt = errors.New("session: corrupt data")
)

// EncodeError reports a value that cannot be encoded. Save returns it and
// writes nothing for that session, so what was stored before stays intact.
type EncodeError struct {
	Key string // the session key holding the value
	Err error  // the encoder's error
}

func (e *EncodeError) Error() string {
	return fmt.Sprintf("session: cannot encode key %q: %v", e.Key, e.Err)
}

func (e *EncodeError) Unwrap() error { return e.Err }

// storeError wraps a store failure so that it matches ErrStore and its cause.
func storeError(op, id string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s %s: %w", ErrStore, op, shortID(id), err)
}

// shortID keeps ids out of logs and error strings (storeid.Short).
func shortID(id string) string { return storeid.Short(id) }

// ErrorStatus maps an error returned by Save to the HTTP status the default
// error handlers answer with: 503 when a store, a lock (not acquired in time, or lost) or contention kept the
// session from loading or saving, 500 when its data could not be written
// (a value that does not encode, a cookie too large), and 0 for a change
// made after the headers went out (ErrModifiedAfterCommit: it is logged,
// and everything else was saved), which leaves the response as it is.
func ErrorStatus(err error) int {
	if err == nil {
		return 0
	}
	switch {
	case errors.Is(err, ErrStore), errors.Is(err, ErrLockTimeout), errors.Is(err, ErrLockLost), errors.Is(err, ErrConflict):
		return http.StatusServiceUnavailable
	case isWarning(err):
		return 0
	default:
		return http.StatusInternalServerError
	}
}

// isWarning reports whether every error joined in err is a warning.
func isWarning(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !isWarning(e) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, ErrModifiedAfterCommit)
}
