package core

import "time"

func isTemp(kind uint8) bool { return kind == kindTemp }

// SetTempdata stores value under key until ttl passes (CodeIgniter's
// set_tempdata); ttl <= 0 means DefaultTempdataTTL, 5 minutes.
func (s *Session) SetTempdata(key string, value any, ttl time.Duration) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	s.n().setTemp(key, value, ttl)
}

// SetTempdataMap stores every entry of data as tempdata with one ttl.
func (s *Session) SetTempdataMap(data map[string]any, ttl time.Duration) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	for k, v := range data {
		s.n().setTemp(k, v, ttl)
	}
}

func (ns *namespace) setTemp(key string, value any, ttl time.Duration) {
	if ttl <= 0 {
		ttl = DefaultTempdataTTL
	}
	ns.load()
	ns.set(key, item{kind: kindTemp, val: value, until: ns.nowMs() + ttl.Milliseconds()})
}

// Tempdata returns the temp item under key, nil when there is none, it has
// expired, or key holds another kind (CodeIgniter's tempdata).
func (s *Session) Tempdata(key string) any {
	if !s.lock() {
		return nil
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	if it := ns.live(key); it != nil && it.kind == kindTemp {
		return publicValue(it.value())
	}
	return nil
}

// AllTempdata returns a copy of the live temp items only.
func (s *Session) AllTempdata() map[string]any {
	if !s.lock() {
		return map[string]any{}
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	out := make(map[string]any)
	ns.collect(out, isTemp)
	return out
}

// UnsetTempdata removes the named temp items, or all of them when no key is
// given (CodeIgniter's unset_tempdata). Other items of those names stay.
func (s *Session) UnsetTempdata(keys ...string) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	if len(keys) == 0 {
		s.n().unsetAll(isTemp)
		return
	}
	s.n().unset(keys, isTemp)
}

// MarkAsTemp turns existing items into tempdata that lives for ttl
// (CodeIgniter's mark_as_temp); ttl <= 0 means 5 minutes. Absent keys are
// ignored.
func (s *Session) MarkAsTemp(ttl time.Duration, keys ...string) {
	if ttl <= 0 {
		ttl = DefaultTempdataTTL
	}
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	until := s.n().nowMs() + ttl.Milliseconds()
	s.n().remark(keys, func(*item) bool { return true }, kindTemp, until)
}

// UnmarkTemp turns the named temp items into plain userdata (CodeIgniter's
// unmark_temp).
func (s *Session) UnmarkTemp(keys ...string) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	s.n().remark(keys, func(it *item) bool { return it.kind == kindTemp }, kindUser, 0)
}

// TempKeys returns the keys of the live temp items (CodeIgniter's
// get_temp_keys).
func (s *Session) TempKeys() []string {
	if !s.lock() {
		return []string{}
	}
	defer s.q().mu.Unlock()
	return s.n().keysOf(isTemp)
}
