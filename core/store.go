package core

import (
	"context"
	"time"

	"github.com/ignitego/session/internal/storeid"
)

// Store keeps session data on the server, as opaque bytes with an expiry.
// The engine decides what the bytes mean; a store only moves them.
//
// The contract every implementation keeps (core/storetest checks it):
//
//   - Load of an id that holds nothing, holds only expired data, or is not a
//     valid id (see ValidID) returns found=false and a nil error.
//   - An error means the store failed (down, timed out, corrupt); it never
//     means "not found". Errors honour ctx: a cancelled or expired context
//     makes the call return an error that wraps ctx.Err().
//   - Save stores data under id until expiresAt; a zero expiresAt never
//     expires; an expiresAt in the past stores nothing that Load can see.
//     Save of an invalid id is an error.
//   - Delete of an id that holds nothing, or of an invalid id, returns nil.
//   - A store keeps no reference to data after Save returns, and the slice
//     Load returns belongs to the caller.
//   - Every method is safe for concurrent use.
//   - A store handed a client (a *gorm.DB, a redis.UniversalClient) never
//     closes it.
//
// The engine validates ids before they reach a store and enforces expiry
// itself; a store checks ids again and treats its own expiry as a backstop.
type Store interface {
	Load(ctx context.Context, id string) (data []byte, found bool, err error)
	Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error // zero expiresAt: no expiry
	Delete(ctx context.Context, id string) error
}

// Swapper is an optional Store ability: conditional writes that are atomic
// with respect to every other call on the same id. With it, concurrent
// requests on one session merge their changes instead of overwriting each
// other (see "Concurrency" in the package documentation). Without it the
// engine emulates both methods with Load and Save, which narrows the window
// for lost updates but cannot close it.
type Swapper interface {
	// Insert stores data under id only if id holds nothing, or only expired
	// data. It reports whether it stored.
	Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (stored bool, err error)

	// CompareAndSwap replaces the data under id with data only if the
	// unexpired data stored there is byte for byte equal to old. It reports
	// whether it stored; it stores nothing when id holds nothing.
	CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (swapped bool, err error)
}

// Locker is an optional Store ability that Config.Lock requires: an
// exclusive lock per session id, held from the first access to the session
// until the request ends, as CodeIgniter 3 does.
type Locker interface {
	// Lock blocks until the caller holds the lock on id or ctx is done; in
	// the latter case it returns an error wrapping ctx.Err(). The lock lapses
	// ttl after it was taken or last renewed, so that a holder that can no
	// longer release it (a crashed process, a store that was down when it
	// tried) does not keep others out for longer. Lock gives the lock a
	// random token that the returned Lease holds: only that lease renews or
	// releases it. When Lock fails after it may have taken the lock (the
	// store's reply was lost), it returns the error together with a Lease
	// whose Unlock releases the lock if it was taken; the engine releases
	// it as soon as the store answers. For an id that holds no session, a
	// store may take no lock and return at once: the engine never adopts
	// such an id.
	Lock(ctx context.Context, id string, ttl time.Duration) (Lease, error)
}

// Lease is one holder's claim on a session lock, from Locker.Lock. Its
// methods are safe for concurrent use.
type Lease interface {
	// Renew makes the lock lapse ttl from now. It returns an error wrapping
	// ErrLockLost when the lock is no longer this lease's: it lapsed and
	// another holder took it, or it was released.
	Renew(ctx context.Context, ttl time.Duration) error

	// Unlock releases the lock if it is still this lease's. Once it has
	// succeeded, later calls return nil; after a failure it may be called
	// again.
	Unlock(ctx context.Context) error
}

// InProcess is an optional Store ability: a store whose calls never wait on
// I/O or on another process (memstore, nullstore) says so, and the engine
// then gives its calls no Config.StoreTimeout deadline, which would cost
// more than the calls. A store that reaches a disk or a server must not
// implement it.
type InProcess interface {
	InProcess()
}

// Collector is an optional Store ability for stores without native expiry
// (files, SQL tables, memory): removing expired sessions. The Manager calls it
// every Config.GCInterval and stops on Close; Manager.Collect runs it on demand.
type Collector interface {
	// Collect deletes at most limit expired sessions and returns how many it
	// deleted. The Manager calls it again while it returns limit.
	Collect(ctx context.Context, limit int) (deleted int, err error)
}

// MaxIDLength is the longest id a store must accept.
const MaxIDLength = 256

// ValidID reports whether id is acceptable as a store key: 1 to 256 bytes of
// ASCII letters, digits, '-', '_' and ','. Every id the engine generates
// passes, and so do PHP's (for sessions shared with a PHP application). Ids
// such as "../x", "a/b", "" or one with a NUL byte do not, so a store can use
// a valid id in a file name or a key without escaping it.
func ValidID(id string) bool { return storeid.Valid(id) }

// Expired reports whether a record saved with expiresAt has expired at now.
// A zero expiresAt never expires. Stores use it so that they all agree on the
// boundary: data is visible strictly before expiresAt.
func Expired(expiresAt, now time.Time) bool {
	return !expiresAt.IsZero() && !now.Before(expiresAt)
}
