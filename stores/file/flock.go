//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/ignitego/session/internal/flock"

	"github.com/ignitego/session/internal/backoff"
)

// Every leaf directory has a lock file; whoever changes a session file, or
// a session's lock file, holds an exclusive flock on it. The lock is held
// for one file operation, so waiters poll briefly.
const (
	leafLockName = ".lock"
	leafLockPoll = 5 * time.Millisecond
)

// errNoLeaf reports that a leaf directory does not exist and was not to be
// created.
var errNoLeaf = errors.New("no such leaf directory")

// leafMode says what lockLeaf does when the leaf directory or its lock
// file is missing.
type leafMode uint8

const (
	existingLeaf leafMode = iota // a missing directory is errNoLeaf; a missing lock file is made
	newLeaf                      // a missing directory is made, and its lock file
	lockedLeaf                   // either missing is errNoLeaf: nothing is made
)

// withLeaf runs fn(file) with the lock of the leaf directory holding id's
// file. create makes the directory if it is missing; otherwise a missing
// directory is errNoLeaf. Errors are wrapped for op.
func (s *Store) withLeaf(ctx context.Context, op, id string, create bool, fn func(file string) error) error {
	rel := leaf(id)
	mode := existingLeaf
	if create {
		mode = newLeaf
	}
	unlock, err := s.lockLeaf(ctx, rel, mode)
	if err != nil {
		if errors.Is(err, errNoLeaf) {
			return err
		}
		return opError(op, id, err)
	}
	defer unlock()
	if err := fn(s.file(id)); err != nil {
		return opError(op, id, err)
	}
	return nil
}

// lockLeaf takes the lock of the leaf directory rel ("ab/cd"): first this
// process's semaphore for it, then the flock that other processes see.
//
// Collect removes a leaf directory that holds nothing but its lock file,
// under that lock. A writer that opened the lock file before it was
// removed finds, once it holds the flock, that the file is no longer the
// one at the path, and starts again: with newLeaf it makes the directory
// anew, otherwise the leaf is gone (errNoLeaf).
func (s *Store) lockLeaf(ctx context.Context, rel string, mode leafMode) (unlock func(), err error) {
	sem := s.sems[stripe(rel)]
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	f, err := s.openLeafLock(ctx, rel, mode)
	if err != nil {
		<-sem
		return nil, err
	}
	return func() {
		_ = f.Close() // releases the flock
		<-sem
	}, nil
}

// openLeafLock opens the lock file of the leaf directory rel and takes its
// flock, waiting with backoff while another process holds it. The caller
// holds the leaf's semaphore.
func (s *Store) openLeafLock(ctx context.Context, rel string, mode leafMode) (*os.File, error) {
	dir := s.dir + "/" + rel
	path := dir + "/" + leafLockName
	flags := os.O_RDWR | os.O_CREATE
	if mode == lockedLeaf {
		flags = os.O_RDWR
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, flags, 0o600)
		if errors.Is(err, fs.ErrNotExist) {
			if mode != newLeaf {
				return nil, errNoLeaf
			}
			// Collect may remove a parent created here before this
			// directory is: try again.
			if err := os.MkdirAll(dir, 0o700); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		b := backoff.New(leafLockPoll)
		for {
			ok, err := flock.TryExclusive(f)
			if err == nil && ok {
				break
			}
			if err == nil {
				err = b.Wait(ctx)
			}
			if err != nil {
				_ = f.Close()
				return nil, err
			}
		}
		if same, err := isFileAt(f, path); same || err != nil {
			if err != nil {
				_ = f.Close()
				return nil, err
			}
			return f, nil
		}
		_ = f.Close() // removed with its directory while this waited
	}
}

// isFileAt reports whether f is the file at path now.
func isFileAt(f *os.File, path string) (bool, error) {
	mine, err := f.Stat()
	if err != nil {
		return false, err
	}
	cur, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(mine, cur), nil
}

// stripe maps a leaf directory to one of the semaphores (FNV-1a).
func stripe(rel string) int {
	h := uint32(2166136261)
	for i := 0; i < len(rel); i++ {
		h ^= uint32(rel[i])
		h *= 16777619
	}
	return int(h % 256)
}
