//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/storeid"
)

// Store is a core.Store that keeps each session in a file under a
// directory. The zero value is not usable; call New.
//
// It keeps the store contract: Load of a missing, expired or malformed id
// is found=false with a nil error, and an error always means the file
// system failed (or a session file is corrupt); Save of a malformed id is an
// error, Delete of one is nil; a zero expiresAt never expires; Store keeps
// no reference to the data it is given, and the data Load returns belongs
// to the caller. It is safe for concurrent use by goroutines and by
// processes sharing the directory.
type Store struct {
	dir  string
	opts options

	// sems serialise this process's writers of a leaf directory before they
	// take its flock, so that goroutines queue instead of polling.
	sems [256]chan struct{}

	mu     sync.Mutex
	cursor string // the leaf where the last Collect stopped

	stopSweep context.CancelFunc // stops the clean-up New starts
	swept     chan struct{}      // closed when it has ended
}

var (
	_ core.Store     = (*Store)(nil)
	_ core.Swapper   = (*Store)(nil)
	_ core.Locker    = (*Store)(nil)
	_ core.Collector = (*Store)(nil)
)

// New returns a Store keeping sessions under dir, which it creates with mode
// 0700 if it is missing. A relative dir is resolved against the working
// directory now. In the background, it removes what processes that
// crashed left behind: temporary files, lock files no process holds,
// directories left empty. That takes one pass over the directories (a
// second or more for 65,536 of them, the most the engine's ids make);
// Close stops it.
func New(dir string, opts ...Option) (*Store, error) {
	if dir == "" {
		return nil, errors.New("filestore: the directory name is empty")
	}
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("filestore: create the directory: %w", err)
	}
	s := &Store{dir: abs, opts: o, swept: make(chan struct{})}
	for i := range s.sems {
		s.sems[i] = make(chan struct{}, 1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopSweep = cancel
	go func() {
		defer close(s.swept)
		s.sweep(ctx)
	}()
	return s, nil
}

// Dir returns the absolute path of the directory the store keeps sessions in.
func (s *Store) Dir() string { return s.dir }

// Load returns the data stored under id, unless it has expired.
func (s *Store) Load(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("filestore: load: %w", err)
	}
	if !core.ValidID(id) {
		return nil, false, nil
	}
	b, err := os.ReadFile(s.file(id))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, nil
		}
		return nil, false, opError("load", id, err)
	}
	exp, data, err := decode(b)
	if err != nil {
		return nil, false, opError("load", id, err)
	}
	if core.Expired(exp, time.Now()) {
		return nil, false, nil
	}
	return data, true, nil
}

// Save stores data under id until expiresAt, replacing the file atomically.
// An expiresAt in the past stores a session that Load does not see and
// Collect removes.
func (s *Store) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	if err := storeid.Check(ctx, "filestore", "save", id); err != nil {
		return err
	}
	return s.withLeaf(ctx, "save", id, true, func(file string) error {
		return s.write(file, data, expiresAt)
	})
}

// Delete removes the session id.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("filestore: delete: %w", err)
	}
	if !core.ValidID(id) {
		return nil
	}
	err := s.withLeaf(ctx, "delete", id, false, func(file string) error {
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if errors.Is(err, errNoLeaf) {
		return nil // never written
	}
	return err
}

// leaf returns the directory that holds id, relative to the store's: the
// first two and the next two characters of id, padded with '_'.
func leaf(id string) string {
	var p [5]byte
	copy(p[:], "__/__")
	p[0] = id[0]
	if len(id) > 1 {
		p[1] = id[1]
	}
	if len(id) > 2 {
		p[3] = id[2]
	}
	if len(id) > 3 {
		p[4] = id[3]
	}
	return string(p[:])
}

// file returns the path of id's session file. id must be valid.
func (s *Store) file(id string) string {
	return s.dir + "/" + leaf(id) + "/" + fileName(id)
}

// maxPlainName is the longest id used as a file name as it is. File names
// are limited to 255 bytes (less on some file systems), and a lock file
// adds a suffix, so a longer id (core.ValidID allows 256 bytes) is named by
// its hash.
const maxPlainName = 128

// fileName returns the name of id's session file in its leaf directory:
// id itself, or for a long id "~" and the SHA-256 of id in hex ('~' is in no
// valid id, so the two forms never meet).
func fileName(id string) string {
	if len(id) <= maxPlainName {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "~" + hex.EncodeToString(sum[:])
}

// isSessionName reports whether a file name in a leaf directory is a
// session file's, as fileName makes them.
func isSessionName(name string) bool {
	if strings.HasPrefix(name, "~") {
		if len(name) != 1+2*sha256.Size {
			return false
		}
		_, err := hex.DecodeString(name[1:])
		return err == nil
	}
	return len(name) <= maxPlainName && core.ValidID(name)
}

// write replaces file with the header and data, through a temporary file
// in the same directory. The caller holds the leaf's lock.
func (s *Store) write(file string, data []byte, expiresAt time.Time) (err error) {
	f, err := os.CreateTemp(filepath.Dir(file), tempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	h := header(data, expiresAt)
	if _, err = f.Write(h[:]); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if s.opts.sync {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), file)
}

// tempPrefix starts the names of temporary files; no valid id contains '.'.
const tempPrefix = ".tmp-"

// opError wraps err for op on id without the session id in full: file
// system errors carry the path, and a session id in a log is a credential.
func opError(op, id string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("filestore: %s session %s: %s: %w", op, storeid.Short(id), pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("filestore: %s session %s: %s: %w", op, storeid.Short(id), le.Op, le.Err)
	}
	return fmt.Errorf("filestore: %s session %s: %w", op, storeid.Short(id), err)
}
