//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/flock"
	"github.com/ignitego/session/internal/lease"

	"github.com/ignitego/session/internal/backoff"
	"github.com/ignitego/session/internal/storeid"
)

// DefaultLockTTL is the ttl Lock uses when it is given none (ttl <= 0).
const DefaultLockTTL = time.Minute

// lockSuffix ends the name of a session's lock file; no valid id has '.'.
const lockSuffix = ".lock"

// Lock takes the exclusive lock on the session id, waiting (polling with
// backoff, see WithLockPoll) until its holder releases it, the holder's ttl
// passes, or ctx is done.
//
// An id that holds no session gets no lock: Lock creates no directory and
// no file for it, and returns a Lease that does nothing. The engine
// locks the id a client sends before it loads the session, and never
// adopts an id that holds none, so there is nothing to protect; and ids
// that clients make up cannot fill the directory with lock files.
//
// The lock is a flock(2) on dir/aa/bb/<id>.lock, held until unlock: when the
// holding process dies, the operating system releases it at once, whatever
// the ttl. The file also records when the holder's ttl ends, so that a
// holder that is alive but never unlocks loses the lock to the next waiter
// after ttl (ttl <= 0 means DefaultLockTTL); the Lease's Renew records a
// new end. Its Unlock releases the lock and removes the file; calling it
// again does nothing.
func (s *Store) Lock(ctx context.Context, id string, ttl time.Duration) (core.Lease, error) {
	if err := storeid.Check(ctx, "filestore", "lock", id); err != nil {
		return nil, err
	}
	if ttl <= 0 {
		ttl = DefaultLockTTL
	}
	b := backoff.New(s.opts.lockPoll)
	for {
		if _, err := os.Lstat(s.file(id)); errors.Is(err, fs.ErrNotExist) {
			return noLease{}, nil // looked at again under the leaf lock when it exists
		}
		var held *os.File
		none := false
		err := s.withLeaf(ctx, "lock", id, false, func(file string) error {
			if _, err := os.Lstat(file); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					none = true // deleted meanwhile
					return nil
				}
				return err
			}
			f, err := tryLock(file+lockSuffix, ttl)
			held = f
			return err
		})
		if errors.Is(err, errNoLeaf) || err == nil && none {
			return noLease{}, nil
		}
		if err != nil {
			return nil, err
		}
		if held != nil {
			return s.lease(id, held), nil
		}
		if err := b.Wait(ctx); err != nil {
			return nil, fmt.Errorf("filestore: lock session %s: %w", storeid.Short(id), err)
		}
	}
}

// noLease is the Lease of a lock not taken, on an id that holds no session.
type noLease struct{}

func (noLease) Renew(context.Context, time.Duration) error { return nil }
func (noLease) Unlock(context.Context) error               { return nil }

// tryLock takes the lock file at path if no one holds it, or if its holder
// outlived its ttl, and records the new ttl in it. It returns the open lock
// file, or nil when the lock is held. The caller holds the leaf lock.
func tryLock(path string, ttl time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	ok, err := flock.TryExclusive(f)
	if err == nil && !ok {
		until, rerr := readUntil(f)
		_ = f.Close()
		if rerr != nil || time.Now().Before(until) {
			return nil, nil // held, within its ttl (or with no readable ttl)
		}
		// The holder is alive but outlived its ttl. Its flock stays on the
		// file it opened; the lock moves to a new file at the same path, so
		// that the old holder's unlock, seeing another file there, leaves it.
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return nil, err
		}
		if ok, err = flock.TryExclusive(f); err == nil && !ok {
			err = errors.New("a new lock file is already locked")
		}
	}
	if err == nil {
		err = writeUntil(f, time.Now().Add(ttl))
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// lease returns the Lease of the lock file f of id.
func (s *Store) lease(id string, f *os.File) core.Lease {
	// mine reports whether f is still the lock file of id: a holder past its
	// ttl loses the path to a new file. The caller holds the leaf lock.
	closed := false // f is closed: its flock is released
	mine := func(file string) (bool, error) {
		if closed {
			return false, nil
		}
		fi, err := f.Stat()
		if err != nil {
			return false, err
		}
		cur, err := os.Stat(file + lockSuffix)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return err == nil && os.SameFile(fi, cur), err
	}
	renew := func(ctx context.Context, ttl time.Duration) (held bool, err error) {
		err = s.withLeaf(ctx, "renew lock", id, false, func(file string) error {
			if held, err = mine(file); err != nil || !held {
				return err
			}
			return writeUntil(f, time.Now().Add(ttl))
		})
		if errors.Is(err, errNoLeaf) {
			return false, nil
		}
		return held, err
	}
	release := func(ctx context.Context) error {
		err := s.withLeaf(ctx, "unlock", id, false, func(file string) error {
			if ok, err := mine(file); err != nil || !ok {
				return err // taken over after the ttl, or removed
			}
			return os.Remove(file + lockSuffix)
		})
		if errors.Is(err, errNoLeaf) {
			err = nil
		}
		// Closing releases the flock even if the file could not be
		// removed; a lock file no one holds is taken by the next Lock.
		if closed {
			return err
		}
		closed = true
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("filestore: unlock session %s: %w", storeid.Short(id), cerr)
		}
		return err
	}
	return lease.New("filestore", renew, release)
}

// writeUntil records in a lock file when its holder's ttl ends.
func writeUntil(f *os.File, until time.Time) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(until.UnixNano()))
	_, err := f.WriteAt(b[:], 0)
	return err
}

// readUntil reads when the holder's ttl of a lock file ends.
func readUntil(f *os.File) (time.Time, error) {
	var b [8]byte
	if _, err := f.ReadAt(b[:], 0); err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b[:]))), nil
}
