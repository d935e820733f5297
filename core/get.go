package core

import (
	"encoding/json"
	"reflect"

	"github.com/ignitego/session/core/php"
)

// Get returns the value under key as a T, over the whole key space
// (userdata, flash and temp items, reserved items). ok is false when key is
// absent or its value cannot be a T. Values stored as JSON (structs and
// other named types) are decoded into T, and so are generic maps and slices
// and PHP arrays, so a struct stored in one request comes back as that
// struct in the next. An integer converts to another integer type when it
// fits (PHP's ints arrive as int64).
//
// A PHP array (a *php.Array) converts to a map[string]any without JSON
// (php.Array.Map): its ints stay int64, exact, and its nested arrays become
// maps and slices in the same way. A Go map has no order; to change a PHP
// array and keep its order, take the *php.Array itself (Get[*php.Array]),
// change it and store it back, or use Session.Push.
func Get[T any](s *Session, key string) (T, bool) {
	var zero T
	var v any
	found := false
	s.use(func(ns *namespace) { v, found = ns.lookup(key) })
	if !found {
		return zero, false
	}
	if t, ok := v.(T); ok {
		return t, true
	}
	var t T
	if convertInt(v, &t) {
		return t, true
	}
	if a, ok := v.(*php.Array); ok {
		if t, ok := any(a.Map()).(T); ok {
			return t, true
		}
	}
	var js []byte
	switch x := v.(type) {
	case jsonValue:
		js = x
	case map[string]any, []any, json.Marshaler:
		var err error
		if js, err = json.Marshal(x); err != nil {
			return zero, false
		}
	default:
		return zero, false
	}
	if err := json.Unmarshal(js, &t); err != nil {
		return zero, false
	}
	return t, true
}

// convertInt stores the integer v in *dst when dst is an integer type that
// holds it.
func convertInt[T any](v any, dst *T) bool {
	var n int64
	var u uint64
	unsigned := false
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case uint:
		u, unsigned = uint64(x), true
	case uint8:
		u, unsigned = uint64(x), true
	case uint16:
		u, unsigned = uint64(x), true
	case uint32:
		u, unsigned = uint64(x), true
	case uint64:
		u, unsigned = x, true
	default:
		return false
	}
	rv := reflect.ValueOf(dst).Elem()
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if unsigned {
			if u > 1<<63-1 {
				return false
			}
			n = int64(u)
		}
		if rv.OverflowInt(n) {
			return false
		}
		rv.SetInt(n)
		return true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if !unsigned {
			if n < 0 {
				return false
			}
			u = uint64(n)
		}
		if rv.OverflowUint(u) {
			return false
		}
		rv.SetUint(u)
		return true
	}
	return false
}

// GetOr returns the value under key as a T, or fallback when key is absent
// or not a T (Mako's get with a default).
func GetOr[T any](s *Session, key string, fallback T) T {
	if v, ok := Get[T](s, key); ok {
		return v
	}
	return fallback
}
