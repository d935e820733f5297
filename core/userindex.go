package core

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// userIndex is what a user's index record holds: for each of the user's
// sessions, by handle, the ids that may hold it. It lives in the sessions'
// own Store under indexKey(user), which no session id can equal, and
// changes by compare-and-swap (the Swapper ability), so that requests and
// application instances sharing the store keep one index.
//
// An id is listed from before its session is stored (so that the index
// never lags the store) until its session can no longer live: entries are
// pruned on every change, and the record expires with its last entry, so
// that a store's garbage collection removes it.
type userIndex struct {
	entries []indexEntry
}

// indexEntry is one session of the user, under its handle: the ids that
// may hold it (the current one, the previous one for the rotation grace,
// the old one Regenerate(KeepOld) left).
type indexEntry struct {
	handle string
	driver string
	ids    []indexedID
}

// indexedID is an id that may hold the entry's session.
type indexedID struct {
	id    string
	since int64 // unix ms: when the index first listed it
	until int64 // unix ms: no session of the entry lives under id past it
}

// formatIndex is the first byte of an index record, after the session
// formats of record.go.
const formatIndex byte = 0x04

// pendingLife is how long an id listed before its session was stored may
// hold nothing before a listing drops it: the save in flight is done long
// before.
const pendingLife = time.Minute

// indexKey is the store key of user's index: the SHA-256 of the user id and
// "_user". Session ids never hold '_' (see idForm), so neither a generated
// id nor one a client sends can name it.
func indexKey(user string) string {
	sum := sha256.Sum256([]byte("ignitego/session user index\x00" + user))
	return hex.EncodeToString(sum[:]) + "_user"
}

// handleBytes is the randomness of a handle: 128 bits from crypto/rand.
const handleBytes = 16

// newHandle returns a fresh session handle: "h_" and 32 hex digits. The
// '_' keeps it out of every session id form, so that the engine never takes
// it for an id.
func newHandle() string {
	var raw [handleBytes]byte
	_, _ = rand.Read(raw[:])
	return "h_" + hex.EncodeToString(raw[:])
}

// validHandle reports whether h has the form newHandle gives.
func validHandle(h string) bool {
	if len(h) != 2+2*handleBytes || h[:2] != "h_" {
		return false
	}
	_, err := hex.DecodeString(h[2:])
	return err == nil
}

func (ix *userIndex) append(b []byte) []byte {
	b = append(b, formatIndex)
	b = binary.AppendUvarint(b, uint64(len(ix.entries)))
	for _, e := range ix.entries {
		b = appendString(b, e.handle)
		b = appendString(b, e.driver)
		b = binary.AppendUvarint(b, uint64(len(e.ids)))
		for _, x := range e.ids {
			b = appendString(b, x.id)
			b = binary.AppendVarint(b, x.since)
			b = binary.AppendVarint(b, x.until)
		}
	}
	return b
}

func decodeIndex(data []byte) (userIndex, error) {
	d := decoder{b: data}
	if d.byte() != formatIndex {
		return userIndex{}, errCorrupt
	}
	var ix userIndex
	n := d.count()
	for range n {
		e := indexEntry{handle: d.string(), driver: d.string()}
		m := d.count()
		for range m {
			e.ids = append(e.ids, indexedID{id: d.string(), since: d.varint(), until: d.varint()})
		}
		if d.err != nil {
			break
		}
		ix.entries = append(ix.entries, e)
	}
	if d.err == nil && d.off != len(data) {
		return userIndex{}, errCorrupt
	}
	return ix, d.err
}

// entry returns the entry of handle, nil when there is none.
func (ix *userIndex) entry(handle string) *indexEntry {
	for i := range ix.entries {
		if ix.entries[i].handle == handle {
			return &ix.entries[i]
		}
	}
	return nil
}

// ensure returns the entry of handle, adding it when there is none.
func (ix *userIndex) ensure(handle, driver string) *indexEntry {
	if e := ix.entry(handle); e != nil {
		return e
	}
	ix.entries = append(ix.entries, indexEntry{handle: handle, driver: driver})
	return &ix.entries[len(ix.entries)-1]
}

// find returns id's place in the entry, nil when it is not listed.
func (e *indexEntry) find(id string) *indexedID {
	for i := range e.ids {
		if e.ids[i].id == id {
			return &e.ids[i]
		}
	}
	return nil
}

// add lists id until at least until.
func (e *indexEntry) add(id string, nowMs, until int64) {
	if x := e.find(id); x != nil {
		x.until = max(x.until, until)
		return
	}
	e.ids = append(e.ids, indexedID{id: id, since: nowMs, until: until})
}

// remove drops id from the entry.
func (e *indexEntry) remove(id string) {
	e.ids = slices.DeleteFunc(e.ids, func(x indexedID) bool { return x.id == id })
}

// removeID drops id from the entry of handle, if there is one.
func (ix *userIndex) removeID(handle, id string) {
	if e := ix.entry(handle); e != nil {
		e.remove(id)
	}
}

// prune drops the ids whose sessions cannot live any more, and the entries
// left without ids.
func (ix *userIndex) prune(nowMs int64) {
	for i := range ix.entries {
		e := &ix.entries[i]
		e.ids = slices.DeleteFunc(e.ids, func(x indexedID) bool { return x.until <= nowMs })
	}
	ix.entries = slices.DeleteFunc(ix.entries, func(e indexEntry) bool { return len(e.ids) == 0 })
}

// expiry is when the record can go: when its last id can. An empty index
// lingers a moment (a racing edit may still read it) and goes.
func (ix *userIndex) expiry(now time.Time) time.Time {
	var last int64
	for _, e := range ix.entries {
		for _, x := range e.ids {
			last = max(last, x.until)
		}
	}
	if last == 0 {
		return now.Add(tombstoneLife)
	}
	return time.UnixMilli(last)
}

// loadIndex returns user's index in st, and its encoding as loaded (nil
// when there is none). An index that does not decode is an error.
func loadIndex(ctx context.Context, st Store, user string) (userIndex, []byte, error) {
	key := indexKey(user)
	data, found, err := st.Load(ctx, key)
	if err != nil {
		return userIndex{}, nil, storeError("load", key, err)
	}
	if !found {
		return userIndex{}, nil, nil
	}
	ix, err := decodeIndex(data)
	if err != nil {
		return userIndex{}, nil, fmt.Errorf("%w: the user index %s does not decode", ErrStore, shortID(key))
	}
	return ix, data, nil
}

// editIndex applies edit to user's index in st, after pruning it, with a
// compare-and-swap that it retries when another edit came first. An index
// that does not decode is replaced.
func editIndex(ctx context.Context, m *Manager, st Store, user string, now time.Time, edit func(ix *userIndex)) error {
	key := indexKey(user)
	sw := swapperOf(st)
	nowMs := now.UnixMilli()
	for attempt := range maxSwapAttempts {
		if err := retryPause(ctx, attempt); err != nil {
			return err
		}
		data, found, err := st.Load(ctx, key)
		if err != nil {
			return storeError("load", key, err)
		}
		var ix userIndex
		if found {
			if ix, err = decodeIndex(data); err != nil {
				m.cfg.Logger.Warn("session: a user index does not decode; it is replaced", "index", shortID(key))
			}
		}
		ix.prune(nowMs)
		edit(&ix)
		ix.prune(nowMs)
		out := ix.append(nil)
		var ok bool
		switch {
		case found && bytes.Equal(out, data):
			return nil
		case !found && len(ix.entries) == 0:
			return nil
		case !found:
			ok, err = sw.Insert(ctx, key, out, ix.expiry(now))
		default:
			ok, err = sw.CompareAndSwap(ctx, key, data, out, ix.expiry(now))
		}
		if err != nil {
			return storeError("save", key, err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("%w: the user index %s", ErrConflict, shortID(key))
}
