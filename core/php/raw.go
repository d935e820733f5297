package php

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Raw is a PHP value that Go keeps as the exact bytes serialize() wrote: an
// object (O:), an object with custom serialization (C:), an enum case (E:),
// or a reference (r: to an object, R: to any value). Encode writes those
// bytes back unchanged, so that a session passing through Go keeps objects
// it cannot interpret. Decode returns a Raw for each of them.
//
// A Raw holding references is tied to the position it was decoded from;
// see "Objects and references" in the package documentation.
//
// The zero Raw holds no value; Encode refuses it. A Raw is comparable:
// two Raws are equal when they hold the same bytes decoded at the same
// position.
type Raw struct {
	data  string
	class string
	slot  int   // slots taken before this value, where it was decoded
	slots int   // slots the value takes
	refs  uint8 // refsNone, refsInside or refsOutside
}

// What references a Raw holds.
const (
	refsNone    uint8 = iota
	refsInside        // only to values within the Raw
	refsOutside       // to at least one value before it
)

// ParseRaw returns b, which must be one complete value in serialize()
// format, as a Raw: a way to write a value Go cannot build, such as an
// object, into a payload. References in b are taken to number the values
// of b alone, as in a standalone serialize() result.
func ParseRaw(b []byte) (Raw, error) {
	d := decoder{b: b}
	v, err := d.value(0)
	if err != nil {
		return Raw{}, err
	}
	if d.off != len(b) {
		return Raw{}, d.errorf(d.off, "trailing data after the value")
	}
	if r, ok := v.(Raw); ok {
		return r, nil
	}
	r := Raw{data: string(b), slots: d.slots()}
	if d.nrefs > 0 {
		r.refs = refsInside
	}
	return r, nil
}

// Bytes returns a copy of the value's serialized bytes.
func (r Raw) Bytes() []byte { return []byte(r.data) }

// String returns the value's serialized bytes as a string.
func (r Raw) String() string { return r.data }

// Kind returns the value's type letter: 'O' for an object, 'C' for an
// object with custom serialization, 'E' for an enum case, 'r' or 'R' for
// a reference, or that of whatever value ParseRaw was given; 0 for the zero
// Raw.
func (r Raw) Kind() byte {
	if r.data == "" {
		return 0
	}
	return r.data[0]
}

// Class returns the class name of an object or the enum name of an enum
// case, "" for other values.
func (r Raw) Class() string { return r.class }

// MarshalJSON writes the serialized bytes as a JSON string, so that a Raw
// inside a *Array or a []any does not stop it from being marshaled.
func (r Raw) MarshalJSON() ([]byte, error) { return json.Marshal(r.data) }

// GoString formats r for %#v and test failures.
func (r Raw) GoString() string {
	return fmt.Sprintf("php.Raw(%q@%d)", r.data, r.slot)
}

// at returns the bytes to write for r when the slots before it number
// slot: r's own when that is where it was decoded, or when it holds
// references to none but its own values, renumbered by the difference.
func (r Raw) at(slot int) ([]byte, error) {
	if r.data == "" {
		return nil, &UnsupportedValueError{Value: r, Reason: "the zero Raw holds no value"}
	}
	if r.refs == refsNone || slot == r.slot {
		return []byte(r.data), nil
	}
	if r.refs == refsOutside {
		return nil, fmt.Errorf("%w: %.40q decoded after value %d, written after value %d",
			ErrReferenceMoved, r.data, r.slot, slot)
	}
	delta := slot - r.slot
	src := []byte(r.data)
	out := make([]byte, 0, len(src)+8)
	last := 0
	d := decoder{b: src, base: r.slot}
	d.onRef = func(start, end, target int) {
		out = append(out, src[last:start]...)
		out = strconv.AppendInt(out, int64(target+delta), 10)
		last = end
	}
	if _, err := d.value(0); err != nil {
		return nil, err // cannot happen: r was parsed before
	}
	return append(out, src[last:]...), nil
}

// raw decodes an object, an enum or a reference into a Raw holding its
// bytes.
func (d *decoder) raw(depth int) (any, error) {
	start, slot := d.off, d.slots()
	nrefs, minRef := d.nrefs, d.minRef
	d.minRef = math.MaxInt
	class, err := d.opaque(depth)
	if err != nil {
		return nil, err
	}
	r := Raw{
		data:  string(d.b[start:d.off]),
		class: class,
		slot:  slot,
		slots: d.slots() - slot,
	}
	if d.nrefs > nrefs {
		r.refs = refsInside
		if d.minRef <= slot {
			r.refs = refsOutside
		}
	}
	d.minRef = min(d.minRef, minRef)
	return r, nil
}

// opaque parses the value at d.off, one of O:, C:, E:, r: or R:, and
// returns its class name (empty for references).
func (d *decoder) opaque(depth int) (string, error) {
	c := d.b[d.off]
	if err := d.header(); err != nil {
		return "", err
	}
	switch c {
	case 'r', 'R':
		at := d.off
		t, err := d.uint(';')
		if err != nil {
			return "", err
		}
		if c == 'r' {
			// unserialize() numbers r: before resolving it: it may not
			// point at itself, and must point at an object.
			d.push(true)
			if t < 1 || t >= d.slots() || !d.isObject(t) {
				return "", d.errorf(at, "r:%d does not point at an earlier object", t)
			}
		} else if t < 1 || t > d.slots() {
			return "", d.errorf(at, "R:%d does not point at an earlier value", t)
		}
		d.nrefs++
		d.minRef = min(d.minRef, t)
		if d.onRef != nil {
			d.onRef(at, d.off-1, t)
		}
		return "", nil
	case 'E':
		name, err := d.name()
		if err != nil {
			return "", err
		}
		i := bytes.IndexByte(name, ':')
		if i < 0 || !validClass(name[:i]) || i == len(name)-1 {
			return "", d.errorf(d.off-len(name)-1, "enum name %.40q is not Class:Case", name)
		}
		if err := d.expect(";"); err != nil {
			return "", err
		}
		d.push(true)
		return string(name[:i]), nil
	}
	name, err := d.name()
	if err != nil {
		return "", err
	}
	if !validClass(name) {
		return "", d.errorf(d.off-len(name)-1, "bad class name %.40q", name)
	}
	if err := d.expect(":"); err != nil {
		return "", err
	}
	d.push(true)
	if c == 'C' {
		// Custom (Serializable) data is the class's own format: keep it.
		n, err := d.uint(':')
		if err != nil {
			return "", err
		}
		if err := d.expect("{"); err != nil {
			return "", err
		}
		if n > d.remaining() {
			return "", d.errorf(d.off, "data length %d exceeds the %d bytes left", n, d.remaining())
		}
		d.off += n
		return string(name), d.expect("}")
	}
	// The smallest property is i:0;N; and the object ends with '}'.
	n, err := d.count(6)
	if err != nil {
		return "", err
	}
	for range n {
		if _, err := d.key(); err != nil {
			return "", err
		}
		if _, err := d.value(depth + 1); err != nil {
			return "", err
		}
	}
	return string(name), d.expect("}")
}

// name consumes <len>:"<name>" and returns the name.
func (d *decoder) name() ([]byte, error) {
	n, err := d.uint(':')
	if err != nil {
		return nil, err
	}
	if err := d.expect(`"`); err != nil {
		return nil, err
	}
	if n > d.remaining() {
		return nil, d.errorf(d.off, "name length %d exceeds the %d bytes left", n, d.remaining())
	}
	name := d.b[d.off : d.off+n]
	d.off += n
	return name, d.expect(`"`)
}

// validClass reports whether name is a class name unserialize() accepts:
// letters, digits, '_', bytes from 0x80 and namespace separators, not
// empty and not starting with a separator.
func validClass(name []byte) bool {
	if len(name) == 0 || name[0] == '\\' {
		return false
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '\\' || c >= 0x80
		if !ok {
			return false
		}
	}
	return true
}
