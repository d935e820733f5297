// Package jsongeneric decodes JSON into the generic form the engine hands
// handlers for a value it stored as JSON (a struct, a named type): the
// same form in the engine's own format and in PHP's.
package jsongeneric

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// MaxDepth bounds the nesting of the values the engine stores, in both
// directions, so that hostile input cannot exhaust the stack.
const MaxDepth = 64

// Decode decodes js into map[string]any, []any, string, bool, nil, and
// numbers as int64 when they are integers that fit, float64 otherwise. It
// returns nil for JSON that does not decode, and nests no deeper than
// MaxDepth (deeper values read as nil).
func Decode(js []byte) any {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	return normalize(v, 0)
}

func normalize(v any, depth int) any {
	if depth > MaxDepth {
		return nil
	}
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case []any:
		for i := range x {
			x[i] = normalize(x[i], depth+1)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e, depth+1)
		}
	}
	return v
}
