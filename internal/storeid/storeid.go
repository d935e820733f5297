// Package storeid holds what every store does with the ids and errors of its
// calls: the rule for a valid id (core.ValidID is Valid), the check that
// refuses a done context or a malformed id, the wrapping of a backend's
// error, and the short form of an id that logs and errors carry.
package storeid

import (
	"context"
	"errors"
	"fmt"
)

// MaxLength is the longest id a store must accept.
const MaxLength = 256

// Valid reports whether id is acceptable as a store key: 1 to MaxLength
// bytes of ASCII letters, digits, '-', '_' and ','.
func Valid(id string) bool {
	if len(id) == 0 || len(id) > MaxLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == ',') {
			return false
		}
	}
	return true
}

// ErrInvalid is wrapped by the error Check returns for an id Valid refuses.
var ErrInvalid = errors.New("invalid session id")

// Check refuses a done context and an id Valid refuses, with an error that
// starts with the store's name and the operation.
func Check(ctx context.Context, store, op, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %s: %w", store, op, err)
	}
	if !Valid(id) {
		if len(id) > 40 {
			id = id[:40] + "…"
		}
		return fmt.Errorf("%s: %s: %w %q", store, op, ErrInvalid, id)
	}
	return nil
}

// Fail wraps a backend's error for op. When ctx ended, the error also wraps
// ctx.Err(), which a backend may report only as a broken connection or a
// network timeout.
func Fail(ctx context.Context, store, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%s: %s: %w (%w)", store, op, cerr, err)
	}
	return fmt.Errorf("%s: %s: %w", store, op, err)
}

// Short keeps ids out of logs and error strings: the first six characters
// are enough to correlate, and too few to hijack a session.
func Short(id string) string {
	if len(id) > 6 {
		return id[:6] + "…"
	}
	return id
}
