package core

func isFlash(kind uint8) bool { return kind == kindFlashNew || kind == kindFlashOld }

// SetFlashdata stores value under key for this request and the next one
// (CodeIgniter's set_flashdata).
func (s *Session) SetFlashdata(key string, value any) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	s.n().set(key, item{kind: kindFlashNew, val: value})
}

// SetFlashdataMap stores every entry of data as flashdata.
func (s *Session) SetFlashdataMap(data map[string]any) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	for k, v := range data {
		s.n().set(k, item{kind: kindFlashNew, val: v})
	}
}

// Flashdata returns the flash item under key, nil when there is none or key
// holds plain userdata (CodeIgniter's flashdata).
func (s *Session) Flashdata(key string) any {
	if !s.lock() {
		return nil
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	if it := ns.rec.find(key); it != nil && isFlash(it.kind) {
		return publicValue(it.value())
	}
	return nil
}

// HasFlashdata reports whether key holds a flash item (Mako's hasFlash).
func (s *Session) HasFlashdata(key string) bool {
	if !s.lock() {
		return false
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	it := ns.rec.find(key)
	return it != nil && isFlash(it.kind)
}

// AllFlashdata returns a copy of the flash items only.
func (s *Session) AllFlashdata() map[string]any {
	if !s.lock() {
		return map[string]any{}
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	out := make(map[string]any)
	ns.collect(out, isFlash)
	return out
}

// KeepFlashdata keeps the named flash items, or all of them when no key is
// given, for one more request (CodeIgniter's keep_flashdata, Mako's
// reflash).
func (s *Session) KeepFlashdata(keys ...string) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	for i := range ns.rec.items {
		it := &ns.rec.items[i]
		if it.kind == kindFlashOld && (len(keys) == 0 || containsString(keys, it.key)) {
			it.kind = kindFlashNew
			ns.changed(it.key, true)
		}
	}
}

// UnsetFlashdata removes the named flash items, or all of them when no key
// is given (Mako's removeFlash). Plain userdata of those names stays.
func (s *Session) UnsetFlashdata(keys ...string) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	if len(keys) == 0 {
		s.n().unsetAll(isFlash)
		return
	}
	s.n().unset(keys, isFlash)
}

// MarkAsFlash turns existing items into flashdata: readable in this request
// and the next one (CodeIgniter's mark_as_flash). Absent keys are ignored.
func (s *Session) MarkAsFlash(keys ...string) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	s.n().remark(keys, func(it *item) bool { return it.kind != kindFlashNew }, kindFlashNew, 0)
}

// UnmarkFlash turns the named flash items into plain userdata (CodeIgniter's
// unmark_flash).
func (s *Session) UnmarkFlash(keys ...string) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	s.n().remark(keys, func(it *item) bool { return isFlash(it.kind) }, kindUser, 0)
}

// FlashKeys returns the keys of the flash items (CodeIgniter's
// get_flash_keys).
func (s *Session) FlashKeys() []string {
	if !s.lock() {
		return []string{}
	}
	defer s.q().mu.Unlock()
	return s.n().keysOf(isFlash)
}

// remark changes the kind (and deadline) of the items under keys for which
// match is true.
func (ns *namespace) remark(keys []string, match func(*item) bool, kind uint8, until int64) {
	ns.load()
	for _, k := range keys {
		it := ns.live(k)
		if it == nil || !match(it) {
			continue
		}
		it.kind, it.until = kind, until
		ns.changed(k, false)
	}
}

// keysOf returns the keys of the live items whose kind passes match.
func (ns *namespace) keysOf(match func(uint8) bool) []string {
	ns.load()
	now := ns.nowMs()
	keys := []string{}
	for i := range ns.rec.items {
		it := &ns.rec.items[i]
		if match(it.kind) && !(it.kind == kindTemp && it.until <= now) {
			keys = append(keys, it.key)
		}
	}
	return keys
}
