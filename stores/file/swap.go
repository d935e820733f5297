//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/storeid"
)

// Insert stores data under id only if id holds nothing, or only expired
// data, and reports whether it stored. It holds the session's leaf lock
// from the check to the write, so it is atomic across processes too.
func (s *Store) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	if err := storeid.Check(ctx, "filestore", "insert", id); err != nil {
		return false, err
	}
	stored := false
	err := s.withLeaf(ctx, "insert", id, true, func(file string) error {
		exp, found, err := readExpiry(file)
		if err != nil {
			return err
		}
		if found && !core.Expired(exp, time.Now()) {
			return nil
		}
		if err := s.write(file, data, expiresAt); err != nil {
			return err
		}
		stored = true
		return nil
	})
	return stored, err
}

// CompareAndSwap replaces the data under id with data only if the unexpired
// data stored there equals old, byte for byte, and reports whether it did.
// It holds the session's leaf lock from the comparison to the write.
func (s *Store) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	if err := storeid.Check(ctx, "filestore", "compare and swap", id); err != nil {
		return false, err
	}
	swapped := false
	err := s.withLeaf(ctx, "compare and swap", id, true, func(file string) error {
		b, err := os.ReadFile(file)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		exp, cur, err := decode(b)
		if err != nil {
			return err
		}
		if core.Expired(exp, time.Now()) || !bytes.Equal(cur, old) {
			return nil
		}
		if err := s.write(file, data, expiresAt); err != nil {
			return err
		}
		swapped = true
		return nil
	})
	return swapped, err
}

// readExpiry reads the expiry in the header of a session file; found is
// false when there is no such file.
func readExpiry(file string) (exp time.Time, found bool, err error) {
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, err
	}
	defer f.Close()
	var h [headerSize]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return time.Time{}, true, errCorrupt
		}
		return time.Time{}, true, err
	}
	exp, err = decodeExpiry(h[:])
	return exp, true, err
}
