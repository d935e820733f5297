package core

import (
	"crypto/rand"
	"encoding/hex"
)

// idBytes is the entropy of a session id: 160 bits from crypto/rand, written
// as 40 lowercase hex digits (the length of CodeIgniter 3's ids). Lowercase
// keeps ids distinct on case-insensitive file systems.
const (
	idBytes  = 20
	idLength = 2 * idBytes
)

// newID returns a fresh session id.
func newID() string {
	var raw [idBytes]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails (it aborts the program instead)
	var out [idLength]byte
	hex.Encode(out[:], raw[:])
	return string(out[:])
}

// validEngineID reports whether id has the form newID produces. Ids a client
// sends are checked before any store sees them.
func validEngineID(id string) bool {
	if len(id) != idLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// newToken returns a fresh CSRF or one-time token: 256 bits, as 64 hex digits.
func newToken() string {
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	return hex.EncodeToString(raw[:])
}
