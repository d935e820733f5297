//go:build unix

// Package flock takes flock(2) locks for the stores that keep sessions in
// files (filestore, and the CodeIgniter files layout, which must take the
// very lock PHP's files handler takes).
package flock

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// TryExclusive tries to take an exclusive flock on f without waiting, and
// reports whether it did.
func TryExclusive(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		default:
			return false, fmt.Errorf("flock: %w", err)
		}
	}
}
