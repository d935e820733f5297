package core

import "time"

func isTemp(kind uint8) bool { return kind == kindTemp }

// SetTempdata stores value under key until ttl passes (CodeIgniter's
// set_tempdata); ttl <= 0 means DefaultTempdataTTL, 5 minutes.
func (s *Session) SetTempdata(key string, value any, ttl time.Duration) {
	s.use(func(ns *namespace) { ns.set(key, item{kind: kindTemp, val: value, until: ns.deadline(ttl)}) })
}

// SetTempdataMap stores every entry of data as tempdata with one ttl.
func (s *Session) SetTempdataMap(data map[string]any, ttl time.Duration) {
	s.use(func(ns *namespace) { ns.setItems(data, kindTemp, ns.deadline(ttl)) })
}

// deadline is when an item that lives ttl from now expires, in unix
// milliseconds; ttl <= 0 means DefaultTempdataTTL.
func (ns *namespace) deadline(ttl time.Duration) int64 {
	if ttl <= 0 {
		ttl = DefaultTempdataTTL
	}
	return ns.nowMs() + ttl.Milliseconds()
}

// Tempdata returns the temp item under key, nil when there is none, it has
// expired, or key holds another kind (CodeIgniter's tempdata).
func (s *Session) Tempdata(key string) (v any) {
	s.use(func(ns *namespace) {
		if it := ns.live(key); it != nil && it.kind == kindTemp {
			v = publicValue(it.value())
		}
	})
	return v
}

// AllTempdata returns a copy of the live temp items only.
func (s *Session) AllTempdata() map[string]any { return s.allOf(isTemp) }

// UnsetTempdata removes the named temp items, or all of them when no key is
// given (CodeIgniter's unset_tempdata). Other items of those names stay.
func (s *Session) UnsetTempdata(keys ...string) {
	s.use(func(ns *namespace) { ns.unsetKind(keys, isTemp) })
}

// MarkAsTemp turns existing items into tempdata that lives for ttl
// (CodeIgniter's mark_as_temp); ttl <= 0 means 5 minutes. Absent keys are
// ignored.
func (s *Session) MarkAsTemp(ttl time.Duration, keys ...string) {
	s.use(func(ns *namespace) {
		ns.remark(keys, func(*item) bool { return true }, kindTemp, ns.deadline(ttl))
	})
}

// UnmarkTemp turns the named temp items into plain userdata (CodeIgniter's
// unmark_temp).
func (s *Session) UnmarkTemp(keys ...string) {
	s.use(func(ns *namespace) {
		ns.remark(keys, func(it *item) bool { return it.kind == kindTemp }, kindUser, 0)
	})
}

// TempKeys returns the keys of the live temp items (CodeIgniter's
// get_temp_keys).
func (s *Session) TempKeys() []string {
	keys := []string{}
	s.use(func(ns *namespace) { keys = ns.keysOf(isTemp) })
	return keys
}
