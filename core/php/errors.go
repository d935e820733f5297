package php

import (
	"errors"
	"fmt"
	"reflect"
)

var (
	// ErrUnstorableKey is wrapped by the error EncodeSession and CheckKey
	// return for a key that $_SESSION cannot hold: one that contains '|',
	// or an integer-like one (see IntegerKey), which PHP turns into an int
	// key that session_encode() skips.
	ErrUnstorableKey = errors.New("php: key cannot be stored in $_SESSION")

	// ErrTooDeep is returned for a value nested deeper than 64 levels, in
	// either direction; a *SyntaxError from decoding wraps it.
	ErrTooDeep = errors.New("php: nesting deeper than 64 levels")

	// ErrReferenceMoved is wrapped by the error Encode and EncodeSession
	// return when a Raw value holding a PHP reference (r: or R:) would land
	// at another position of the payload than the one it was decoded from,
	// so that the reference would point at another value or at none. See
	// the package documentation, "Objects and references".
	ErrReferenceMoved = errors.New("php: reference would point at another value")
)

// maxDepth bounds the nesting of arrays and objects, in both directions, so
// that hostile input cannot exhaust the stack.
const maxDepth = 64

// SyntaxError reports input that is not valid PHP serialize() or session
// data. Offset is the byte offset, from the start of the input, at which
// the problem was found.
type SyntaxError struct {
	Offset int
	msg    string
	err    error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("php: %s at offset %d", e.msg, e.Offset)
}

// Unwrap returns ErrTooDeep for input nested too deeply, nil otherwise.
func (e *SyntaxError) Unwrap() error { return e.err }

// UnsupportedTypeError is returned by Encode and EncodeSession for a Go
// value whose type has no PHP form (see the package documentation).
type UnsupportedTypeError struct {
	Type reflect.Type
}

func (e *UnsupportedTypeError) Error() string {
	return "php: cannot encode Go type " + e.Type.String()
}

// UnsupportedValueError is returned by Encode and EncodeSession for a value
// of a supported type that PHP cannot hold: an unsigned integer beyond
// int64, or a Raw that holds no value.
type UnsupportedValueError struct {
	Value  any
	Reason string
}

func (e *UnsupportedValueError) Error() string {
	return fmt.Sprintf("php: cannot encode %T %v: %s", e.Value, e.Value, e.Reason)
}
