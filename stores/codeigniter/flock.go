//go:build unix

package codeigniter

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/lease"

	"github.com/ignitego/session/internal/flock"

	"github.com/ignitego/session/internal/backoff"
)

// flockPoll is the longest pause between two attempts at a flock another
// process (PHP) holds. PHP itself blocks in flock(2); Go polls, so that a
// waiter honours its context.
const flockPoll = 10 * time.Millisecond

// fileLocks is the process's view of the session files it locks. flock(2)
// locks belong to open file descriptions: two descriptors of one file in
// one process exclude each other like two processes do. So the process
// serialises its own access to each file first, and a session lock it
// holds lends its descriptor to the reads and writes made meanwhile.
type fileLocks struct {
	mu sync.Mutex
	m  map[string]*fileEntry
}

// fileEntry is one session file's state in the process.
type fileEntry struct {
	refs int
	sess chan struct{} // the session lock: one holder in the process
	op   chan struct{} // one file operation at a time; guards the fields below
	held *os.File      // the descriptor whose flock the session lock holds; nil when none
	// locked reports that the session lock is held, with or without a
	// descriptor (the file did not exist when it was taken).
	locked bool
}

func newFileLocks() *fileLocks { return &fileLocks{m: make(map[string]*fileEntry)} }

// get returns path's entry, creating it; put releases it.
func (l *fileLocks) get(path string) *fileEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[path]
	if e == nil {
		e = &fileEntry{sess: make(chan struct{}, 1), op: make(chan struct{}, 1)}
		l.m[path] = e
	}
	e.refs++
	return e
}

func (l *fileLocks) put(path string, e *fileEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.refs--; e.refs == 0 {
		delete(l.m, path)
	}
}

// take waits for a place in the semaphore ch, or until ctx is done.
func take(ctx context.Context, ch chan struct{}) error {
	select {
	case ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Lock takes the session lock on id: in the process, then PHP's flock on
// the session file if it exists, waiting while another request holds
// either, until ctx is done. A holder that never unlocks loses the lock
// ttl after it took or last renewed it (300s when ttl <= 0). The Lease's
// Unlock releases it; calling it again does nothing.
func (s *FileStore) Lock(ctx context.Context, id string, ttl time.Duration) (core.Lease, error) {
	if err := check(ctx, "lock", id); err != nil {
		return nil, err
	}
	if ttl <= 0 {
		ttl = lockSeconds * time.Second
	}
	path := s.Path(id)
	e := s.locks.get(path)
	if err := take(ctx, e.sess); err != nil {
		s.locks.put(path, e)
		return nil, fail(ctx, "lock "+shortID(id), err)
	}
	if err := take(ctx, e.op); err != nil {
		<-e.sess
		s.locks.put(path, e)
		return nil, fail(ctx, "lock "+shortID(id), err)
	}
	f, _, err := openLocked(ctx, path, false)
	if err != nil {
		<-e.op
		<-e.sess
		s.locks.put(path, e)
		return nil, fail(ctx, "lock "+shortID(id), err)
	}
	e.held, e.locked = f, true
	<-e.op

	var mu sync.Mutex
	released := false
	release := func() {
		mu.Lock()
		defer mu.Unlock()
		if released {
			return
		}
		released = true
		e.op <- struct{}{}
		if e.held != nil {
			_ = e.held.Close() // releases the flock
			e.held = nil
		}
		e.locked = false
		<-e.op
		<-e.sess
		s.locks.put(path, e)
	}
	timer := time.AfterFunc(ttl, release)
	renew := func(_ context.Context, ttl time.Duration) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		if released {
			return false, nil
		}
		timer.Reset(ttl)
		return true, nil
	}
	return lease.New("codeigniter", renew, func(context.Context) error {
		timer.Stop()
		release()
		return nil
	}), nil
}

// op runs fn with id's session file opened and locked, creating it with
// mode 0600 when create is set and it is missing (then created is true);
// f is nil when it is missing and not to be created. The process's own
// session lock on the file lends its descriptor.
func (s *FileStore) op(ctx context.Context, id string, create bool, fn func(f *os.File, created bool) error) error {
	path := s.Path(id)
	e := s.locks.get(path)
	defer s.locks.put(path, e)
	if err := take(ctx, e.op); err != nil {
		return err
	}
	defer func() { <-e.op }()
	if e.held != nil && sameFile(e.held, path) {
		return fn(e.held, false)
	}
	f, created, err := openLocked(ctx, path, create)
	if err != nil || f == nil {
		if err == nil {
			err = fn(nil, false)
		}
		return err
	}
	if e.locked && e.held == nil {
		// The process holds the session lock of a file that did not exist
		// when it was taken: from now on the lock holds this file's flock.
		e.held = f
		return fn(f, created)
	}
	defer f.Close()
	return fn(f, created)
}

// openLocked opens path and takes its flock, waiting while another process
// holds it, until ctx is done. A missing file is created (mode 0600) when
// create is set, else openLocked returns a nil file. It makes sure that the
// locked file is still the one at path: one removed or replaced while it
// waited is let go, and path opened again.
func openLocked(ctx context.Context, path string, create bool) (f *os.File, created bool, err error) {
	for {
		f, created, err = openFile(path, create)
		if err != nil || f == nil {
			return nil, false, err
		}
		if err := flockWait(ctx, f); err != nil {
			_ = f.Close()
			return nil, false, err
		}
		if sameFile(f, path) {
			return f, created, nil
		}
		_ = f.Close()
	}
}

// openFile opens path for reading and writing, as PHP's fopen(…, 'c+b')
// does, creating it with mode 0600 when create is set.
func openFile(path string, create bool) (*os.File, bool, error) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if errors.Is(err, syscall.ENAMETOOLONG) && !create {
			return nil, false, nil // no file can have that name
		}
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return f, false, err
		}
		if !create {
			return nil, false, nil
		}
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue // created meanwhile: open that one
		}
		if err != nil {
			return nil, false, err
		}
		if err := f.Chmod(0o600); err != nil { // whatever the umask
			_ = f.Close()
			return nil, false, err
		}
		return f, true, nil
	}
}

// flockWait takes an exclusive flock on f, polling while another process
// holds it, until ctx is done.
func flockWait(ctx context.Context, f *os.File) error {
	b := backoff.New(flockPoll)
	for {
		ok, err := flock.TryExclusive(f)
		if err != nil || ok {
			return err
		}
		if err := b.Wait(ctx); err != nil {
			return err
		}
	}
}

// sameFile reports whether f is the file at path now.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}
