//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ignitego/session/internal/flock"

	"github.com/ignitego/session/core"
)

// staleTemp is how old a temporary file must be before Collect removes it
// as the leftover of a write that crashed. Age alone is no proof: Collect
// removes one only under its leaf's lock, which every write holds from
// creating its temporary file to renaming it, so a write in progress, in
// any process, is never touched. The age spares a write made without the
// lock, by a tool that copies session files, say.
const staleTemp = 10 * time.Second

// Collect deletes at most limit expired sessions and returns how many it
// deleted. It walks the leaf directories in order, starting where the
// previous call stopped: a call that returns less than limit has visited
// every directory once. A session file that does not decode counts as
// expired. Along the way it removes temporary files left by writes that
// crashed, session lock files no process holds, and directories left
// empty; those are not counted.
func (s *Store) Collect(ctx context.Context, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("filestore: collect: %w", err)
	}
	if limit <= 0 {
		return 0, nil
	}
	leaves, err := s.leaves()
	if err != nil {
		return 0, fmt.Errorf("filestore: collect: %w", err)
	}
	if len(leaves) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	start, _ := slices.BinarySearch(leaves, s.cursor)
	s.mu.Unlock()
	n := 0
	for i := range leaves {
		rel := leaves[(start+i)%len(leaves)]
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("filestore: collect: %w", err)
		}
		k, err := s.collectLeaf(ctx, rel, limit-n, existingLeaf)
		n += k
		if err != nil {
			return n, fmt.Errorf("filestore: collect %s: %w", rel, err)
		}
		if n >= limit {
			s.mu.Lock()
			s.cursor = rel // it may hold more
			s.mu.Unlock()
			return n, nil
		}
	}
	return n, nil
}

// leaves lists the leaf directories ("ab/cd"), sorted.
func (s *Store) leaves() ([]string, error) {
	tops, err := os.ReadDir(s.dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, top := range tops {
		if !top.IsDir() || !isShard(top.Name()) {
			continue
		}
		subs, err := os.ReadDir(s.dir + "/" + top.Name())
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		for _, sub := range subs {
			if sub.IsDir() && isShard(sub.Name()) {
				out = append(out, top.Name()+"/"+sub.Name())
			}
		}
	}
	return out, nil // ReadDir sorts, and so the concatenation is sorted
}

// isShard reports whether name can be a directory level of the layout.
func isShard(name string) bool { return len(name) == 2 && core.ValidID(name) }

// collectLeaf removes at most max expired sessions from the leaf directory
// rel, with the leftover temporary and lock files it finds there, and the
// directory itself when nothing else is left in it. mode is how it takes
// the leaf's lock.
func (s *Store) collectLeaf(ctx context.Context, rel string, max int, mode leafMode) (int, error) {
	dir := s.dir + "/" + rel
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	now := time.Now()
	var expired, locks, temps []string
	kept := 0 // entries that stay: live sessions, young temporary files, strangers
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == leafLockName:
		case isSessionName(name):
			if len(expired) < max && isExpired(dir+"/"+name, now) {
				expired = append(expired, name)
			} else {
				kept++
			}
		case strings.HasPrefix(name, tempPrefix):
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTemp {
				temps = append(temps, name)
			} else {
				kept++
			}
		case strings.HasSuffix(name, lockSuffix) && isSessionName(strings.TrimSuffix(name, lockSuffix)):
			locks = append(locks, name)
		default:
			kept++
		}
	}
	if len(expired) == 0 && len(locks) == 0 && len(temps) == 0 && kept > 0 {
		return 0, nil
	}
	// Check again under the leaf lock: a session may have been saved anew
	// since, and a lock taken. No write is in progress while it is held.
	unlock, err := s.lockLeaf(ctx, rel, mode)
	if err != nil {
		if errors.Is(err, errNoLeaf) {
			return 0, nil
		}
		return 0, err
	}
	defer unlock()
	n := 0
	for _, name := range expired {
		path := dir + "/" + name
		if !isExpired(path, time.Now()) {
			continue
		}
		if err := os.Remove(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return n, err
		}
		n++
	}
	for _, name := range temps {
		_ = os.Remove(dir + "/" + name)
	}
	for _, name := range locks {
		removeIfUnheld(dir + "/" + name)
	}
	s.removeIfEmpty(rel)
	return n, nil
}

// removeIfEmpty removes the leaf directory rel, and its parent, when the
// leaf holds nothing but its lock file. The caller holds the leaf lock: a
// writer waiting for it sees the lock file gone and makes the directory
// anew (see lockLeaf).
func (s *Store) removeIfEmpty(rel string) {
	dir := s.dir + "/" + rel
	names, err := readNames(dir, 2)
	if err != nil || len(names) != 1 || names[0] != leafLockName {
		return
	}
	if os.Remove(dir+"/"+leafLockName) != nil {
		return
	}
	if os.Remove(dir) == nil { // fails if a writer has created a file since
		_ = os.Remove(filepath.Dir(dir)) // fails unless it was the last leaf
	}
}

// readNames returns at most n names of the entries of dir.
func readNames(dir string, n int) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(n)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return names, err
}

// isExpired reports whether the session file at path has expired or does
// not decode; a file that vanished or cannot be read is left alone.
func isExpired(path string, now time.Time) bool {
	exp, found, err := readExpiry(path)
	if errors.Is(err, errCorrupt) {
		return true
	}
	return err == nil && found && core.Expired(exp, now)
}

// removeIfUnheld removes a session lock file that no process holds. The
// caller holds the leaf lock, under which every Lock takes its file.
func removeIfUnheld(path string) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer f.Close()
	if ok, err := flock.TryExclusive(f); err == nil && ok {
		_ = os.Remove(path)
	}
}

// sweepWait bounds how long sweep waits for one leaf's lock.
const sweepWait = 50 * time.Millisecond

// sweep removes, in every leaf directory, the temporary files crashed
// writes left, the session lock files no process holds and the directories
// left empty, as Collect does, but no session; it makes no file, so that it
// never gets in the way of removing the store's directory. New starts it
// in the background, and Close stops it. It is best effort: a leaf it
// cannot clean now (its lock busy past sweepWait, say) is cleaned by a
// later Collect.
func (s *Store) sweep(ctx context.Context) {
	leaves, err := s.leaves()
	if err != nil {
		return
	}
	for _, rel := range leaves {
		if ctx.Err() != nil {
			return
		}
		lctx, cancel := context.WithTimeout(ctx, sweepWait)
		_, _ = s.collectLeaf(lctx, rel, 0, lockedLeaf)
		cancel()
	}
}

// Close stops the clean-up New started in the background (see New) and
// waits for it to end. The Store stays usable; only tests that remove the
// directory right after New need to call it, and calling it again does
// nothing.
func (s *Store) Close() error {
	s.stopSweep()
	<-s.swept
	return nil
}
