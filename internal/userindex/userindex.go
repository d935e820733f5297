// Package userindex is the record that lists a user's sessions in their
// Store (see core's Manager.UserSessions): its key, its encoding, and the
// edits the engine makes to it. The engine decides when to edit; this
// package only says what the record holds, so that tests of every store can
// read it too.
package userindex

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
)

// Index is what a user's index record holds: for each of the user's
// sessions, by handle, the ids that may hold it.
type Index struct {
	Entries []Entry
}

// Entry is one session of the user, under its handle: the ids that may
// hold it (the current one, the previous one for the rotation grace, the
// old one a Regenerate kept).
type Entry struct {
	Handle string
	Driver string
	IDs    []ID
}

// ID is an id that may hold an entry's session.
type ID struct {
	ID    string
	Since int64 // unix ms: when the index first listed it
	Until int64 // unix ms: no session of the entry lives under the id past it
}

// Format is the first byte of an index record, after the session formats
// (core/record.go).
const Format byte = 0x04

// ErrCorrupt reports a record that is not an index.
var ErrCorrupt = errors.New("userindex: not a user index")

// Key is the store key of user's index: the SHA-256 of the user id, then
// "_user". Session ids never hold '_', so neither a generated id nor one a
// client sends can name it.
func Key(user string) string {
	sum := sha256.Sum256([]byte("ignitego/session user index\x00" + user))
	return hex.EncodeToString(sum[:]) + "_user"
}

// handleBytes is the randomness of a handle: 128 bits from crypto/rand.
const handleBytes = 16

// NewHandle returns a fresh session handle: "h_" and 32 hex digits. The '_'
// keeps it out of every session id form, so that the engine never takes it
// for an id.
func NewHandle() string {
	var raw [handleBytes]byte
	_, _ = rand.Read(raw[:])
	return "h_" + hex.EncodeToString(raw[:])
}

// ValidHandle reports whether h has the form NewHandle gives.
func ValidHandle(h string) bool {
	if len(h) != 2+2*handleBytes || h[:2] != "h_" {
		return false
	}
	_, err := hex.DecodeString(h[2:])
	return err == nil
}

// Append appends the record's encoding to b.
func (ix *Index) Append(b []byte) []byte {
	b = append(b, Format)
	b = binary.AppendUvarint(b, uint64(len(ix.Entries)))
	for _, e := range ix.Entries {
		b = appendString(b, e.Handle)
		b = appendString(b, e.Driver)
		b = binary.AppendUvarint(b, uint64(len(e.IDs)))
		for _, x := range e.IDs {
			b = appendString(b, x.ID)
			b = binary.AppendVarint(b, x.Since)
			b = binary.AppendVarint(b, x.Until)
		}
	}
	return b
}

// Decode decodes a record Append made.
func Decode(data []byte) (Index, error) {
	d := decoder{b: data}
	if d.byte() != Format {
		return Index{}, ErrCorrupt
	}
	var ix Index
	for range d.count() {
		e := Entry{Handle: d.string(), Driver: d.string()}
		for range d.count() {
			e.IDs = append(e.IDs, ID{ID: d.string(), Since: d.varint(), Until: d.varint()})
		}
		if d.bad {
			return Index{}, ErrCorrupt
		}
		ix.Entries = append(ix.Entries, e)
	}
	if d.bad || d.off != len(data) {
		return Index{}, ErrCorrupt
	}
	return ix, nil
}

// Entry returns the entry of handle, nil when there is none.
func (ix *Index) Entry(handle string) *Entry {
	for i := range ix.Entries {
		if ix.Entries[i].Handle == handle {
			return &ix.Entries[i]
		}
	}
	return nil
}

// Ensure returns the entry of handle, adding it when there is none.
func (ix *Index) Ensure(handle, driver string) *Entry {
	if e := ix.Entry(handle); e != nil {
		return e
	}
	ix.Entries = append(ix.Entries, Entry{Handle: handle, Driver: driver})
	return &ix.Entries[len(ix.Entries)-1]
}

// RemoveID drops id from the entry of handle, if there is one.
func (ix *Index) RemoveID(handle, id string) {
	if e := ix.Entry(handle); e != nil {
		e.Remove(id)
	}
}

// Prune drops the ids whose sessions cannot live at nowMs any more, and the
// entries left without ids.
func (ix *Index) Prune(nowMs int64) {
	for i := range ix.Entries {
		e := &ix.Entries[i]
		e.IDs = slices.DeleteFunc(e.IDs, func(x ID) bool { return x.Until <= nowMs })
	}
	ix.Entries = slices.DeleteFunc(ix.Entries, func(e Entry) bool { return len(e.IDs) == 0 })
}

// Last returns the latest Until of the record's ids, 0 when it has none:
// when the record can go.
func (ix *Index) Last() int64 {
	var last int64
	for _, e := range ix.Entries {
		for _, x := range e.IDs {
			last = max(last, x.Until)
		}
	}
	return last
}

// IDs returns the ids the record lists, by handle.
func (ix *Index) IDs() map[string][]string {
	out := map[string][]string{}
	for _, e := range ix.Entries {
		for _, x := range e.IDs {
			out[e.Handle] = append(out[e.Handle], x.ID)
		}
	}
	return out
}

// Find returns id's place in the entry, nil when it is not listed.
func (e *Entry) Find(id string) *ID {
	for i := range e.IDs {
		if e.IDs[i].ID == id {
			return &e.IDs[i]
		}
	}
	return nil
}

// Add lists id, since nowMs if it is new, until at least until.
func (e *Entry) Add(id string, nowMs, until int64) {
	if x := e.Find(id); x != nil {
		x.Until = max(x.Until, until)
		return
	}
	e.IDs = append(e.IDs, ID{ID: id, Since: nowMs, Until: until})
}

// Remove drops id from the entry.
func (e *Entry) Remove(id string) {
	e.IDs = slices.DeleteFunc(e.IDs, func(x ID) bool { return x.ID == id })
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads what Append wrote; bad is set at the first malformed byte.
type decoder struct {
	b   []byte
	off int
	bad bool
}

func (d *decoder) byte() byte {
	if d.off >= len(d.b) {
		d.bad = true
		return 0
	}
	d.off++
	return d.b[d.off-1]
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.bad, d.off = true, len(d.b)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.bad, d.off = true, len(d.b)
		return 0
	}
	d.off += n
	return v
}

// count reads a length or an element count: each element takes at least a
// byte, so one beyond the bytes left is malformed (and allocates nothing).
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)-d.off) {
		d.bad, d.off = true, len(d.b)
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.count()
	s := string(d.b[d.off : d.off+n])
	d.off += n
	return s
}
