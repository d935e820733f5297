//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import "time"

// FileContent returns what a session file holding data until expiresAt
// contains, for tests and benchmarks that write files directly.
func FileContent(data []byte, expiresAt time.Time) []byte {
	h := header(data, expiresAt)
	return append(h[:], data...)
}

// RelPath returns the path of id's session file relative to the store's
// directory.
func RelPath(id string) string { return leaf(id) + "/" + fileName(id) }

// WaitSweep waits for the clean-up New starts to end.
func (s *Store) WaitSweep() { <-s.swept }
