package php

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// Encode returns v in the format of PHP's serialize(), mapped from Go as
// the package documentation describes. A value of any other type is a
// *UnsupportedTypeError; an unsigned integer beyond int64 is a
// *UnsupportedValueError; nesting deeper than 64 levels (a []any that
// contains itself, say) is ErrTooDeep.
//
// The result is deterministic: map[string]any keys are written in sorted
// order, and Encode(Decode(b)) is b for every b that PHP's serialize()
// wrote with its default serialize_precision (see the package
// documentation, "Round trips", for the forms of input that come back in
// PHP's canonical form instead).
func Encode(v any) ([]byte, error) {
	var e encoder
	if err := e.value(v, 0); err != nil {
		return nil, err
	}
	if e.check {
		if _, err := Decode(e.b); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrReferenceMoved, err)
		}
	}
	return e.b, nil
}

// encoder appends serialize() format to b, numbering the values it writes
// as unserialize() will (see decoder), so that a Raw holding references is
// written only where they still point at what they did.
type encoder struct {
	b     []byte
	slots int
	// check is set once a Raw holding references was written: the result
	// is decoded once more to be sure that every reference is valid.
	check bool
}

func (e *encoder) int(i int64) {
	e.b = append(e.b, "i:"...)
	e.b = strconv.AppendInt(e.b, i, 10)
	e.b = append(e.b, ';')
	e.slots++
}

func (e *encoder) uint(u uint64, v any) error {
	if u > math.MaxInt64 {
		return &UnsupportedValueError{Value: v, Reason: "beyond PHP's int range"}
	}
	e.int(int64(u))
	return nil
}

func (e *encoder) float(f float64) {
	e.b = append(e.b, "d:"...)
	e.b = appendFloat(e.b, f)
	e.b = append(e.b, ';')
	e.slots++
}

func (e *encoder) string(s string) {
	e.b = append(e.b, "s:"...)
	e.b = strconv.AppendInt(e.b, int64(len(s)), 10)
	e.b = append(e.b, ':', '"')
	e.b = append(e.b, s...)
	e.b = append(e.b, '"', ';')
	e.slots++
}

func (e *encoder) key(k Key) {
	if k.isStr {
		e.string(k.str)
	} else {
		e.int(k.num)
	}
	e.slots-- // keys take no slot
}

// open starts an array of n elements.
func (e *encoder) open(n int) {
	e.b = append(e.b, "a:"...)
	e.b = strconv.AppendInt(e.b, int64(n), 10)
	e.b = append(e.b, ':', '{')
	e.slots++
}

func (e *encoder) value(v any, depth int) error {
	if depth > maxDepth {
		return ErrTooDeep
	}
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, "N;"...)
		e.slots++
	case bool:
		if x {
			e.b = append(e.b, "b:1;"...)
		} else {
			e.b = append(e.b, "b:0;"...)
		}
		e.slots++
	case int:
		e.int(int64(x))
	case int8:
		e.int(int64(x))
	case int16:
		e.int(int64(x))
	case int32:
		e.int(int64(x))
	case int64:
		e.int(x)
	case uint:
		return e.uint(uint64(x), v)
	case uint8:
		e.int(int64(x))
	case uint16:
		e.int(int64(x))
	case uint32:
		e.int(int64(x))
	case uint64:
		return e.uint(x, v)
	case uintptr:
		return e.uint(uint64(x), v)
	case float32:
		e.float(float64(x))
	case float64:
		e.float(x)
	case string:
		e.string(x)
	case []byte:
		e.string(string(x))
	case time.Time:
		e.string(x.Format(time.RFC3339Nano))
	case time.Duration:
		e.int(int64(x))
	case []string:
		e.open(len(x))
		for i, s := range x {
			e.key(IntKey(int64(i)))
			e.string(s)
		}
		e.b = append(e.b, '}')
	case []any:
		e.open(len(x))
		for i, el := range x {
			e.key(IntKey(int64(i)))
			if err := e.value(el, depth+1); err != nil {
				return err
			}
		}
		e.b = append(e.b, '}')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.open(len(keys))
		for _, k := range keys {
			e.key(StringKey(k))
			if err := e.value(x[k], depth+1); err != nil {
				return err
			}
		}
		e.b = append(e.b, '}')
	case *Array:
		if x == nil {
			return e.value(nil, depth)
		}
		e.open(len(x.keys))
		for i, k := range x.keys {
			e.key(k)
			if err := e.value(x.vals[i], depth+1); err != nil {
				return err
			}
		}
		e.b = append(e.b, '}')
	case Array:
		return e.value(&x, depth)
	case Raw:
		p, err := x.at(e.slots)
		if err != nil {
			return err
		}
		e.b = append(e.b, p...)
		e.slots += x.slots
		if x.refs != refsNone {
			e.check = true
		}
	case *Raw:
		if x == nil {
			return e.value(nil, depth)
		}
		return e.value(*x, depth)
	default:
		return &UnsupportedTypeError{Type: reflect.TypeOf(v)}
	}
	return nil
}
