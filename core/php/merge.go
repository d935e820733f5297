package php

import (
	"iter"
	"maps"
	"slices"
)

// Map returns the array as a map[string]any, for code that works on Go
// maps: int keys in decimal, nested arrays converted too (a list stays a
// []any), and every other value as it is, so PHP's ints stay int64. A Go
// map has no order: to change an array and keep its order, change the
// *Array itself (Set, Delete) or use Merge.
func (a *Array) Map() map[string]any {
	if a == nil {
		return nil
	}
	m := make(map[string]any, len(a.keys))
	for i, k := range a.keys {
		m[k.String()] = plain(a.vals[i])
	}
	return m
}

// plain converts the arrays within v as Map does.
func plain(v any) any {
	switch x := v.(type) {
	case *Array:
		return x.Map()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

// Merge returns what PHP's array_merge($dst, $src) returns, and false
// (changing nothing) when dst or src is not an array. An array is a []any
// or []string (a list), a non-nil *Array or an Array, or a map[string]any,
// whose keys count in sorted order, as Encode writes them.
//
// As in PHP, a string key of src replaces dst's value in its place or is
// added at the end, and int keys, the elements of lists among them, are
// renumbered from 0 in order, so a list is appended to. The result is a
// []any when its keys are 0 to n-1 in order, and a *Array otherwise. dst
// and src are not changed; nested values are shared, not copied.
//
// This is CodeIgniter 4's Session::push($key, $data), which stores
// array_merge($_SESSION[$key], $data).
func Merge(dst, src any) (any, bool) {
	d, ok := entries(dst)
	if !ok {
		return nil, false
	}
	s, ok := entries(src)
	if !ok {
		return nil, false
	}
	out := &Array{}
	var next int64
	list := true
	for _, seq := range []iter.Seq2[Key, any]{d, s} {
		for k, v := range seq {
			if k.IsInt() {
				out.SetInt(next, v)
				next++
				continue
			}
			out.store(k, v)
			list = false
		}
	}
	if !list {
		return out, true
	}
	return slices.Clone(out.vals), true
}

// entries returns the entries of an array value in order.
func entries(v any) (iter.Seq2[Key, any], bool) {
	switch x := v.(type) {
	case []any:
		return func(yield func(Key, any) bool) {
			for i, e := range x {
				if !yield(IntKey(int64(i)), e) {
					return
				}
			}
		}, true
	case []string:
		return func(yield func(Key, any) bool) {
			for i, e := range x {
				if !yield(IntKey(int64(i)), e) {
					return
				}
			}
		}, true
	case *Array:
		if x == nil {
			return nil, false // Encode writes it as null
		}
		return x.All(), true
	case Array:
		return x.All(), true
	case map[string]any:
		return func(yield func(Key, any) bool) {
			for _, k := range slices.Sorted(maps.Keys(x)) {
				if !yield(StringKey(k), x[k]) {
					return
				}
			}
		}, true
	}
	return nil, false
}
