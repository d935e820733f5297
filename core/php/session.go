package php

import (
	"bytes"
	"fmt"
	"strings"
)

// Entry is one $_SESSION variable: its key and its value, mapped to Go as
// the package documentation describes.
type Entry struct {
	Key   string
	Value any
}

// DecodeSession decodes a session payload in the format of PHP's default
// session serializer (session.serialize_handler = php): each variable as
// its key, '|', and its value in serialize() format. It returns the
// variables in payload order, which EncodeSession keeps, so that an
// unchanged session encodes back to the same bytes.
//
// An empty payload is an empty session: no entries and no error (PHP
// stores an empty session as zero bytes). A key is everything up to the
// next '|' and may be any bytes, even empty; a key that PHP's
// session_decode() accepts but a PHP script cannot reach (an integer-like
// one, see IntegerKey) is returned too, and EncodeSession refuses it. A
// key that occurs twice is returned twice: PHP keeps the later value, at
// the first one's place.
//
// Anything else, including bytes after the last value that hold no '|'
// (which makes PHP's session_decode() fail and destroy the session), is a
// *SyntaxError whose offset counts from the start of b. Decode's
// guarantees hold.
func DecodeSession(b []byte) ([]Entry, error) {
	d := decoder{b: b}
	var out []Entry
	for d.off < len(b) {
		i := bytes.IndexByte(b[d.off:], '|')
		if i < 0 {
			return nil, d.errorf(d.off, "session data without '|' after a key")
		}
		key := string(b[d.off : d.off+i])
		d.off += i + 1
		v, err := d.value(0)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Key: key, Value: v})
	}
	return out, nil
}

// EncodeSession encodes entries, in order, in the format of PHP's default
// session serializer: what a PHP session handler reads and writes. No
// entries encode to an empty, non-nil slice, which is what PHP writes for
// an empty session (its session_encode() returns false then).
//
// A key that $_SESSION cannot hold (see CheckKey) is an error wrapping
// ErrUnstorableKey; a value is encoded as by Encode, and its errors are
// wrapped with its key. Values in one payload are numbered together, so
// a Raw holding references must come back at the position it was decoded
// from (see "Objects and references" in the package documentation).
func EncodeSession(entries []Entry) ([]byte, error) {
	e := encoder{b: []byte{}}
	for _, en := range entries {
		if err := CheckKey(en.Key); err != nil {
			return nil, err
		}
		e.b = append(e.b, en.Key...)
		e.b = append(e.b, '|')
		if err := e.value(en.Value, 0); err != nil {
			return nil, fmt.Errorf("php: session key %q: %w", en.Key, err)
		}
	}
	if e.check {
		if _, err := DecodeSession(e.b); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrReferenceMoved, err)
		}
	}
	return e.b, nil
}

// CheckKey returns nil when key can be a $_SESSION key, and otherwise an
// error wrapping ErrUnstorableKey: for a key containing '|', which ends a
// key in the payload (PHP's session_encode() fails on it), and for an
// integer-like key (see IntegerKey), which PHP turns into an int key that
// session_encode() skips. Every other string is a valid key, even "".
func CheckKey(key string) error {
	if strings.IndexByte(key, '|') >= 0 {
		return fmt.Errorf("%w: %q contains '|'", ErrUnstorableKey, key)
	}
	if _, ok := IntegerKey(key); ok {
		return fmt.Errorf("%w: %q is an integer key, which session_encode() skips", ErrUnstorableKey, key)
	}
	return nil
}
