package php

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
)

// Array is a PHP array that is not a list: an ordered map whose keys are
// ints or strings, in insertion order. Decode returns a *Array for every
// array whose keys are not exactly 0, 1, ..., n-1 in that order; Encode
// writes its entries in order.
//
// Methods that take a string key normalize it as PHP does, so Get("42")
// finds the int key 42. The zero value is an empty array ready to use. An
// Array is not safe for concurrent use.
type Array struct {
	keys []Key
	vals []any
	idx  map[Key]int
}

// Len returns the number of entries.
func (a *Array) Len() int { return len(a.keys) }

// Get returns the value under key, normalized as by StringKey.
func (a *Array) Get(key string) (any, bool) { return a.lookup(StringKey(key)) }

// GetInt returns the value under the int key i.
func (a *Array) GetInt(i int64) (any, bool) { return a.lookup(IntKey(i)) }

// Set stores v under key, normalized as by StringKey: in place when the key
// exists, at the end otherwise, as $a[$key] = $v does.
func (a *Array) Set(key string, v any) { a.store(StringKey(key), v) }

// SetInt stores v under the int key i, as Set does.
func (a *Array) SetInt(i int64, v any) { a.store(IntKey(i), v) }

// Delete removes key, normalized as by StringKey, and reports whether it
// was there. The other entries keep their order.
func (a *Array) Delete(key string) bool { return a.remove(StringKey(key)) }

// DeleteInt removes the int key i, as Delete does.
func (a *Array) DeleteInt(i int64) bool { return a.remove(IntKey(i)) }

// All returns an iterator over the entries in order. The array must not be
// changed during the iteration.
func (a *Array) All() iter.Seq2[Key, any] {
	return func(yield func(Key, any) bool) {
		for i, k := range a.keys {
			if !yield(k, a.vals[i]) {
				return
			}
		}
	}
}

// MarshalJSON writes the array as a JSON object with its members in the
// array's order, int keys in decimal. So a *Array found in a session can be
// decoded into a struct or a map through encoding/json. Values are
// marshaled by encoding/json: strings that are not valid UTF-8 get U+FFFD
// in place of bad bytes, and NaN or infinite floats are an error.
func (a *Array) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range a.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k.String())
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(a.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// GoString formats a as Go syntax, for %#v and test failures.
func (a *Array) GoString() string {
	if a == nil {
		return "(*php.Array)(nil)"
	}
	var b bytes.Buffer
	b.WriteString("php.Array{")
	for i, k := range a.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		if k.IsInt() {
			b.WriteString(strconv.FormatInt(k.num, 10))
		} else {
			b.WriteString(strconv.Quote(k.str))
		}
		b.WriteString(": ")
		fmt.Fprintf(&b, "%#v", a.vals[i])
	}
	b.WriteByte('}')
	return b.String()
}

func (a *Array) lookup(k Key) (any, bool) {
	i, ok := a.index()[k]
	if !ok {
		return nil, false
	}
	return a.vals[i], true
}

func (a *Array) index() map[Key]int {
	if a.idx == nil && len(a.keys) > 0 {
		a.idx = make(map[Key]int, len(a.keys))
		for i, k := range a.keys {
			a.idx[k] = i
		}
	}
	return a.idx
}

func (a *Array) store(k Key, v any) {
	if i, ok := a.index()[k]; ok {
		a.vals[i] = v
		return
	}
	if a.idx == nil {
		a.idx = make(map[Key]int)
	}
	a.idx[k] = len(a.keys)
	a.keys = append(a.keys, k)
	a.vals = append(a.vals, v)
}

func (a *Array) remove(k Key) bool {
	i, ok := a.index()[k]
	if !ok {
		return false
	}
	delete(a.idx, k)
	a.keys = append(a.keys[:i], a.keys[i+1:]...)
	a.vals = append(a.vals[:i], a.vals[i+1:]...)
	for j := i; j < len(a.keys); j++ {
		a.idx[a.keys[j]] = j
	}
	return true
}
