package core

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Session is one request's handle on a user's session data, in one driver's
// namespace. Its methods are safe for concurrent use by the goroutines of
// one request. The data is loaded when a method first needs it; setters and
// the lifecycle methods only change the session in memory, and Save (which
// the middlewares call before the response headers go out) persists what
// changed.
//
// A Session belongs to its request. The engine reuses a request's memory
// once it ends (Release), so a Session kept after that is inert: it reads as
// empty, changes nothing, and its Save reports ErrModifiedAfterCommit; the
// first such use is logged.
type Session struct {
	rq    atomic.Pointer[request] // nil until a method first needs the request's state
	ns    *namespace
	m     *Manager
	gen   uint64        // the request's generation this handle belongs to
	state atomic.Uint32 // handle flags

	// Until the handle takes its request state (a handler that never
	// touches the session never does), it holds what Start was given.
	ctx context.Context
	t   Transport
}

// Handle flags.
const (
	hStarted   uint32 = 1 << iota // Start began the session
	hCommitted                    // Commit ran before the state was taken
	hReleased                     // Release ran before the state was taken: it never will be
	hTaken                        // the handle took (or is taking) its request state
	hStale                        // used after its request ended; logged once
)

// errReleased is what a Session used after its request ended reports.
var errReleased = fmt.Errorf("%w: the session's request has ended", ErrModifiedAfterCommit)

// q returns the request state s belongs to; callers hold it through lock.
func (s *Session) q() *request { return s.rq.Load() }

// lock takes the request's lock, and reports whether s still belongs to the
// request; when it does not, the lock is not held.
func (s *Session) lock() bool {
	q := s.rq.Load()
	if q == nil {
		if q = s.acquire(); q == nil {
			s.markStale()
			return false
		}
	}
	q.mu.Lock()
	if s.gen == q.gen {
		return true
	}
	q.mu.Unlock()
	s.markStale()
	return false
}

func (s *Session) markStale() {
	for {
		st := s.state.Load()
		if st&hStale != 0 {
			return
		}
		if s.state.CompareAndSwap(st, st|hStale) {
			if s.m != nil {
				s.m.cfg.Logger.Warn("session: used after its request ended; the use is ignored")
			}
			return
		}
	}
}

// acquire takes the request state from the pool on the handle's first use,
// or returns nil when the request has ended (or never began). Goroutines of
// the request touching a fresh handle at once take it once: the others wait
// for the one that set hTaken.
func (s *Session) acquire() *request {
	for {
		if q := s.rq.Load(); q != nil {
			return q
		}
		st := s.state.Load()
		switch {
		case st&hTaken != 0:
			runtime.Gosched()
		case st&hReleased != 0 || st&hStarted == 0:
			return nil
		case s.state.CompareAndSwap(st, st|hTaken):
			q := s.m.requests.Get().(*request)
			q.mu.Lock()
			q.ctx, q.t, q.committed = s.ctx, s.t, st&hCommitted != 0
			s.gen = q.gen
			q.mu.Unlock()
			s.ctx, s.t = nil, nil
			s.rq.Store(q)
			return q
		}
	}
}

// taken returns the request state of a handle whose hTaken flag is set,
// waiting for a concurrent acquire to finish storing it.
func (s *Session) taken() *request {
	for {
		if q := s.rq.Load(); q != nil {
			return q
		}
		runtime.Gosched()
	}
}

// untakenState reports, for a handle that has not taken its request state,
// whether it is live (started, not released); ok is false once the state is
// taken. It sets the flags in set meanwhile, atomically.
func (s *Session) untakenState(set uint32) (live, ok bool) {
	for {
		st := s.state.Load()
		if st&hTaken != 0 {
			return false, false
		}
		if st&set == set || s.state.CompareAndSwap(st, st|set) {
			return st&hStarted != 0 && st&hReleased == 0, true
		}
	}
}

// request is the state one request shares across its driver namespaces.
type request struct {
	mu sync.Mutex
	m  *Manager
	// ctx is the request's context, kept for the lazy load that the
	// context-free getters trigger; like http.Request, a request-scoped value.
	ctx   context.Context
	t     Transport
	now   time.Time
	main  *namespace // the default driver's, made on first use
	extra []*namespace
	gen   uint64 // counts the requests this memory served; handles of older ones are stale

	ua        string // the User-Agent, truncated, once read
	uaRead    bool
	committed bool // the response headers went out: cookies can no longer change
	late      bool // a change arrived after that; Save reports it
	locks     []heldLock
}

// reset readies a request for reuse, dropping every reference it held.
func (q *request) reset() {
	q.ctx, q.t, q.now, q.ua, q.uaRead = nil, nil, time.Time{}, "", false
	if q.main != nil {
		q.main.reset()
	}
	clear(q.extra)
	q.extra = q.extra[:0]
	q.committed, q.late = false, false
	clear(q.locks)
	q.locks = q.locks[:0]
}

// userAgent returns the request's User-Agent as sessions keep it (at most
// 120 bytes), read once.
func (q *request) userAgent() string {
	if !q.uaRead {
		q.ua, q.uaRead = truncateUA(q.t.UserAgent()), true
	}
	return q.ua
}

// clock returns the request's time, read once.
func (q *request) clock() time.Time {
	if q.now.IsZero() {
		q.now = q.m.cfg.Now()
	}
	return q.now
}

// mainNS returns the default driver's namespace, creating it unloaded: a
// request whose handler never touches its session allocates none.
func (q *request) mainNS() *namespace {
	if q.main == nil {
		q.main = &namespace{}
		q.main.init(q, q.m.def)
	}
	return q.main
}

// n returns the namespace s reads and writes. The caller holds the lock.
func (s *Session) n() *namespace {
	if s.ns == nil {
		s.ns = s.q().mainNS()
	}
	return s.ns
}

// namespace returns the namespace of a valid driver, creating it unloaded.
func (q *request) namespace(name string) (*namespace, error) {
	if q.m.def.name == name {
		return q.mainNS(), nil
	}
	for _, ns := range q.extra {
		if ns.slot.name == name {
			return ns, nil
		}
	}
	slot, ok := q.m.drivers[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownDriver, name)
	}
	ns := &namespace{}
	ns.init(q, slot)
	q.extra = append(q.extra, ns)
	return ns, nil
}

// reset readies a namespace for another request on the same driver,
// keeping its encoding buffers unless they grew large.
func (ns *namespace) reset() {
	clear(ns.itemsBuf[:])
	clear(ns.keysBuf[:])
	slot, q, bufs := ns.slot, ns.q, ns.bufs
	*ns = namespace{}
	for i, b := range bufs {
		if cap(b) <= 64<<10 {
			ns.bufs[i] = b[:0]
		}
	}
	ns.init(q, slot)
}

// buffer returns an encoding buffer that base does not hold.
func (ns *namespace) buffer() int {
	if len(ns.base) > 0 && cap(ns.bufs[0]) > 0 && &ns.base[:1][0] == &ns.bufs[0][:1][0] {
		return 1
	}
	return 0
}

// Load states of a namespace.
const (
	unloaded uint8 = iota
	loaded
)

// Regeneration requests, strongest last.
const (
	regenNone   uint8 = iota
	regenRotate       // automatic rotation: the old id forwards to the new one for a grace
	regenKeep         // Regenerate(true): the old id keeps its data
	regenDrop         // Regenerate(false): the old id ends now
)

// Token changes, for merging.
const (
	csrfNone     uint8 = iota
	csrfCreated        // first use: keep a token another request created meanwhile
	csrfReplaced       // RegenerateToken: ours wins
)

// maxOneTimeTokens is how many one-time tokens a session keeps (Mako's 20).
const maxOneTimeTokens = 20

// namespace is one driver's session in one request.
type namespace struct {
	q    *request
	slot *driverSlot
	dr   DriverRequest

	state    uint8
	err      error  // why the load failed; Save returns it and writes nothing
	id       string // the session id; "" until the session has one
	loadedID string // the id it was loaded (or last saved) under; "" for a new session
	base     []byte // the encoded session as loaded or last saved
	moved    bool   // the client's reference is stale (Loaded.Refresh): save and send it again
	rec      record
	borrowed bool      // rec.ip and rec.ua are the transport's strings, copied when a handler reads them
	bufs     [2][]byte // encoding buffers, reused: never the one base holds
	itemsBuf [4]item
	commit   Commit // reused by every save: a driver must not keep it
	keysBuf  [4]keyChange

	// What changed since the load or the last save.
	dirty     bool
	byHandler bool // a change came from a handler, not only from the engine (ageing)
	keys      []keyChange
	cleared   bool
	csrf      uint8
	ottAdded  []string
	ottUsed   []string
	regen     uint8
	destroyID string   // a destroyed session's id, deleted on Save
	reserved  []string // reserved keys a handler tried to change
}

// keyChange is a key whose item changed. A change the engine made by itself
// (flash ageing, temp expiry, keeping flashdata) is auto: merged only into
// an item no other request changed meanwhile. A handler's change always wins.
type keyChange struct {
	key  string
	auto bool
}

func (ns *namespace) init(q *request, slot *driverSlot) {
	ns.q, ns.slot = q, slot
	_, binary := slot.codec.(binaryCodec)
	ns.dr = DriverRequest{Name: slot.name, CookieName: slot.cookie, Transport: q.t, m: q.m, req: q, ids: slot.ids, markers: binary}
	ns.rec.items = ns.itemsBuf[:0]
	ns.keys = ns.keysBuf[:0]
}

// load reads the session on first use. A request without a usable session
// (none, expired, bound to another client, tampered, unknown id) gets a
// fresh one; a failing driver leaves it empty, with the error kept for Save.
func (ns *namespace) load() {
	if ns.state != unloaded {
		return
	}
	ns.state = loaded
	q, cfg := ns.q, &ns.q.m.cfg
	now := q.clock()
	ns.dr.Now, ns.dr.Transport = now, q.t
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
		ns.slot.codec.keepsTimes() && nowMs >= ns.rec.lastWrite+cfg.lifetime().Milliseconds(),
		cfg.MatchUserAgent && !sameUA(ns.rec.ua, q.userAgent()),
		cfg.MatchIP && ns.rec.ip != q.t.ClientIP():
		ns.fresh(nowMs)
		return
	}
	ns.id, ns.loadedID, ns.base, ns.moved = id, id, l.Data, l.Refresh
	if isUADigest(ns.rec.ua) {
		// The session keeps a digest of the User-Agent, which matched: the
		// reserved item reads as this request's.
		ns.rec.uaSum, ns.rec.ua, ns.borrowed = ns.rec.ua, q.userAgent(), true
	}
	if !ns.slot.codec.keepsTimes() {
		// The format keeps no client binding: the reserved items read as
		// this request's, and saving slides the store's expiry.
		ns.rec.ip, ns.rec.ua, ns.rec.uaSum, ns.borrowed = q.t.ClientIP(), q.userAgent(), "", true
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
	t := ns.q.t
	items := ns.rec.items[:0]
	clear(ns.itemsBuf[:])
	ns.rec = record{
		created:      nowMs,
		lastActivity: nowMs,
		lastWrite:    nowMs,
		ip:           t.ClientIP(),
		ua:           ns.q.userAgent(),
		items:        items,
	}
	ns.borrowed = true
	ns.id, ns.loadedID, ns.base, ns.moved = "", "", nil, false
}

// age applies CodeIgniter's ageing at session start: flashdata set in the
// previous request becomes old, old flashdata goes, expired tempdata goes.
func (ns *namespace) age(nowMs int64) {
	items := ns.rec.items
	kept := items[:0]
	for i := range items {
		it := items[i]
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
	clear(items[len(kept):])
	ns.rec.items = kept
}

// truncateUA keeps the first 120 bytes of a User-Agent, as CodeIgniter does.
func truncateUA(ua string) string {
	if len(ua) > 120 {
		return ua[:120]
	}
	return ua
}

// With MatchUserAgent, a session keeps a digest of its User-Agent instead of
// the User-Agent itself: all binding needs, and a cookie-driver cookie about
// 100 bytes shorter. A digest is a NUL byte (which no header value holds)
// and the 64-bit FNV-1a hash of the User-Agent.
const uaDigestLen = 9

func isUADigest(s string) bool { return len(s) == uaDigestLen && s[0] == 0 }

// uaDigest appends the digest of ua to b.
func uaDigest(b []byte, ua string) []byte {
	h := uint64(14695981039346656037)
	for i := 0; i < len(ua); i++ {
		h ^= uint64(ua[i])
		h *= 1099511628211
	}
	return binary.BigEndian.AppendUint64(append(b, 0), h)
}

// sameUA reports whether stored, a User-Agent or its digest, is ua's.
func sameUA(stored, ua string) bool {
	if !isUADigest(stored) {
		return stored == ua
	}
	var d [uaDigestLen]byte
	return string(uaDigest(d[:0], ua)) == stored
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
	ns.load()
	if ns.isReserved(key) {
		ns.reserve(key)
		return
	}
	it.key, it.decoded = key, true
	ns.rec.put(it)
	ns.changed(key, false)
}

// unset removes the items under keys whose kind passes keep.
func (ns *namespace) unset(keys []string, match func(kind uint8) bool) {
	ns.load()
	for _, k := range keys {
		if ns.isReserved(k) {
			ns.reserve(k)
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
	ns.load()
	var keys []string
	for i := range ns.rec.items {
		if match(ns.rec.items[i].kind) {
			keys = append(keys, ns.rec.items[i].key)
		}
	}
	ns.unset(keys, match)
}

func (ns *namespace) reserve(key string) {
	ns.reserved = append(ns.reserved, key)
}

// save persists what changed, through the driver.
func (ns *namespace) save(ctx context.Context) error {
	if ns.state == unloaded {
		return nil
	}
	if ns.err != nil {
		return ns.err
	}
	var warn error
	if len(ns.reserved) > 0 {
		// Everything else is saved: a warning for the log, not an error.
		ns.q.m.cfg.Logger.Warn(ErrReservedKey.Error(), "driver", ns.slot.name, "keys", strings.Join(ns.reserved, ", "))
		ns.reserved = nil
	}
	q, cfg := ns.q, &ns.q.m.cfg
	now := q.clock()
	ns.dr.Now = now
	nowMs := now.UnixMilli()
	if ns.destroyID != "" {
		if err := ns.slot.d.Destroy(ctx, &ns.dr, ns.destroyID); err != nil && !errors.Is(err, ErrModifiedAfterCommit) {
			return errors.Join(warn, err)
		} else if err != nil {
			warn = errors.Join(warn, err)
		}
		ns.destroyID = ""
	}
	touch := ns.loadedID != "" && nowMs-ns.rec.lastWrite >= cfg.touchInterval().Milliseconds()
	if !ns.dirty && !touch && !ns.moved {
		return warn
	}
	if q.committed {
		// No cookie can reach the client any more: keep the id it holds.
		if ns.loadedID == "" {
			if !ns.byHandler {
				return warn
			}
			return errors.Join(warn, fmt.Errorf("%w: a new session's cookie could not be sent; nothing saved", ErrModifiedAfterCommit))
		}
		if ns.id != ns.loadedID {
			warn = errors.Join(warn, fmt.Errorf("%w: the new session id could not be sent; the id stays", ErrModifiedAfterCommit))
			ns.id, ns.regen = ns.loadedID, regenNone
		}
		touch, ns.moved = false, false
	}
	if ns.id == "" {
		ns.id = ns.newID()
	}
	ns.rec.lastWrite = nowMs
	data, err := ns.encode(ns.id, nil)
	if err != nil {
		return errors.Join(warn, err)
	}
	c := &ns.commit
	*c = Commit{
		ID:        ns.id,
		Data:      data,
		Base:      ns.base,
		ExpiresAt: now.Add(cfg.lifetime()),
		Refresh:   touch || ns.moved || ns.loadedID == "",
		enc:       ns,
	}
	if ns.loadedID != "" && ns.loadedID != ns.id {
		c.PrevID = ns.loadedID
		c.KeepPrev = ns.regen == regenKeep
		c.Rotated = ns.regen == regenRotate
	}
	err = ns.slot.d.Save(ctx, &ns.dr, c)
	if err != nil && !errors.Is(err, ErrModifiedAfterCommit) {
		return errors.Join(warn, err)
	}
	if err != nil && !ns.byHandler {
		err = nil // only the engine's own changes (ageing) missed the cookie: nothing to report
	}
	// Saved, though a cookie may have been too late to send.
	if c.gone {
		ns.rec.items = ns.rec.items[:0]
		ns.rec.csrf, ns.rec.otts = "", nil
		ns.id, ns.loadedID, ns.base = "", "", nil
	} else {
		if len(c.Data) > 0 && len(data) > 0 && &c.Data[0] != &data[0] {
			// Merged with another request's changes: continue from the merge.
			if derr := ns.slot.codec.decode(c.Data, &ns.rec, nowMs); derr != nil {
				return errors.Join(warn, err, derr)
			}
		}
		ns.id, ns.loadedID, ns.base = c.ID, c.ID, c.Data
	}
	ns.moved, ns.dirty, ns.cleared, ns.byHandler = false, false, false, false
	ns.keys, ns.ottAdded, ns.ottUsed = ns.keys[:0], ns.ottAdded[:0], ns.ottUsed[:0]
	ns.csrf, ns.regen = csrfNone, regenNone
	return errors.Join(warn, err)
}

// encode encodes the session under id: as this request sees it when current
// is nil, else this request's changes merged into current, another
// request's save of the same session.
func (ns *namespace) encode(id string, current []byte) ([]byte, error) {
	c := ns.slot.codec
	if current == nil {
		ns.rec.id = id
		i := ns.buffer()
		b, err := c.append(ns.bufs[i][:0], &ns.rec)
		ns.bufs[i] = b[:0]
		return b, err
	}
	nowMs := ns.nowMs()
	var cur, base record
	if err := c.decode(current, &cur, nowMs); err != nil {
		// What is stored does not decode: this request's view replaces it.
		ns.rec.id = id
		return c.append(make([]byte, 0, len(ns.base)+64), &ns.rec)
	}
	if ns.base != nil {
		_ = c.decode(ns.base, &base, nowMs)
	}
	ns.mergeTokens(&cur)
	if ns.cleared {
		cur.items = cur.items[:0]
	}
	for _, k := range ns.keys {
		mine := ns.rec.find(k.key)
		if k.auto {
			b, c := base.find(k.key), cur.find(k.key)
			if b == nil || c == nil || !c.sameAs(b) {
				continue
			}
		}
		if mine == nil {
			cur.remove(k.key)
		} else {
			cur.put(*mine)
		}
	}
	cur.id = id
	cur.lastActivity = max(cur.lastActivity, ns.rec.lastActivity)
	cur.lastWrite = ns.rec.lastWrite
	return c.append(make([]byte, 0, len(current)+64), &cur)
}

// newID returns a fresh id of the driver's form.
func (ns *namespace) newID() string { return ns.slot.ids.newID() }

// isReserved reports whether key is read-only: a reserved item, or the
// codec's own bookkeeping.
func (ns *namespace) isReserved(key string) bool {
	return isReserved(key) || ns.slot.codec.reserved(key)
}

// mergeTokens applies this request's token changes to cur.
func (ns *namespace) mergeTokens(cur *record) {
	if ns.cleared {
		cur.csrf = ns.rec.csrf
		cur.otts = append([]string(nil), ns.rec.otts...)
		return
	}
	switch ns.csrf {
	case csrfReplaced:
		cur.csrf = ns.rec.csrf
	case csrfCreated:
		if cur.csrf == "" {
			cur.csrf = ns.rec.csrf
		}
	}
	if len(ns.ottUsed) == 0 && len(ns.ottAdded) == 0 {
		return
	}
	otts := make([]string, 0, len(cur.otts)+len(ns.ottAdded))
	for _, t := range cur.otts {
		if !containsString(ns.ottUsed, t) {
			otts = append(otts, t)
		}
	}
	for _, t := range ns.ottAdded {
		if !containsString(otts, t) && !containsString(ns.ottUsed, t) {
			otts = append(otts, t)
		}
	}
	if len(otts) > maxOneTimeTokens {
		otts = otts[len(otts)-maxOneTimeTokens:]
	}
	cur.otts = otts
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// Save persists every change the request made to its sessions, in every
// driver it touched: only what changed, merged with concurrent requests on
// the same session. Calling it again without new changes does nothing. It
// returns the error that kept a session from loading or saving (wrapping
// ErrStore, ErrLockTimeout, ErrConflict, ErrCookieTooLarge, or an
// *EncodeError), and warnings (ErrReservedKey, ErrModifiedAfterCommit)
// joined with it; see ErrorStatus. The middlewares call it for you.
func (s *Session) Save(ctx context.Context) error {
	if live, ok := s.untakenState(0); ok {
		if !live {
			return errReleased
		}
		return nil
	}
	if !s.lock() {
		return errReleased
	}
	defer s.q().mu.Unlock()
	return s.q().save(ctx)
}

func (q *request) save(ctx context.Context) error {
	var err error
	if q.main != nil {
		err = q.main.save(ctx)
	}
	for _, ns := range q.extra {
		err = errors.Join(err, ns.save(ctx))
	}
	if q.late {
		q.late = false
		err = errors.Join(err, ErrModifiedAfterCommit)
	}
	return err
}

// Commit saves like Save, then marks the response headers as sent: from
// then on a change cannot send a cookie, and Save reports it with
// ErrModifiedAfterCommit (store-side data is still saved when no cookie has
// to change). The middlewares call it just before the headers go out.
func (s *Session) Commit(ctx context.Context) error {
	if live, ok := s.untakenState(hCommitted); ok {
		if !live {
			return errReleased
		}
		return nil
	}
	if !s.lock() {
		return errReleased
	}
	defer s.q().mu.Unlock()
	q := s.q()
	err := q.save(ctx)
	q.committed = true
	return err
}

// Release ends the request's use of its sessions: it releases the session
// locks Config.Lock took, and the engine reuses the request's memory, so
// every Session of the request becomes inert. The middlewares defer it, so
// that it runs even when a handler panics. Calling it more than once is
// safe.
func (s *Session) Release() {
	if _, ok := s.untakenState(hReleased); ok {
		s.ctx, s.t = nil, nil
		return
	}
	q := s.taken()
	q.mu.Lock()
	if s.gen != q.gen {
		q.mu.Unlock()
		return
	}
	q.unlockAll(q.ctx)
	q.gen++
	q.reset()
	q.mu.Unlock()
	s.m.requests.Put(q)
}

// Err returns the error that kept the session from loading, if any: a
// failing store, a lock not acquired in time. The session then reads as
// empty and Save, which returns the same error, writes nothing.
func (s *Session) Err() error {
	if !s.lock() {
		return errReleased
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	return ns.err
}

// ID returns the session id, or "" for a new session that holds nothing yet
// (it gets an id when it is first changed).
func (s *Session) ID() string {
	if !s.lock() {
		return ""
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	return ns.id
}

// Regenerate gives the session a new id, keeping its data (CodeIgniter's
// sess_regenerate, Mako's regenerateId). With keepOld, the old id keeps its
// data in the store; without, it ends at once. Call it on login, logout and
// any change of privilege.
func (s *Session) Regenerate(keepOld bool) {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	if keepOld {
		ns.regen = max(ns.regen, regenKeep)
	} else {
		ns.regen = regenDrop
	}
	ns.id = ns.newID()
	ns.rec.lastActivity = ns.nowMs()
	ns.changed("", false)
}

// Destroy ends the session (CodeIgniter's sess_destroy): Save deletes its
// stored data and expires its cookie. The rest of the request sees an empty
// session; data set after Destroy starts a new session with a new id.
func (s *Session) Destroy() {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	if ns.loadedID != "" {
		ns.destroyID = ns.loadedID
	}
	ns.fresh(ns.nowMs())
	ns.dirty, ns.cleared, ns.keys = false, false, ns.keys[:0]
	ns.csrf, ns.regen = csrfNone, regenNone
	ns.ottAdded, ns.ottUsed = ns.ottAdded[:0], ns.ottUsed[:0]
}

// Clear removes all of the session's data, tokens included, and keeps its
// id (Mako's clear).
func (s *Session) Clear() {
	if !s.lock() {
		return
	}
	defer s.q().mu.Unlock()
	ns := s.n()
	ns.load()
	clear(ns.rec.items)
	ns.rec.items = ns.rec.items[:0]
	ns.rec.csrf, ns.rec.otts = "", nil
	ns.keys = ns.keys[:0]
	ns.cleared = true
	ns.changed("", false)
}

// Driver returns a handle on the named driver's data, loading the driver if
// it is valid; ErrUnknownDriver if it is not. Each driver keeps its own data
// under its own cookie.
func (s *Session) Driver(name string) (*Session, error) {
	if !s.lock() {
		return s.inert(), errReleased
	}
	defer s.q().mu.Unlock()
	ns, err := s.q().namespace(name)
	if err != nil {
		return nil, err
	}
	return s.derive(ns), nil
}

// derive returns another handle on s's request, on namespace ns (nil: the
// default driver's). s has taken its request state.
func (s *Session) derive(ns *namespace) *Session {
	h := &Session{ns: ns, m: s.m, gen: s.gen}
	h.state.Store(hStarted | hTaken)
	h.rq.Store(s.q())
	return h
}

// inert returns a handle as inert as s, for a call on a released session.
func (s *Session) inert() *Session {
	h := &Session{m: s.m, gen: s.gen}
	h.state.Store(hStarted | hReleased | hTaken | hStale)
	h.rq.Store(s.q())
	return h
}

// SelectDriver makes later calls on s use the named driver's data.
func (s *Session) SelectDriver(name string) error {
	if !s.lock() {
		return errReleased
	}
	defer s.q().mu.Unlock()
	ns, err := s.q().namespace(name)
	if err != nil {
		return err
	}
	s.ns = ns
	return nil
}

// LoadDriver makes a further valid driver available to the request
// (CodeIgniter's load_driver); ErrUnknownDriver if it is not valid. Driver
// and SelectDriver load a valid driver themselves.
func (s *Session) LoadDriver(name string) error {
	if !s.lock() {
		return errReleased
	}
	defer s.q().mu.Unlock()
	_, err := s.q().namespace(name)
	return err
}

// DriverName returns the name of the driver whose data s reads and writes.
func (s *Session) DriverName() string {
	if !s.lock() {
		return ""
	}
	defer s.q().mu.Unlock()
	return s.n().slot.name
}
