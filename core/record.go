package core

import (
	"bytes"
	"encoding/binary"
)

// Item kinds. Flashdata and tempdata share the userdata key space, as in
// CodeIgniter 3: an item is one key with a kind.
const (
	kindUser     uint8 = iota
	kindFlashNew       // set in this request (or kept): readable now and in the next request
	kindFlashOld       // set in the previous request: readable now, gone in the next
	kindTemp           // readable until the item's deadline
	kindLimit
)

// item is one key of a session. A loaded item keeps the encoded bytes of its
// value (raw) and decodes them on first use; saving an item nobody replaced
// copies raw as it is.
type item struct {
	key     string
	kind    uint8
	until   int64 // kindTemp: deadline, unix milliseconds
	raw     []byte
	val     any
	decoded bool // val holds the value (raw decoded, or set by the handler)
}

// record is one session's whole state, whatever the codec that stores it.
type record struct {
	created      int64  // unix ms
	lastActivity int64  // unix ms: creation or the last id rotation (CodeIgniter's last_activity)
	lastWrite    int64  // unix ms: the last save; inactivity expiry counts from here
	id           string // only in records that travel in a cookie
	ip           string
	ua           string
	uaSum        string // the digest of ua, when the load has it; "" when not known
	csrf         string
	otts         []string // one-time tokens, newest last
	items        []item
}

// Record formats: the first byte of every encoding.
const (
	formatRecord    byte = 0x01
	formatForward   byte = 0x02 // an old id pointing at its successor during the rotation grace
	formatTombstone byte = 0x03 // an id that ended (Destroy, Regenerate): holds nothing, so a racing save cannot revive it
)

func (r *record) find(key string) *item {
	for i := range r.items {
		if r.items[i].key == key {
			return &r.items[i]
		}
	}
	return nil
}

func (r *record) put(it item) {
	if old := r.find(it.key); old != nil {
		*old = it
		return
	}
	r.items = append(r.items, it)
}

func (r *record) remove(key string) bool {
	for i := range r.items {
		if r.items[i].key == key {
			r.items = append(r.items[:i], r.items[i+1:]...)
			return true
		}
	}
	return false
}

// value returns the item's value, decoding it on first use. A value that
// does not decode reads as nil but keeps its bytes, so saving the session
// never drops it.
func (it *item) value() any {
	if !it.decoded {
		v, err := decodeValue(it.raw)
		if err != nil {
			return nil
		}
		it.val, it.decoded = v, true
	}
	return it.val
}

// sameAs reports whether two items are the same stored item: same kind,
// deadline and encoded value. Automatic changes (flash ageing, temp expiry,
// keeping flashdata) apply on merge only to an item that is still the one
// this request loaded.
func (it *item) sameAs(o *item) bool {
	return it.kind == o.kind && it.until == o.until && it.raw != nil && bytes.Equal(it.raw, o.raw)
}

// appendRecord encodes r. Values set in this request are encoded; loaded
// ones are copied as they are. With uaDigestOnly, the User-Agent is kept as
// its digest (see uaDigest).
func appendRecord(b []byte, r *record, uaDigestOnly bool) ([]byte, error) {
	b = append(b, formatRecord)
	b = binary.AppendVarint(b, r.created)
	b = binary.AppendVarint(b, r.lastActivity)
	b = binary.AppendVarint(b, r.lastWrite)
	b = appendString(b, r.id)
	b = appendString(b, r.ip)
	switch {
	case !uaDigestOnly || isUADigest(r.ua):
		b = appendString(b, r.ua)
	case r.uaSum != "":
		b = appendString(b, r.uaSum) // the digest the load matched
	default:
		b = appendString(b, string(uaDigest(nil, r.ua)))
	}
	b = appendString(b, r.csrf)
	b = binary.AppendUvarint(b, uint64(len(r.otts)))
	for _, t := range r.otts {
		b = appendString(b, t)
	}
	b = binary.AppendUvarint(b, uint64(len(r.items)))
	for i := range r.items {
		it := &r.items[i]
		b = appendString(b, it.key)
		b = append(b, it.kind)
		if it.kind == kindTemp {
			b = binary.AppendVarint(b, it.until)
		}
		if it.raw != nil {
			b = binary.AppendUvarint(b, uint64(len(it.raw)))
			b = append(b, it.raw...)
			continue
		}
		var err error
		if b, err = appendPrefixedValue(b, it.val); err != nil {
			return b, &EncodeError{Key: it.key, Err: err}
		}
	}
	return b, nil
}

// appendPrefixedValue appends v's encoding preceded by its length.
func appendPrefixedValue(b []byte, v any) ([]byte, error) {
	start := len(b)
	b, err := appendValue(b, v, 0)
	if err != nil {
		return b[:start], err
	}
	n := len(b) - start
	var pre [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(pre[:], uint64(n))
	b = append(b, pre[:k]...)
	copy(b[start+k:], b[start:start+n])
	copy(b[start:], pre[:k])
	return b, nil
}

// decodeRecord decodes data into r, reusing r's slices. Strings and raw
// values share data's memory: data must not change afterwards.
func decodeRecord(data []byte, r *record) error {
	d := decoder{b: data}
	if d.byte() != formatRecord {
		return errCorrupt
	}
	r.created = d.varint()
	r.lastActivity = d.varint()
	r.lastWrite = d.varint()
	r.id = d.string()
	r.ip = d.string()
	r.ua, r.uaSum = d.string(), ""
	r.csrf = d.string()
	n := d.count()
	r.otts = r.otts[:0]
	for range n {
		r.otts = append(r.otts, d.string())
	}
	n = d.count()
	r.items = r.items[:0]
	for range n {
		it := item{key: d.string(), kind: d.byte()}
		if it.kind >= kindLimit {
			d.fail()
		}
		if it.kind == kindTemp {
			it.until = d.varint()
		}
		it.raw = d.bytes()
		if d.err != nil {
			break
		}
		if it.raw == nil {
			it.raw = []byte{} // raw != nil marks a loaded item
		}
		r.items = append(r.items, it)
	}
	if d.err == nil && d.off != len(data) {
		return errCorrupt
	}
	return d.err
}

// forward is what an old id holds for a short grace after an automatic id
// rotation: the id that replaced it, until a deadline.
type forward struct {
	to    string
	until int64 // unix ms
}

func appendForward(b []byte, f forward) []byte {
	b = append(b, formatForward)
	b = appendString(b, f.to)
	return binary.AppendVarint(b, f.until)
}

// tombstone is what an ended id holds for a short while.
var tombstone = []byte{formatTombstone}

// isTombstone reports whether data marks an ended id.
func isTombstone(data []byte) bool { return len(data) == 1 && data[0] == formatTombstone }

// decodeForward reports whether data is a forward marker, and decodes it.
func decodeForward(data []byte) (forward, bool) {
	if len(data) == 0 || data[0] != formatForward {
		return forward{}, false
	}
	d := decoder{b: data, off: 1}
	f := forward{to: string(d.bytes()), until: d.varint()}
	if d.err != nil || d.off != len(data) || !ValidID(f.to) {
		return forward{}, false
	}
	return f, true
}
