package core

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/ignitego/session/core/internal/jsongeneric"
)

// The value codec turns the values handlers store into bytes and back, each
// value prefixed by a tag naming its Go type, so that it comes back with the
// same type: no reflection for the common kinds and no gob registration.
// Other types (structs, named types, pointers, other slices and maps) are
// stored as JSON; Get[T] decodes them into T, and Userdata returns their
// generic JSON form (map[string]any, []any, string, int64, float64, bool).
//
// The tag numbers are part of the stored format: never renumber them.
const (
	tagNil byte = iota
	tagFalse
	tagTrue
	tagString
	tagBytes
	tagInt
	tagInt8
	tagInt16
	tagInt32
	tagInt64
	tagUint
	tagUint8
	tagUint16
	tagUint32
	tagUint64
	tagUintptr
	tagFloat32
	tagFloat64
	tagComplex64
	tagComplex128
	tagTime
	tagDuration
	tagStrings
	tagSlice
	tagMap
	tagJSON
)

// maxDepth bounds the nesting of []any and map[string]any, in both
// directions, so that hostile input cannot exhaust the stack.
const maxDepth = jsongeneric.MaxDepth

var errTooDeep = errors.New("nesting deeper than 64 levels")

// appendValue appends the encoding of v to b.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return b, errTooDeep
	}
	switch x := v.(type) {
	case nil:
		return append(b, tagNil), nil
	case bool:
		if x {
			return append(b, tagTrue), nil
		}
		return append(b, tagFalse), nil
	case string:
		return appendString(append(b, tagString), x), nil
	case []byte:
		b = binary.AppendUvarint(append(b, tagBytes), uint64(len(x)))
		return append(b, x...), nil
	case int:
		return binary.AppendVarint(append(b, tagInt), int64(x)), nil
	case int8:
		return binary.AppendVarint(append(b, tagInt8), int64(x)), nil
	case int16:
		return binary.AppendVarint(append(b, tagInt16), int64(x)), nil
	case int32:
		return binary.AppendVarint(append(b, tagInt32), int64(x)), nil
	case int64:
		return binary.AppendVarint(append(b, tagInt64), x), nil
	case uint:
		return binary.AppendUvarint(append(b, tagUint), uint64(x)), nil
	case uint8:
		return binary.AppendUvarint(append(b, tagUint8), uint64(x)), nil
	case uint16:
		return binary.AppendUvarint(append(b, tagUint16), uint64(x)), nil
	case uint32:
		return binary.AppendUvarint(append(b, tagUint32), uint64(x)), nil
	case uint64:
		return binary.AppendUvarint(append(b, tagUint64), x), nil
	case uintptr:
		return binary.AppendUvarint(append(b, tagUintptr), uint64(x)), nil
	case float32:
		return binary.LittleEndian.AppendUint32(append(b, tagFloat32), math.Float32bits(x)), nil
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, tagFloat64), math.Float64bits(x)), nil
	case complex64:
		b = binary.LittleEndian.AppendUint32(append(b, tagComplex64), math.Float32bits(real(x)))
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(imag(x))), nil
	case complex128:
		b = binary.LittleEndian.AppendUint64(append(b, tagComplex128), math.Float64bits(real(x)))
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(imag(x))), nil
	case time.Time:
		tb, err := x.MarshalBinary()
		if err != nil {
			return b, err
		}
		b = binary.AppendUvarint(append(b, tagTime), uint64(len(tb)))
		return append(b, tb...), nil
	case time.Duration:
		return binary.AppendVarint(append(b, tagDuration), int64(x)), nil
	case jsonValue:
		b = binary.AppendUvarint(append(b, tagJSON), uint64(len(x)))
		return append(b, x...), nil
	case []string:
		b = binary.AppendUvarint(append(b, tagStrings), uint64(len(x)))
		for _, s := range x {
			b = appendString(b, s)
		}
		return b, nil
	case []any:
		b = binary.AppendUvarint(append(b, tagSlice), uint64(len(x)))
		var err error
		for _, e := range x {
			if b, err = appendValue(b, e, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	case map[string]any:
		b = binary.AppendUvarint(append(b, tagMap), uint64(len(x)))
		// Sorted keys make the encoding deterministic, which compare-and-swap
		// and tests rely on.
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var err error
		for _, k := range keys {
			b = appendString(b, k)
			if b, err = appendValue(b, x[k], depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	default:
		js, err := json.Marshal(v)
		if err != nil {
			return b, err
		}
		b = binary.AppendUvarint(append(b, tagJSON), uint64(len(js)))
		return append(b, js...), nil
	}
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads the codec's format from a buffer it never modifies. Byte
// slices it returns (raw values) share that buffer's memory, so the buffer
// must stay unchanged for as long as they live; the engine never reuses a
// buffer it decoded.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.off = len(d.b)
}

func (d *decoder) byte() byte {
	if d.off >= len(d.b) {
		d.fail()
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.off += n
	return v
}

// length reads a length prefix and checks that so many bytes remain.
func (d *decoder) length() int {
	n := d.uvarint()
	if n > uint64(len(d.b)-d.off) {
		d.fail()
		return 0
	}
	return int(n)
}

// count reads an element count: each element takes at least one byte, so a
// count beyond the remaining bytes is corrupt (and cannot force a huge
// allocation).
func (d *decoder) count() int { return d.length() }

func (d *decoder) bytes() []byte {
	n := d.length()
	p := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return p
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) fixed(n int) []byte {
	if len(d.b)-d.off < n {
		d.fail()
		return make([]byte, n)
	}
	p := d.b[d.off : d.off+n]
	d.off += n
	return p
}

// value decodes one value.
func (d *decoder) value(depth int) any {
	if depth > maxDepth {
		d.fail()
		return nil
	}
	switch tag := d.byte(); tag {
	case tagNil:
		return nil
	case tagFalse:
		return false
	case tagTrue:
		return true
	case tagString:
		return d.string()
	case tagBytes:
		return bytes.Clone(d.bytes()) // handlers may modify a []byte: never share the buffer
	case tagInt:
		v := d.varint()
		if int64(int(v)) != v {
			d.fail()
		}
		return int(v)
	case tagInt8:
		v := d.varint()
		if v < math.MinInt8 || v > math.MaxInt8 {
			d.fail()
		}
		return int8(v)
	case tagInt16:
		v := d.varint()
		if v < math.MinInt16 || v > math.MaxInt16 {
			d.fail()
		}
		return int16(v)
	case tagInt32:
		v := d.varint()
		if v < math.MinInt32 || v > math.MaxInt32 {
			d.fail()
		}
		return int32(v)
	case tagInt64:
		return d.varint()
	case tagUint:
		v := d.uvarint()
		if uint64(uint(v)) != v {
			d.fail()
		}
		return uint(v)
	case tagUint8:
		v := d.uvarint()
		if v > math.MaxUint8 {
			d.fail()
		}
		return uint8(v)
	case tagUint16:
		v := d.uvarint()
		if v > math.MaxUint16 {
			d.fail()
		}
		return uint16(v)
	case tagUint32:
		v := d.uvarint()
		if v > math.MaxUint32 {
			d.fail()
		}
		return uint32(v)
	case tagUint64:
		return d.uvarint()
	case tagUintptr:
		v := d.uvarint()
		if uint64(uintptr(v)) != v {
			d.fail()
		}
		return uintptr(v)
	case tagFloat32:
		return math.Float32frombits(binary.LittleEndian.Uint32(d.fixed(4)))
	case tagFloat64:
		return math.Float64frombits(binary.LittleEndian.Uint64(d.fixed(8)))
	case tagComplex64:
		p := d.fixed(8)
		return complex(math.Float32frombits(binary.LittleEndian.Uint32(p)), math.Float32frombits(binary.LittleEndian.Uint32(p[4:])))
	case tagComplex128:
		p := d.fixed(16)
		return complex(math.Float64frombits(binary.LittleEndian.Uint64(p)), math.Float64frombits(binary.LittleEndian.Uint64(p[8:])))
	case tagTime:
		var t time.Time
		if err := t.UnmarshalBinary(d.bytes()); err != nil {
			d.fail()
		}
		return t
	case tagDuration:
		return time.Duration(d.varint())
	case tagStrings:
		n := d.count()
		s := make([]string, n)
		for i := range s {
			s[i] = d.string()
		}
		return s
	case tagSlice:
		n := d.count()
		s := make([]any, n)
		for i := range s {
			s[i] = d.value(depth + 1)
		}
		return s
	case tagMap:
		n := d.count()
		m := make(map[string]any, n)
		for range n {
			k := d.string()
			m[k] = d.value(depth + 1)
		}
		return m
	case tagJSON:
		if depth == 0 {
			return jsonValue(d.bytes())
		}
		return jsonValue(d.bytes()).generic()
	default:
		d.fail()
		return nil
	}
}

// decodeValue decodes a whole encoded value.
func decodeValue(b []byte) (any, error) {
	d := decoder{b: b}
	v := d.value(0)
	if d.err == nil && d.off != len(b) {
		d.err = errCorrupt
	}
	if d.err != nil {
		return nil, d.err
	}
	return v, nil
}

// jsonValue is a value stored as JSON, kept as its bytes until a caller asks
// for it: Get[T] unmarshals into T, Userdata gets the generic form.
type jsonValue []byte

// generic is j's generic form (see jsongeneric.Decode).
func (j jsonValue) generic() any { return jsongeneric.Decode(j) }

// publicValue turns what the decoder produced into what handlers see: a
// top-level JSON value is kept as bytes for Get[T] and shown in its generic
// form. (Nested JSON is decoded to its generic form as it is read.)
func publicValue(v any) any {
	if j, ok := v.(jsonValue); ok {
		return j.generic()
	}
	return v
}
