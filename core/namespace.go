package core

// Regeneration requests, strongest last.
const (
	regenNone   uint8 = iota
	regenRotate       // automatic rotation: the old id forwards to the new one for a grace
	regenKeep         // Regenerate(KeepOld): the old id keeps its data
	regenDrop         // Regenerate(DestroyOld): the old id ends now
)

// Token changes, for merging.
const (
	csrfNone     uint8 = iota
	csrfCreated        // first use: keep a token another request created meanwhile
	csrfReplaced       // RegenerateToken: ours wins
)

// maxOneTimeTokens is how many one-time tokens a session keeps (Mako's 20).
const maxOneTimeTokens = 20

// namespace is one driver's session in one request: loaded on first use,
// changed by the handler, saved through the driver.
type namespace struct {
	q    *request
	slot *driverSlot
	dr   DriverRequest

	loaded   bool
	err      error  // why the load failed; Save returns it and writes nothing
	id       string // the session id; "" until the session has one
	loadedID string // the id it was loaded (or last saved) under; "" for a new session
	base     []byte // the encoded session as loaded or last saved
	moved    bool   // the client's reference is stale (Loaded.Refresh): save and send it again
	rec      record

	changes            // since the load or the last save
	destroyID string   // a destroyed session's id, deleted on Save
	ended     bool     // Destroy ran in this request: ID gives no new id
	reserved  []string // reserved keys a handler tried to change, for the log

	commit Commit // the last save's, and its changes: see save
	rebase rebase

	users *userState // the user index's work for Save (userbind.go); nil when there is none
}

// changes is what a request changed in a session since it loaded or last
// saved it: what Save writes, and what it merges into a concurrent
// request's save of the same session.
type changes struct {
	dirty     bool
	byHandler bool // a change came from a handler, not only from the engine (ageing)
	keys      []keyChange
	cleared   bool
	csrf      uint8
	ottAdded  []string
	ottUsed   []string
	regen     uint8
	ext       uint8 // the recordExt fields a handler set (extUser, extHandle, extLifetime)
}

// keyChange is a key whose item changed. A change the engine made by itself
// (flash ageing, temp expiry, keeping flashdata) is auto: merged only into
// an item no other request changed meanwhile. A handler's change always wins.
type keyChange struct {
	key  string
	auto bool
}

func newNamespace(q *request, slot *driverSlot) *namespace {
	ns := &namespace{q: q, slot: slot}
	ns.dr = DriverRequest{Name: slot.name, CookieName: slot.cookie, Transport: q.t, m: q.m, q: q, ids: slot.ids, markers: slot.markers, maxAge: int32(q.m.cookieMaxAge)}
	return ns
}

// load reads the session on first use. A request without a usable session
// (none, expired, bound to another client, tampered, unknown id) gets a
// fresh one; a failing driver leaves it empty, with the error kept for Save.
func (ns *namespace) load() {
	if ns.loaded {
		return
	}
	ns.loaded = true
	q, cfg := ns.q, &ns.q.m.cfg
	now := q.clock()
	ns.dr.Now = now
	nowMs := now.UnixMilli()
	l, err := ns.slot.d.Load(q.ctx, &ns.dr)
	if err != nil {
		ns.err = err
		ns.fresh(nowMs)
		return
	}
	if l.Data == nil {
		ns.fresh(nowMs)
		return
	}
	if err := ns.slot.codec.decode(l.Data, &ns.rec, nowMs); err != nil {
		cfg.Logger.Warn("session: stored session does not decode; starting a fresh one", "driver", ns.slot.name, "session", shortID(l.ID))
		ns.fresh(nowMs)
		return
	}
	id := l.ID
	if id == "" {
		id = ns.rec.id
	}
	switch {
	case !ns.slot.ids.validID(id),
		ns.slot.codec.keepsTimes() && nowMs >= cfg.sessionEnd(&ns.rec),
		cfg.MatchUserAgent && !sameUA(ns.rec.ua, q.userAgent()),
		cfg.MatchIP && ns.rec.ip != q.t.ClientIP():
		ns.fresh(nowMs)
		return
	}
	ns.id, ns.loadedID, ns.base, ns.moved = id, id, l.Data, l.Refresh
	if isUADigest(ns.rec.ua) {
		// The session keeps a digest of the User-Agent, which matched: the
		// reserved item reads as this request's.
		ns.rec.uaSum, ns.rec.ua = ns.rec.ua, q.userAgent()
	}
	if !ns.slot.codec.keepsTimes() {
		// The format keeps no client binding: the reserved items read as
		// this request's, and saving slides the store's expiry.
		ns.rec.ip, ns.rec.ua, ns.rec.uaSum = q.t.ClientIP(), q.userAgent(), ""
		ns.rec.lastWrite = 0
	}
	ns.age(nowMs)
	if cfg.TimeToUpdate > 0 && nowMs-ns.rec.lastActivity >= cfg.TimeToUpdate.Milliseconds() && !q.committed {
		// Rotate, unless the headers went out: the new id could not reach
		// the client, which would lose the session with its old id.
		ns.rec.lastActivity = nowMs
		ns.regen = regenRotate
		if ns.slot.keepOld {
			ns.regen = regenKeep
		}
		ns.id = ns.newID()
		ns.dirty = true
	}
}

// fresh starts an empty session bound to this client.
func (ns *namespace) fresh(nowMs int64) {
	ns.rec = record{
		created:      nowMs,
		lastActivity: nowMs,
		lastWrite:    nowMs,
		ip:           ns.q.t.ClientIP(),
		ua:           ns.q.userAgent(),
	}
	ns.id, ns.loadedID, ns.base, ns.moved = "", "", nil, false
}

// age applies CodeIgniter's ageing at session start: flashdata set in the
// previous request becomes old, old flashdata goes, expired tempdata goes.
func (ns *namespace) age(nowMs int64) {
	kept := ns.rec.items[:0]
	for _, it := range ns.rec.items {
		switch {
		case it.kind == kindFlashOld, it.kind == kindTemp && it.until <= nowMs:
			ns.changed(it.key, true)
			continue
		case it.kind == kindFlashNew:
			it.kind = kindFlashOld
			ns.changed(it.key, true)
		}
		kept = append(kept, it)
	}
	ns.rec.items = kept
}

// changed records a change to key ("" for one that is not an item); auto
// marks one the engine made by itself.
func (ns *namespace) changed(key string, auto bool) {
	ns.dirty = true
	ns.byHandler = ns.byHandler || !auto
	if ns.id == "" {
		ns.id = ns.newID()
	}
	if key != "" {
		found := false
		for i := range ns.keys {
			if ns.keys[i].key == key {
				ns.keys[i].auto = ns.keys[i].auto && auto
				found = true
				break
			}
		}
		if !found {
			ns.keys = append(ns.keys, keyChange{key: key, auto: auto})
		}
	}
	if q := ns.q; q.committed && !q.late && !auto {
		q.late = true
		q.m.cfg.Logger.Warn("session: modified after the response headers were sent", "driver", ns.slot.name, "key", key)
	}
}

// nowMs is the request's time in unix milliseconds.
func (ns *namespace) nowMs() int64 { return ns.q.clock().UnixMilli() }

// live returns the item under key, unless it is expired tempdata.
func (ns *namespace) live(key string) *item {
	it := ns.rec.find(key)
	if it == nil || it.kind == kindTemp && it.until <= ns.nowMs() {
		return nil
	}
	return it
}

// set stores an item under key.
func (ns *namespace) set(key string, it item) {
	if ns.isReserved(key) {
		ns.reserved = append(ns.reserved, key)
		return
	}
	it.key, it.decoded = key, true
	ns.rec.put(it)
	ns.changed(key, false)
}

// unset removes the items under keys whose kind passes match.
func (ns *namespace) unset(keys []string, match func(kind uint8) bool) {
	for _, k := range keys {
		if ns.isReserved(k) {
			ns.reserved = append(ns.reserved, k)
			continue
		}
		if it := ns.rec.find(k); it != nil && match(it.kind) {
			ns.rec.remove(k)
			ns.changed(k, false)
		}
	}
}

// unsetAll removes every item whose kind passes match.
func (ns *namespace) unsetAll(match func(kind uint8) bool) {
	var keys []string
	for i := range ns.rec.items {
		if match(ns.rec.items[i].kind) {
			keys = append(keys, ns.rec.items[i].key)
		}
	}
	ns.unset(keys, match)
}

// newID returns a fresh id of the driver's form.
func (ns *namespace) newID() string { return ns.slot.ids.newID() }

// isReserved reports whether key is read-only: a reserved item, or the
// codec's own bookkeeping.
func (ns *namespace) isReserved(key string) bool {
	return isReserved(key) || ns.slot.codec.reserved(key)
}
