package core

import "slices"

func isFlash(kind uint8) bool { return kind == kindFlashNew || kind == kindFlashOld }

// SetFlashdata stores value under key for this request and the next one
// (CodeIgniter's set_flashdata).
func (s *Session) SetFlashdata(key string, value any) {
	s.use(func(ns *namespace) { ns.set(key, item{kind: kindFlashNew, val: value}) })
}

// SetFlashdataMap stores every entry of data as flashdata.
func (s *Session) SetFlashdataMap(data map[string]any) {
	s.use(func(ns *namespace) { ns.setItems(data, kindFlashNew, 0) })
}

// Flashdata returns the flash item under key, nil when there is none or key
// holds plain userdata (CodeIgniter's flashdata).
func (s *Session) Flashdata(key string) (v any) {
	s.use(func(ns *namespace) {
		if it := ns.rec.find(key); it != nil && isFlash(it.kind) {
			v = publicValue(it.value())
		}
	})
	return v
}

// HasFlashdata reports whether key holds a flash item (Mako's hasFlash).
func (s *Session) HasFlashdata(key string) (ok bool) {
	s.use(func(ns *namespace) {
		it := ns.rec.find(key)
		ok = it != nil && isFlash(it.kind)
	})
	return ok
}

// AllFlashdata returns a copy of the flash items only.
func (s *Session) AllFlashdata() map[string]any { return s.allOf(isFlash) }

// KeepFlashdata keeps the named flash items, or all of them when no key is
// given, for one more request (CodeIgniter's keep_flashdata, Mako's
// reflash).
func (s *Session) KeepFlashdata(keys ...string) {
	s.use(func(ns *namespace) {
		for i := range ns.rec.items {
			it := &ns.rec.items[i]
			if it.kind == kindFlashOld && (len(keys) == 0 || slices.Contains(keys, it.key)) {
				it.kind = kindFlashNew
				ns.changed(it.key, true)
			}
		}
	})
}

// UnsetFlashdata removes the named flash items, or all of them when no key
// is given (Mako's removeFlash). Plain userdata of those names stays.
func (s *Session) UnsetFlashdata(keys ...string) {
	s.use(func(ns *namespace) { ns.unsetKind(keys, isFlash) })
}

// MarkAsFlash turns existing items into flashdata: readable in this request
// and the next one (CodeIgniter's mark_as_flash). Absent keys are ignored.
func (s *Session) MarkAsFlash(keys ...string) {
	s.use(func(ns *namespace) {
		ns.remark(keys, func(it *item) bool { return it.kind != kindFlashNew }, kindFlashNew, 0)
	})
}

// UnmarkFlash turns the named flash items into plain userdata (CodeIgniter's
// unmark_flash).
func (s *Session) UnmarkFlash(keys ...string) {
	s.use(func(ns *namespace) {
		ns.remark(keys, func(it *item) bool { return isFlash(it.kind) }, kindUser, 0)
	})
}

// FlashKeys returns the keys of the flash items (CodeIgniter's
// get_flash_keys).
func (s *Session) FlashKeys() []string {
	keys := []string{}
	s.use(func(ns *namespace) { keys = ns.keysOf(isFlash) })
	return keys
}

// allOf returns a copy of the live items whose kind passes match.
func (s *Session) allOf(match func(uint8) bool) map[string]any {
	out := map[string]any{}
	s.use(func(ns *namespace) { ns.collect(out, match) })
	return out
}

// collect adds the live items whose kind passes match to out.
func (ns *namespace) collect(out map[string]any, match func(uint8) bool) {
	now := ns.nowMs()
	for i := range ns.rec.items {
		it := &ns.rec.items[i]
		if !match(it.kind) || it.kind == kindTemp && it.until <= now {
			continue
		}
		out[it.key] = publicValue(it.value())
	}
}

// unsetKind removes the items of a kind match passes under keys, or all of
// them when keys is empty.
func (ns *namespace) unsetKind(keys []string, match func(uint8) bool) {
	if len(keys) == 0 {
		ns.unsetAll(match)
		return
	}
	ns.unset(keys, match)
}

// remark changes the kind (and deadline) of the items under keys for which
// match is true.
func (ns *namespace) remark(keys []string, match func(*item) bool, kind uint8, until int64) {
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
