package core

func isFlash(kind uint8) bool { return kind == kindFlashNew || kind == kindFlashOld }

// SetFlashdata stores value under key for this request and the next one
// (CodeIgniter's set_flashdata).
func (s *Session) SetFlashdata(key string, value any) {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	s.ns.set(key, item{kind: kindFlashNew, val: value})
}

// SetFlashdataMap stores every entry of data as flashdata.
func (s *Session) SetFlashdataMap(data map[string]any) {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	for k, v := range data {
		s.ns.set(k, item{kind: kindFlashNew, val: v})
	}
}

// Flashdata returns the flash item under key, nil when there is none or key
// holds plain userdata (CodeIgniter's flashdata).
func (s *Session) Flashdata(key string) any {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	ns := s.ns
	ns.load()
	if it := ns.rec.find(key); it != nil && isFlash(it.kind) {
		return publicValue(it.value())
	}
	return nil
}

// HasFlashdata reports whether key holds a flash item (Mako's hasFlash).
func (s *Session) HasFlashdata(key string) bool {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	ns := s.ns
	ns.load()
	it := ns.rec.find(key)
	return it != nil && isFlash(it.kind)
}

// AllFlashdata returns a copy of the flash items only.
func (s *Session) AllFlashdata() map[string]any {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	ns := s.ns
	ns.load()
	out := make(map[string]any)
	ns.collect(out, isFlash)
	return out
}

// KeepFlashdata keeps the named flash items, or all of them when no key is
// given, for one more request (CodeIgniter's keep_flashdata, Mako's
// reflash).
func (s *Session) KeepFlashdata(keys ...string) {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	ns := s.ns
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
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	if len(keys) == 0 {
		s.ns.unsetAll(isFlash)
		return
	}
	s.ns.unset(keys, isFlash)
}
