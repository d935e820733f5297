// Package phpsession reads and writes sessions as a CodeIgniter 3 or 4
// application stores them: PHP's default session serializer over
// $_SESSION, with CodeIgniter's bookkeeping entries.
//
//   - each item is a $_SESSION variable, in payload order;
//   - flash items are marked "new" or "old" in __ci_vars, temp items by
//     their expiry in unix seconds, time() + ttl as CodeIgniter writes it
//     (CodeIgniter drops them once that second has passed);
//   - the time of the last id rotation is __ci_last_regenerate;
//   - the engine's CSRF and one-time tokens live under __ignitego.
//
// A session written again keeps the order its bookkeeping entries had in
// the payload it was read from; a new one gets CodeIgniter's order. The
// engine's codec for the "php" Format (core's codec.go) maps its records to
// Session and back.
package phpsession

import (
	"errors"
	"fmt"

	"github.com/ignitego/session/core/php"
)

// CodeIgniter's bookkeeping entries in $_SESSION, and the engine's own.
const (
	ciVars           = "__ci_vars"            // key → "new"/"old" (flash) or expiry unix time (temp)
	ciLastRegenerate = "__ci_last_regenerate" // unix time of the last id rotation
	ciEngine         = "__ignitego"           // the engine's CSRF and one-time tokens
)

// Kind is an item's kind.
type Kind uint8

// Item kinds.
const (
	User     Kind = iota
	FlashNew      // marked "new": readable now and in the next request
	FlashOld      // marked "old": gone in the next request
	Temp          // marked with its expiry
)

// Item is one $_SESSION variable.
type Item struct {
	Key   string
	Kind  Kind
	Until int64 // Temp: the deadline, unix milliseconds
	Value any
	Raw   []byte // from Decode: the serialized value, which tells whether another request changed it
}

// Session is one session's $_SESSION.
type Session struct {
	LastActivity int64 // __ci_last_regenerate, unix milliseconds; 0 when absent
	CSRF         string
	OTTs         []string // one-time tokens, newest last
	Items        []Item
}

// Reserved reports whether key is a bookkeeping entry, which a handler
// cannot set.
func Reserved(key string) bool {
	return key == ciVars || key == ciLastRegenerate || key == ciEngine
}

// KeyError is a key, or the value under it, that PHP's serializer cannot
// store; Key is "" for a session that does not serialize as a whole.
type KeyError struct {
	Key string
	Err error
}

func (e *KeyError) Error() string { return fmt.Sprintf("key %q: %v", e.Key, e.Err) }
func (e *KeyError) Unwrap() error { return e.Err }

// Decode reads a session payload.
func Decode(data []byte) (Session, error) {
	entries, err := php.DecodeSession(data)
	if err != nil {
		return Session{}, err
	}
	var s Session
	var vars any
	for _, e := range entries {
		switch e.Key {
		case ciLastRegenerate:
			if n, ok := e.Value.(int64); ok {
				s.LastActivity = n * 1000
			}
		case ciVars:
			vars = e.Value
		case ciEngine:
			s.CSRF, s.OTTs = decodeEngineEntry(e.Value)
		default:
			s.Items = append(s.Items, Item{Key: e.Key, Value: e.Value, Raw: serialized(e.Value)})
		}
	}
	if a, ok := vars.(*php.Array); ok {
		for k, v := range a.All() {
			it := s.find(k.String())
			if it == nil {
				continue // a marker of a variable that is gone: dropped on the next save
			}
			switch v {
			case "new":
				it.Kind = FlashNew
			case "old":
				it.Kind = FlashOld
			default:
				if sec, ok := v.(int64); ok {
					// CodeIgniter keeps it through that whole second.
					it.Kind, it.Until = Temp, sec*1000+999
				}
			}
		}
	}
	return s, nil
}

func (s *Session) find(key string) *Item {
	for i := range s.Items {
		if s.Items[i].Key == key {
			return &s.Items[i]
		}
	}
	return nil
}

// serialized is a value's serialization, to tell whether another request
// changed it; a value that does not serialize on its own (a reference) gets
// a marker that equals nothing else.
func serialized(v any) []byte {
	b, err := php.Encode(v)
	if err != nil {
		return []byte("\x00unique")
	}
	return b
}

func decodeEngineEntry(v any) (csrf string, otts []string) {
	a, ok := v.(*php.Array)
	if !ok {
		return "", nil
	}
	if s, ok := a.Get("csrf"); ok {
		csrf, _ = s.(string)
	}
	if list, ok := a.Get("otts"); ok {
		if l, ok := list.([]any); ok {
			for _, t := range l {
				if s, ok := t.(string); ok {
					otts = append(otts, s)
				}
			}
		}
	}
	return csrf, otts
}

// layout is where the bookkeeping entries stood among the items: the index
// of the item each preceded, -1 when absent.
type layout struct{ regenAt, varsAt, engineAt int }

// layoutOf returns the layout of the payload base, or CodeIgniter's for a
// session made here (base nil, or not a session payload):
// __ci_last_regenerate first, the markers after the variables they mark.
func layoutOf(base []byte) layout {
	madeHere := layout{regenAt: 0, varsAt: -1, engineAt: -1}
	if base == nil {
		return madeHere
	}
	entries, err := php.DecodeSession(base)
	if err != nil {
		return madeHere
	}
	l := layout{regenAt: -1, varsAt: -1, engineAt: -1}
	items := 0
	for _, e := range entries {
		switch e.Key {
		case ciLastRegenerate:
			l.regenAt = items
		case ciVars:
			l.varsAt = items
		case ciEngine:
			l.engineAt = items
		default:
			items++
		}
	}
	return l
}

// Encode writes s as a session payload, with its bookkeeping entries where
// they stood in base, the payload s was read from (nil for a new session).
// Values go through Value, so that every value a handler can store has a
// PHP form. Errors are *KeyError.
func Encode(s *Session, base []byte) ([]byte, error) {
	vars := &php.Array{}
	for i := range s.Items {
		it := &s.Items[i]
		switch it.Kind {
		case FlashNew:
			vars.Set(it.Key, "new")
		case FlashOld:
			vars.Set(it.Key, "old")
		case Temp:
			vars.Set(it.Key, it.Until/1000) // as CodeIgniter's time() + ttl
		}
	}
	engine := engineEntry(s)
	l := layoutOf(base)
	n := len(s.Items)
	entries := make([]php.Entry, 0, n+3)
	book := func(at int) {
		if at == clampAt(l.regenAt, n) {
			entries = append(entries, php.Entry{Key: ciLastRegenerate, Value: s.LastActivity / 1000})
		}
		if vars.Len() > 0 && at == clampAt(l.varsAt, n) {
			entries = append(entries, php.Entry{Key: ciVars, Value: vars})
		}
		if engine != nil && at == clampAt(l.engineAt, n) {
			entries = append(entries, php.Entry{Key: ciEngine, Value: engine})
		}
	}
	for i := range s.Items {
		book(i)
		it := &s.Items[i]
		if err := php.CheckKey(it.Key); err != nil {
			return nil, &KeyError{Key: it.Key, Err: err}
		}
		v, err := Value(it.Value)
		if err != nil {
			return nil, &KeyError{Key: it.Key, Err: err}
		}
		entries = append(entries, php.Entry{Key: it.Key, Value: v})
	}
	book(n)
	data, err := php.EncodeSession(entries)
	if err != nil {
		return nil, &KeyError{Err: err}
	}
	return data, nil
}

// engineEntry is __ignitego's value, nil when the session has no tokens.
func engineEntry(s *Session) *php.Array {
	if s.CSRF == "" && len(s.OTTs) == 0 {
		return nil
	}
	engine := &php.Array{}
	if s.CSRF != "" {
		engine.Set("csrf", s.CSRF)
	}
	if len(s.OTTs) > 0 {
		otts := make([]any, len(s.OTTs))
		for i, t := range s.OTTs {
			otts[i] = t
		}
		engine.Set("otts", otts)
	}
	return engine
}

// clampAt places a bookkeeping entry whose position is unknown (-1) or past
// the items at the end.
func clampAt(at, n int) int {
	if at < 0 || at > n {
		return n
	}
	return at
}

// errTooDeep reports a value nested deeper than the engine stores.
var errTooDeep = errors.New("nesting deeper than 64 levels")
