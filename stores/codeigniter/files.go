//go:build unix

package codeigniter

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ignitego/session/internal/flock"
)

type filesHandler struct{ dir string }

func (h filesHandler) open(app App) (Store, error) {
	if h.dir == "" {
		return nil, errors.New("codeigniter: Files: the directory name is empty")
	}
	abs, err := filepath.Abs(h.dir)
	if err != nil {
		return nil, fmt.Errorf("codeigniter: Files: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("codeigniter: Files: create the directory: %w", err)
	}
	return &FileStore{dir: abs, app: app, prefix: app.CookieName, locks: newFileLocks()}, nil
}

// FileStore is CodeIgniter's files handler: the session id lives in the file
// dir/<cookie name><id> (with App.MatchIP, dir/<cookie name><md5 of the IP
// in hex><id>, as CodeIgniter 3.1 and 4 name it), mode 0600, holding the
// session payload and nothing else. CodeIgniter expires a session file
// App.Expiration after its modification time; so does the store, which
// sets the time accordingly: a session saved until expiresAt is modified
// at expiresAt less the expiration (now, for the engine's saves), and one
// that never expires in 2100.
//
// The lock is PHP's: an exclusive flock(2) on the session file, held from
// the session's first read to the end of the request. A request in Go
// waits while PHP holds it, and PHP waits while Go does. Within the
// process, goroutines queue on the lock of each file; reads and writes
// made while the process holds a session's lock use the lock's own file
// descriptor, so they never wait for it. Like PHP, the store writes
// session files in place, which is safe because every reader, PHP or Go,
// holds the file's lock. Unlike PHP, which empties the file and then
// writes, it cuts the file to the new length and then writes, so that a
// process killed mid-write never leaves an empty file, which would read as
// a valid empty session. A session file that does not exist is not
// created to lock it (a PHP application with session.use_strict_mode
// accepts any id that has a file): the lock then holds within the process
// only, until the session file is created.
//
// The store keeps the core.Store contract except that file names end at
// 255 bytes: the cookie name and the id must fit (an id of 245 bytes with
// the default cookie name, 213 with MatchIP; PHP's ids have at most 256
// characters, and CodeIgniter cannot store longer ones either).
type FileStore struct {
	dir    string
	app    App
	prefix string
	locks  *fileLocks
}

var _ Store = (*FileStore)(nil)

// ForIP returns the store as a request from ip sees it: with App.MatchIP,
// file names carry the MD5 of the IP, as CodeIgniter names them.
func (s *FileStore) ForIP(ip string) Store {
	if !s.app.MatchIP {
		return s
	}
	sum := md5.Sum([]byte(clientIP(ip)))
	return &FileStore{dir: s.dir, app: s.app, prefix: s.app.CookieName + hex.EncodeToString(sum[:]), locks: s.locks}
}

// Dir returns the absolute path of the session directory.
func (s *FileStore) Dir() string { return s.dir }

// Path returns the path of the session file of id, which must be valid
// (core.ValidID).
func (s *FileStore) Path(id string) string { return s.dir + string(filepath.Separator) + s.prefix + id }

// farFuture is the modification time of a session that never expires.
var farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// mtimeFor is the modification time of a session saved until expiresAt.
func (s *FileStore) mtimeFor(expiresAt time.Time) time.Time {
	if expiresAt.IsZero() {
		return farFuture
	}
	return expiresAt.Add(-s.app.lifetime())
}

// expired reports whether a session file modified at mtime has expired.
func (s *FileStore) expired(mtime time.Time) bool {
	return !time.Now().Before(mtime.Add(s.app.lifetime()))
}

// Load returns the session in id's file, unless the file is missing or
// expired. It reads under the file's lock.
func (s *FileStore) Load(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fail(ctx, "load", err)
	}
	if check(ctx, "load", id) != nil {
		return nil, false, nil
	}
	var data []byte
	found := false
	err := s.op(ctx, id, false, func(f *os.File, _ bool) error {
		if f == nil {
			return nil
		}
		fi, err := f.Stat()
		if err != nil || s.expired(fi.ModTime()) {
			return err
		}
		data, err = readAll(f, fi.Size())
		found = err == nil
		return err
	})
	if err != nil {
		return nil, false, fail(ctx, "load "+shortID(id), err)
	}
	return data, found, nil
}

// Save writes data in id's file, creating it with mode 0600 if it is
// missing, and sets its modification time so that it expires at
// expiresAt.
func (s *FileStore) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	if err := check(ctx, "save", id); err != nil {
		return err
	}
	err := s.op(ctx, id, true, func(f *os.File, _ bool) error {
		return s.write(f, id, data, expiresAt)
	})
	if err != nil {
		return fail(ctx, "save "+shortID(id), err)
	}
	return nil
}

// Delete removes id's file, under its lock.
func (s *FileStore) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fail(ctx, "delete", err)
	}
	if check(ctx, "delete", id) != nil {
		return nil
	}
	err := s.op(ctx, id, false, func(f *os.File, _ bool) error {
		if f == nil {
			return nil
		}
		if err := os.Remove(s.Path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return fail(ctx, "delete "+shortID(id), err)
	}
	return nil
}

// Insert writes id's file if it is missing or expired.
func (s *FileStore) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	if err := check(ctx, "insert", id); err != nil {
		return false, err
	}
	stored := false
	err := s.op(ctx, id, true, func(f *os.File, created bool) error {
		if !created {
			fi, err := f.Stat()
			if err != nil {
				return err
			}
			if !s.expired(fi.ModTime()) {
				return nil
			}
		}
		stored = true
		return s.write(f, id, data, expiresAt)
	})
	if err != nil {
		return false, fail(ctx, "insert "+shortID(id), err)
	}
	return stored, nil
}

// CompareAndSwap rewrites id's file with data if it holds old and has not
// expired, under the file's lock.
func (s *FileStore) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	if err := check(ctx, "swap", id); err != nil {
		return false, err
	}
	swapped := false
	err := s.op(ctx, id, false, func(f *os.File, _ bool) error {
		if f == nil {
			return nil
		}
		fi, err := f.Stat()
		if err != nil || s.expired(fi.ModTime()) || fi.Size() != int64(len(old)) {
			return err
		}
		cur, err := readAll(f, fi.Size())
		if err != nil || string(cur) != string(old) {
			return err
		}
		swapped = true
		return s.write(f, id, data, expiresAt)
	})
	if err != nil {
		return false, fail(ctx, "swap "+shortID(id), err)
	}
	return swapped, nil
}

// write replaces the contents of f, id's locked file, with data in place,
// and dates it for expiresAt. A longer file is cut to the new length
// first, then written over. PHP empties the file first: a process killed
// between its two steps leaves an empty file, which reads as a valid empty
// session. Killed between these two, a process leaves the start of the old
// session cut short, which does not decode unless the cut falls exactly
// between two of its variables: the engine logs it and starts a fresh
// session (see "Crash safety" in docs/concurrency.md).
func (s *FileStore) write(f *os.File, id string, data []byte, expiresAt time.Time) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() > int64(len(data)) {
		if err := f.Truncate(int64(len(data))); err != nil {
			return err
		}
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return err
	}
	return os.Chtimes(s.Path(id), time.Now(), s.mtimeFor(expiresAt))
}

// readAll reads the size bytes of f from its start.
func readAll(f *os.File, size int64) ([]byte, error) {
	data := make([]byte, size)
	n, err := f.ReadAt(data, 0)
	if err == io.EOF {
		err = nil // truncated meanwhile: cannot happen under the lock
	}
	return data[:n], err
}

// Collect deletes at most limit expired session files of the application,
// those CodeIgniter's garbage collector would delete: files named after the
// cookie name (and the MD5 of an IP under App.MatchIP) and a session id,
// modified longer than the expiration ago. A file whose lock another
// request holds is in use, and left alone.
func (s *FileStore) Collect(ctx context.Context, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fail(ctx, "collect", err)
	}
	dir, err := os.Open(s.dir)
	if err != nil {
		return 0, fail(ctx, "collect", err)
	}
	defer dir.Close()
	deleted := 0
	for deleted < limit {
		names, err := dir.Readdirnames(256)
		for _, name := range names {
			if deleted >= limit {
				break
			}
			if err := ctx.Err(); err != nil {
				return deleted, fail(ctx, "collect", err)
			}
			if _, ok := s.sessionFile(name); !ok {
				continue
			}
			fi, err := os.Lstat(filepath.Join(s.dir, name))
			if err != nil || !fi.Mode().IsRegular() || !s.expired(fi.ModTime()) {
				continue
			}
			gone, err := s.collectOne(ctx, name)
			if err != nil {
				return deleted, fail(ctx, "collect", err)
			}
			if gone {
				deleted++
			}
		}
		if errors.Is(err, io.EOF) || len(names) == 0 {
			break
		}
		if err != nil {
			return deleted, fail(ctx, "collect", err)
		}
	}
	return deleted, nil
}

// sessionFile reports whether name is one of the application's session
// files, as CodeIgniter's garbage collector matches them: the cookie name,
// under App.MatchIP 32 lowercase hex digits, then a session id of the
// application's form. It returns the id.
func (s *FileStore) sessionFile(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, s.app.CookieName)
	if !ok {
		return "", false
	}
	if s.app.MatchIP {
		if len(rest) < 32 || !isLowerHex(rest[:32]) {
			return "", false
		}
		rest = rest[32:]
	}
	return rest, s.app.validID(rest)
}

// collectOne deletes the session file name if it is still expired and no
// one holds its lock.
func (s *FileStore) collectOne(ctx context.Context, name string) (bool, error) {
	path := filepath.Join(s.dir, name)
	e := s.locks.get(path)
	defer s.locks.put(path, e)
	if err := take(ctx, e.op); err != nil {
		return false, err
	}
	defer func() { <-e.op }()
	if e.locked {
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	ok, err := flock.TryExclusive(f)
	if err != nil || !ok {
		return false, err
	}
	fi, err := f.Stat()
	if err != nil || !s.expired(fi.ModTime()) || !sameFile(f, path) {
		return false, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return true, nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
