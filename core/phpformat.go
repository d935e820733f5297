package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ignitego/session/core/php"
)

// CodeIgniter's bookkeeping entries in $_SESSION, and the engine's own.
const (
	ciVars           = "__ci_vars"            // key → "new"/"old" (flash) or expiry unix time (temp)
	ciLastRegenerate = "__ci_last_regenerate" // unix time of the last id rotation
	ciEngine         = "__ignitego"           // the engine's CSRF and one-time tokens
)

// phpCodec stores a session as PHP's default session serializer does, with
// CodeIgniter's markers, so that a CodeIgniter 3 or 4 application and this
// engine read and write the same sessions:
//
//   - each item is a $_SESSION variable, in payload order;
//   - flash items are marked "new" or "old" in __ci_vars, temp items by
//     their expiry in unix seconds, time() + ttl as CodeIgniter writes it
//     (CodeIgniter drops them once that second has passed);
//   - last_activity is __ci_last_regenerate;
//   - the CSRF and one-time tokens live under __ignitego.
//
// PHP keeps no creation time, last write, IP or User-Agent in the payload:
// the store's own expiry (file mtime, timestamp column, Redis TTL) is what
// expires such sessions, and every request that uses one saves it to slide
// that expiry, as PHP's handlers do; binding is the store's (CodeIgniter's
// sess_match_ip), and ip_address and user_agent read as the current
// request's.
type phpCodec struct{}

func (phpCodec) keepsTimes() bool { return false }

func (phpCodec) reserved(key string) bool {
	return key == ciVars || key == ciLastRegenerate || key == ciEngine
}

// phpLayout remembers where the bookkeeping entries stood among the items,
// so that a saved session keeps PHP's order.
type phpLayout struct {
	known                     bool // decoded from a payload; else a session made here
	regenAt, varsAt, engineAt int  // index of the item they preceded; -1: absent
}

func (phpCodec) decode(data []byte, r *record, nowMs int64) error {
	entries, err := php.DecodeSession(data)
	if err != nil {
		return fmt.Errorf("%w: %w", errCorrupt, err)
	}
	items := r.items[:0]
	*r = record{created: nowMs, lastActivity: nowMs, lastWrite: nowMs}
	r.layout = phpLayout{known: true, regenAt: -1, varsAt: -1, engineAt: -1}
	var vars any
	for _, e := range entries {
		switch e.Key {
		case ciLastRegenerate:
			r.layout.regenAt = len(items)
			if n, ok := e.Value.(int64); ok {
				r.lastActivity = n * 1000
			}
		case ciVars:
			r.layout.varsAt = len(items)
			vars = e.Value
		case ciEngine:
			r.layout.engineAt = len(items)
			r.csrf, r.otts = decodeEngineEntry(e.Value)
		default:
			items = append(items, item{key: e.Key, val: e.Value, decoded: true, raw: phpRaw(e.Value)})
		}
	}
	r.items = items
	if a, ok := vars.(*php.Array); ok {
		for k, v := range a.All() {
			it := r.find(k.String())
			if it == nil {
				continue // a marker of a variable that is gone: dropped on the next save
			}
			switch v {
			case "new":
				it.kind = kindFlashNew
			case "old":
				it.kind = kindFlashOld
			default:
				if sec, ok := v.(int64); ok {
					// CodeIgniter keeps it through that whole second.
					it.kind, it.until = kindTemp, sec*1000+999
				}
			}
		}
	}
	return nil
}

// phpRaw is an item's serialized value, to tell whether another request
// changed it; a value that does not serialize on its own (a reference) gets
// a marker that equals nothing else.
func phpRaw(v any) []byte {
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

func (phpCodec) append(b []byte, r *record) ([]byte, error) {
	vars := &php.Array{}
	for i := range r.items {
		it := &r.items[i]
		switch it.kind {
		case kindFlashNew:
			vars.Set(it.key, "new")
		case kindFlashOld:
			vars.Set(it.key, "old")
		case kindTemp:
			vars.Set(it.key, it.until/1000) // as CodeIgniter's time() + ttl
		}
	}
	var engine *php.Array
	if r.csrf != "" || len(r.otts) > 0 {
		engine = &php.Array{}
		if r.csrf != "" {
			engine.Set("csrf", r.csrf)
		}
		if len(r.otts) > 0 {
			otts := make([]any, len(r.otts))
			for i, t := range r.otts {
				otts[i] = t
			}
			engine.Set("otts", otts)
		}
	}
	layout := r.layout
	if !layout.known {
		// A session made here: CodeIgniter's order, __ci_last_regenerate
		// first, the markers after the variables they mark.
		layout = phpLayout{regenAt: 0, varsAt: -1, engineAt: -1}
	}
	entries := make([]php.Entry, 0, len(r.items)+3)
	book := func(at int) {
		if at == clampAt(layout.regenAt, len(r.items)) {
			entries = append(entries, php.Entry{Key: ciLastRegenerate, Value: r.lastActivity / 1000})
		}
		if vars.Len() > 0 && at == clampAt(layout.varsAt, len(r.items)) {
			entries = append(entries, php.Entry{Key: ciVars, Value: vars})
		}
		if engine != nil && at == clampAt(layout.engineAt, len(r.items)) {
			entries = append(entries, php.Entry{Key: ciEngine, Value: engine})
		}
	}
	for i := range r.items {
		book(i)
		it := &r.items[i]
		if err := php.CheckKey(it.key); err != nil {
			return b, &EncodeError{Key: it.key, Err: err}
		}
		v, err := phpValue(it.value(), 0)
		if err != nil {
			return b, &EncodeError{Key: it.key, Err: err}
		}
		entries = append(entries, php.Entry{Key: it.key, Value: v})
	}
	book(len(r.items))
	data, err := php.EncodeSession(entries)
	if err != nil {
		return b, &EncodeError{Key: "", Err: err}
	}
	return append(b, data...), nil
}

// clampAt places a bookkeeping entry whose position is unknown (-1) or past
// the items at the end.
func clampAt(at, n int) int {
	if at < 0 || at > n {
		return n
	}
	return at
}

// phpValue turns a value into one php.Encode takes: the kinds it knows pass
// as they are, containers are converted element by element, and anything
// else goes through JSON to its generic form (a struct becomes a PHP array).
func phpValue(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	switch x := v.(type) {
	case nil, bool, string, []byte, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr,
		float32, float64, time.Time, time.Duration, []string, *php.Array, php.Array, php.Raw, *php.Raw:
		return v, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := phpValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := phpValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case jsonValue:
		return phpValue(x.generic(), depth+1)
	default:
		js, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		g := jsonValue(js).generic()
		if g == nil && string(js) != "null" {
			return nil, errors.New("json: value does not decode")
		}
		return phpValue(g, depth+1)
	}
}
