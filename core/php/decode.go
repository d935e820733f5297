package php

import (
	"fmt"
	"strconv"
)

// Decode decodes one value written by PHP's serialize(), mapped to Go as the
// package documentation describes. The whole input must be that one value:
// trailing bytes are an error.
//
// Decode never panics, whatever the input: input that is not valid returns
// a *SyntaxError with the byte offset of the problem. It accepts what
// unserialize() of PHP 8.2 accepts, with the exceptions the package
// documentation lists under "Decoding".
func Decode(b []byte) (any, error) {
	d := decoder{b: b}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(b) {
		return nil, d.errorf(d.off, "trailing data after the value")
	}
	return v, nil
}

// decoder reads serialize() format from a buffer it never modifies or
// retains: strings and Raw values it returns are copies.
//
// It numbers values the way unserialize() does, so that it can check the
// targets of references: every value takes the next number ("slot"), from
// 1, except R: references and array keys. Numbering goes on across the
// values of a session payload.
type decoder struct {
	b   []byte
	off int

	// base is the number of slots taken before b begins: nonzero when a Raw
	// is parsed again at the position it was decoded from.
	base int
	// objs records, for each slot after base, whether it holds an object,
	// the only kind of value an r: reference may point at.
	objs []bool

	nrefs  int // references seen so far
	minRef int // smallest reference target since the last reset

	// onRef, when set, is called for each reference with the offsets of
	// its number and its target.
	onRef func(start, end, target int)
}

func (d *decoder) errorf(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) slots() int { return d.base + len(d.objs) }

func (d *decoder) push(obj bool) { d.objs = append(d.objs, obj) }

// isObject reports whether slot n holds an object. Slots before base are
// outside what is being parsed and were checked when first decoded.
func (d *decoder) isObject(n int) bool {
	if n <= d.base {
		return true
	}
	return d.objs[n-d.base-1]
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

// expect consumes s or fails at the first byte that differs.
func (d *decoder) expect(s string) error {
	for i := 0; i < len(s); i++ {
		if d.off >= len(d.b) {
			return d.errorf(d.off, "unexpected end of input, want %q", s[i:])
		}
		if d.b[d.off] != s[i] {
			return d.errorf(d.off, "unexpected byte %q, want %q", d.b[d.off], s[i])
		}
		d.off++
	}
	return nil
}

// digits consumes [0-9]* and returns them.
func (d *decoder) digits() []byte {
	start := d.off
	for d.off < len(d.b) && d.b[d.off] >= '0' && d.b[d.off] <= '9' {
		d.off++
	}
	return d.b[start:d.off]
}

// uint consumes an unsigned decimal (a length, a count or a reference)
// followed by term.
func (d *decoder) uint(term byte) (int, error) {
	start := d.off
	ds := d.digits()
	if len(ds) == 0 {
		return 0, d.errorf(start, "want a decimal number")
	}
	n, err := strconv.Atoi(string(ds))
	if err != nil {
		return 0, d.errorf(start, "number %.40s out of range", ds)
	}
	if err := d.expect(string(term)); err != nil {
		return 0, err
	}
	return n, nil
}

// int consumes [+-]?[0-9]+ followed by term, as i: values and int keys are
// written.
func (d *decoder) int(term byte) (int64, error) {
	start := d.off
	if d.off < len(d.b) && (d.b[d.off] == '-' || d.b[d.off] == '+') {
		d.off++
	}
	if len(d.digits()) == 0 {
		return 0, d.errorf(start, "want an integer")
	}
	// PHP clamps an integer out of range to PHP_INT_MAX or PHP_INT_MIN with
	// a warning; it never writes one, so it is an error here.
	n, err := strconv.ParseInt(string(d.b[start:d.off]), 10, 64)
	if err != nil {
		return 0, d.errorf(start, "integer %.40s out of range", d.b[start:d.off])
	}
	if err := d.expect(string(term)); err != nil {
		return 0, err
	}
	return n, nil
}

// header consumes "x:" for the type letter x.
func (d *decoder) header() error {
	if d.remaining() < 2 || d.b[d.off+1] != ':' {
		return d.errorf(d.off, "want ':' after %q", d.b[d.off])
	}
	d.off += 2
	return nil
}

// value decodes the value at d.off.
func (d *decoder) value(depth int) (any, error) {
	start := d.off
	if d.off >= len(d.b) {
		return nil, d.errorf(d.off, "unexpected end of input, want a value")
	}
	if depth > maxDepth {
		return nil, &SyntaxError{Offset: start, msg: "nesting deeper than 64 levels", err: ErrTooDeep}
	}
	c := d.b[d.off]
	switch c {
	case 'N':
		if err := d.expect("N;"); err != nil {
			return nil, err
		}
		d.push(false)
		return nil, nil
	case 'b':
		if err := d.header(); err != nil {
			return nil, err
		}
		if d.off >= len(d.b) || (d.b[d.off] != '0' && d.b[d.off] != '1') {
			return nil, d.errorf(d.off, "want 0 or 1 in a bool")
		}
		v := d.b[d.off] == '1'
		d.off++
		if err := d.expect(";"); err != nil {
			return nil, err
		}
		d.push(false)
		return v, nil
	case 'i':
		if err := d.header(); err != nil {
			return nil, err
		}
		v, err := d.int(';')
		if err != nil {
			return nil, err
		}
		d.push(false)
		return v, nil
	case 'd':
		if err := d.header(); err != nil {
			return nil, err
		}
		v, err := d.float()
		if err != nil {
			return nil, err
		}
		d.push(false)
		return v, nil
	case 's', 'S':
		s, err := d.string()
		if err != nil {
			return nil, err
		}
		d.push(false)
		return s, nil
	case 'a':
		return d.array(depth)
	case 'O', 'C', 'E', 'r', 'R':
		return d.raw(depth)
	}
	return nil, d.errorf(start, "unknown value type %q", c)
}

// string decodes s:<len>:"<bytes>"; or S:<len>:"<escaped>";, the form of
// unserialize() where a backslash and two hex digits stand for a byte.
func (d *decoder) string() (string, error) {
	escaped := d.b[d.off] == 'S'
	if err := d.header(); err != nil {
		return "", err
	}
	n, err := d.uint(':')
	if err != nil {
		return "", err
	}
	if err := d.expect(`"`); err != nil {
		return "", err
	}
	if n > d.remaining() {
		return "", d.errorf(d.off, "string length %d exceeds the %d bytes left", n, d.remaining())
	}
	var s string
	if !escaped {
		s = string(d.b[d.off : d.off+n])
		d.off += n
	} else {
		p := make([]byte, n)
		for i := range p {
			if d.off >= len(d.b) {
				return "", d.errorf(d.off, "unexpected end of input in a string")
			}
			c := d.b[d.off]
			if c == '\\' {
				hi, ok1 := unhex(d.b, d.off+1)
				lo, ok2 := unhex(d.b, d.off+2)
				if !ok1 || !ok2 {
					return "", d.errorf(d.off, "bad escape in a string")
				}
				c = hi<<4 | lo
				d.off += 2
			}
			p[i] = c
			d.off++
		}
		s = string(p)
	}
	if err := d.expect(`";`); err != nil {
		return "", err
	}
	return s, nil
}

func unhex(b []byte, i int) (byte, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// count consumes an element count followed by ":{" and checks that so many
// elements, each at least min bytes, can fit in the input, so that a lying
// count cannot force a huge allocation.
func (d *decoder) count(min int) (int, error) {
	start := d.off
	n, err := d.uint(':')
	if err != nil {
		return 0, err
	}
	if err := d.expect("{"); err != nil {
		return 0, err
	}
	if n > d.remaining()/min {
		return 0, d.errorf(start, "count %d exceeds what the %d bytes left can hold", n, d.remaining())
	}
	return n, nil
}

// key decodes an array key or an object property name: i:, s: or S:.
func (d *decoder) key() (Key, error) {
	if d.off >= len(d.b) {
		return Key{}, d.errorf(d.off, "unexpected end of input, want a key")
	}
	switch d.b[d.off] {
	case 'i':
		if err := d.header(); err != nil {
			return Key{}, err
		}
		n, err := d.int(';')
		return IntKey(n), err
	case 's', 'S':
		s, err := d.string()
		return StringKey(s), err
	}
	return Key{}, d.errorf(d.off, "key must be an int or a string, not %q", d.b[d.off])
}

// array decodes a:<n>:{<key><value>...} into a []any when its keys are 0
// to n-1 in order, into a *Array otherwise.
func (d *decoder) array(depth int) (any, error) {
	if err := d.header(); err != nil {
		return nil, err
	}
	// The smallest element is i:0;N; and the array ends with '}'.
	n, err := d.count(6)
	if err != nil {
		return nil, err
	}
	d.push(false)
	keys := make([]Key, 0, n)
	vals := make([]any, 0, n)
	var idx map[Key]int // built once the keys stop being a list
	for i := range n {
		at := d.off
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		if idx == nil && (k.isStr || k.num != int64(i)) {
			idx = make(map[Key]int, n)
			for j, k := range keys {
				idx[k] = j
			}
		}
		if idx != nil {
			// unserialize() lets a later duplicate replace the value; PHP
			// never writes one, and keeping both would shift references.
			if _, dup := idx[k]; dup {
				return nil, d.errorf(at, "duplicate array key %.40s", k)
			}
			idx[k] = i
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
		vals = append(vals, v)
	}
	if err := d.expect("}"); err != nil {
		return nil, err
	}
	if idx == nil {
		return vals, nil
	}
	return &Array{keys: keys, vals: vals, idx: idx}, nil
}
