//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ignitego/session/internal/flock"

	"github.com/ignitego/session/core"
)

// staleTemp is how old a temporary file must be before Collect takes it for
// the leftover of a crashed write.
const staleTemp = time.Hour

// Collect deletes at most limit expired sessions and returns how many it
// deleted. It walks the leaf directories in order, starting where the
// previous call stopped: a call that returns less than limit has visited
// every directory once. A session file that does not decode counts as
// expired. Along the way it removes temporary files older than an hour
// (left by a crash mid-write) and session lock files no process holds;
// those are not counted.
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
		k, err := s.collectLeaf(ctx, rel, limit-n)
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
// rel, with the stale temporary and lock files it finds there.
func (s *Store) collectLeaf(ctx context.Context, rel string, max int) (int, error) {
	dir := s.dir + "/" + rel
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	now := time.Now()
	var expired, locks []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case isSessionName(name):
			if len(expired) < max && isExpired(dir+"/"+name, now) {
				expired = append(expired, name)
			}
		case strings.HasPrefix(name, tempPrefix):
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTemp {
				_ = os.Remove(dir + "/" + name)
			}
		case strings.HasSuffix(name, lockSuffix) && isSessionName(strings.TrimSuffix(name, lockSuffix)):
			locks = append(locks, name)
		}
	}
	if len(expired) == 0 && len(locks) == 0 {
		return 0, nil
	}
	// Check again under the leaf lock: a session may have been saved anew
	// since, and a lock taken.
	unlock, err := s.lockLeaf(ctx, rel, false)
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
	for _, name := range locks {
		removeIfUnheld(dir + "/" + name)
	}
	return n, nil
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
