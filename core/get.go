package core

import "encoding/json"

// Get returns the value under key as a T, over the whole key space
// (userdata, flash and temp items, reserved items). ok is false when key is
// absent or its value is not a T. Values stored as JSON (structs and other
// named types) are decoded into T, and so are generic maps and slices, so a
// struct stored in one request comes back as that struct in the next.
func Get[T any](s *Session, key string) (T, bool) {
	var zero T
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	ns := s.ns
	v, ok := ns.lookup(key)
	if !ok {
		return zero, false
	}
	if t, ok := v.(T); ok {
		return t, true
	}
	var js []byte
	switch x := v.(type) {
	case jsonValue:
		js = x
	case map[string]any, []any:
		var err error
		if js, err = json.Marshal(x); err != nil {
			return zero, false
		}
	default:
		return zero, false
	}
	var t T
	if err := json.Unmarshal(js, &t); err != nil {
		return zero, false
	}
	return t, true
}

// GetOr returns the value under key as a T, or fallback when key is absent
// or not a T (Mako's get with a default).
func GetOr[T any](s *Session, key string, fallback T) T {
	if v, ok := Get[T](s, key); ok {
		return v
	}
	return fallback
}
