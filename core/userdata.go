package core

import "github.com/ignitego/session/core/php"

// The reserved, read-only items every session has, as in CodeIgniter.
const (
	KeySessionID    = "session_id"    // string: the current id, as ID returns it
	KeyIPAddress    = "ip_address"    // string: the client IP the session started from
	KeyUserAgent    = "user_agent"    // string: the first 120 bytes of the User-Agent it started with
	KeyLastActivity = "last_activity" // int64: unix seconds of its creation or last id rotation
)

func isReserved(key string) bool {
	switch key {
	case KeySessionID, KeyIPAddress, KeyUserAgent, KeyLastActivity:
		return true
	}
	return false
}

// reservedValue returns a reserved item's value.
func (ns *namespace) reservedValue(key string) (any, bool) {
	switch key {
	case KeySessionID:
		return ns.sessionID(), true
	case KeyIPAddress:
		return ns.rec.ip, true
	case KeyUserAgent:
		return ns.rec.ua, true
	case KeyLastActivity:
		return ns.rec.lastActivity / 1000, true
	}
	return nil, false
}

// lookup returns the value under key as stored (JSON values still as
// bytes), reserved items included.
func (ns *namespace) lookup(key string) (any, bool) {
	if v, ok := ns.reservedValue(key); ok {
		return v, true
	}
	it := ns.live(key)
	if it == nil {
		return nil, false
	}
	return it.value(), true
}

// setItems stores every entry of data as an item of kind, expiring at until
// (tempdata).
func (ns *namespace) setItems(data map[string]any, kind uint8, until int64) {
	for k, v := range data {
		ns.set(k, item{kind: kind, val: v, until: until})
	}
}

// SetUserdata stores value under key (CodeIgniter's set_userdata). It makes
// a flash or temp item of that name plain userdata.
func (s *Session) SetUserdata(key string, value any) {
	s.use(func(ns *namespace) { ns.set(key, item{kind: kindUser, val: value}) })
}

// SetUserdataMap stores every entry of data (set_userdata with an array).
func (s *Session) SetUserdataMap(data map[string]any) {
	s.use(func(ns *namespace) { ns.setItems(data, kindUser, 0) })
}

// Userdata returns the value under key, nil when absent (CodeIgniter's
// userdata). It sees flash and temp items too, and the reserved items
// session_id, ip_address, user_agent and last_activity. A value stored as
// JSON (a struct, say) comes back in its generic JSON form: use Get[T] for
// the typed value.
func (s *Session) Userdata(key string) (v any) {
	s.use(func(ns *namespace) {
		stored, _ := ns.lookup(key)
		v = publicValue(stored)
	})
	return v
}

// HasUserdata reports whether key holds a value, reserved items included
// (CodeIgniter's has_userdata).
func (s *Session) HasUserdata(key string) (ok bool) {
	s.use(func(ns *namespace) { _, ok = ns.lookup(key) })
	return ok
}

// UnsetUserdata removes the items under keys, whatever their kind
// (CodeIgniter's unset_userdata).
func (s *Session) UnsetUserdata(keys ...string) {
	s.use(func(ns *namespace) { ns.unset(keys, anyKind) })
}

// AllUserdata returns a copy of the plain userdata items and the four
// reserved items, as CodeIgniter 3.1's userdata() and CodeIgniter 4's get()
// with no key do: without flash items, temp items or bookkeeping (tokens,
// CodeIgniter's __ci_vars). Userdata still reads a flash or temp item by its
// key; AllFlashdata and AllTempdata hold those. Reading the session_id item
// gives a new session its id, as ID does.
func (s *Session) AllUserdata() map[string]any {
	out := map[string]any{}
	s.use(func(ns *namespace) {
		for _, k := range [...]string{KeySessionID, KeyIPAddress, KeyUserAgent, KeyLastActivity} {
			out[k], _ = ns.reservedValue(k)
		}
		ns.collect(out, isUser)
	})
	return out
}

func anyKind(uint8) bool { return true }

func isUser(kind uint8) bool { return kind == kindUser }

// GetAndSet stores value under key and returns what key held before, nil
// when nothing (Mako's getAndPut).
func (s *Session) GetAndSet(key string, value any) (old any) {
	s.use(func(ns *namespace) {
		stored, _ := ns.lookup(key)
		old = publicValue(stored)
		ns.set(key, item{kind: kindUser, val: value})
	})
	return old
}

// GetAndUnset removes key and returns what it held, nil when nothing
// (Mako's getAndRemove).
func (s *Session) GetAndUnset(key string) (old any) {
	s.use(func(ns *namespace) {
		stored, _ := ns.lookup(key)
		old = publicValue(stored)
		ns.unset([]string{key}, anyKind)
	})
	return old
}

// Increment adds delta to the integer under key (an absent key counts as 0)
// and returns the new value (Mako's increment; decrement with a negative
// delta). Every int and uint kind counts, so a PHP application's counter,
// which arrives as an int64, goes on from where PHP left it; the sum is
// stored as an int. A key holding anything else, or an integer an int
// cannot hold, is replaced. Under concurrent requests of one session the
// count is exact only with Config.Lock.
func (s *Session) Increment(key string, delta int) (n int) {
	s.use(func(ns *namespace) {
		cur, _ := ns.lookup(key)
		n = 0
		convertInt(cur, &n)
		n += delta
		ns.set(key, item{kind: kindUser, val: n})
	})
	return n
}

// Push merges data into the array under key and reports whether key held
// an array: CodeIgniter 4's push, which stores array_merge($old, $data),
// and does nothing when key holds no array. An array is a []any or
// []string, a *php.Array (a PHP application's array) or a map[string]any;
// data is one too. As in PHP (see php.Merge), the array keeps its order
// and its values their types, a string key of data replaces its value in
// place or is added at the end (a map's keys in sorted order), and int
// keys, integer-like ones such as "42" among them, are renumbered from 0,
// so list elements are appended. Onto a map[string]any the result is a
// map[string]any again, which has no order to keep. A flash or temp item
// stays one.
func (s *Session) Push(key string, data any) (ok bool) {
	s.use(func(ns *namespace) {
		it := ns.live(key)
		if it == nil {
			return
		}
		old := publicValue(it.value())
		merged, merges := php.Merge(old, data)
		if !merges {
			return
		}
		if a, isArray := merged.(*php.Array); isArray {
			if _, isMap := old.(map[string]any); isMap {
				merged = a.Map()
			}
		}
		ns.set(key, item{kind: it.kind, until: it.until, val: merged})
		ok = true
	})
	return ok
}
