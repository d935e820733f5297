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

// withLeaf runs fn(file) with the lock of the leaf directory holding id's
// file. create makes the directory if it is missing; otherwise a missing
// directory is errNoLeaf. Errors are wrapped for op.
func (s *Store) withLeaf(ctx context.Context, op, id string, create bool, fn func(file string) error) error {
	rel := leaf(id)
	unlock, err := s.lockLeaf(ctx, rel, create)
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
func (s *Store) lockLeaf(ctx context.Context, rel string, create bool) (unlock func(), err error) {
	sem := s.sems[stripe(rel)]
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	path := s.dir + "/" + rel + "/" + leafLockName
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		if !create {
			<-sem
			return nil, errNoLeaf
		}
		if err = os.MkdirAll(s.dir+"/"+rel, 0o700); err == nil {
			f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		}
	}
	if err != nil {
		<-sem
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
			<-sem
			return nil, err
		}
	}
	return func() {
		_ = f.Close() // releases the flock
		<-sem
	}, nil
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
