package php

import (
	"fmt"
	"math"
	"reflect"
)

// rawText, in an expected value, matches a Raw holding exactly those bytes,
// decoded at any position.
type rawText string

// equal reports whether got is want: same types, floats compared by bits
// with every NaN equal, *Array entries compared in order, Raw values by ==.
func equal(got, want any) bool {
	switch w := want.(type) {
	case rawText:
		g, ok := got.(Raw)
		return ok && g.String() == string(w)
	case float64:
		g, ok := got.(float64)
		return ok && (math.Float64bits(g) == math.Float64bits(w) || math.IsNaN(g) && math.IsNaN(w))
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !equal(g[i], w[i]) {
				return false
			}
		}
		return true
	case *Array:
		g, ok := got.(*Array)
		if !ok || g == nil || w == nil || g.Len() != w.Len() {
			return ok && g == nil && w == nil
		}
		for i := range w.keys {
			if g.keys[i] != w.keys[i] || !equal(g.vals[i], w.vals[i]) {
				return false
			}
		}
		return true
	case []Entry:
		g, ok := got.([]Entry)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if g[i].Key != w[i].Key || !equal(g[i].Value, w[i].Value) {
				return false
			}
		}
		return true
	}
	return reflect.TypeOf(got) == reflect.TypeOf(want) && reflect.DeepEqual(got, want)
}

// arr builds a *Array from key, value pairs; keys are ints or strings, and
// strings are normalized as PHP does.
func arr(kv ...any) *Array {
	a := &Array{}
	for i := 0; i < len(kv); i += 2 {
		switch k := kv[i].(type) {
		case int:
			a.SetInt(int64(k), kv[i+1])
		case string:
			a.Set(k, kv[i+1])
		default:
			panic(fmt.Sprintf("arr: key %#v", kv[i]))
		}
	}
	return a
}

// list builds a []any.
func list(v ...any) []any {
	if v == nil {
		return []any{}
	}
	return v
}
