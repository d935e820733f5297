package core

import "encoding/binary"

// recordExt is what a session keeps beyond CodeIgniter's items: the user it
// is bound to and its handle (users.go), its own idle lifetime
// (lifetime.go), and until when the user's index lists its id
// (userindex.go). A record without any of them encodes as it always did.
type recordExt struct {
	user       string
	handle     string
	lifetime   int64 // milliseconds of idle lifetime (SetLifetime); 0: Config.Expiration; -1: NoExpiration
	indexUntil int64 // unix ms: the user's index lists this session's id until then; 0: not indexed
}

// extTag starts the extension after a record's items.
const extTag byte = 0x01

// The extension's fields, as the record has them (zero when it has none).
func (r *record) ext() recordExt {
	if r.x == nil {
		return recordExt{}
	}
	return *r.x
}

func (r *record) user() string    { return r.ext().user }
func (r *record) handle() string  { return r.ext().handle }
func (r *record) lifetime() int64 { return r.ext().lifetime }

// setExt gives the record the extension x, in memory of its own, so that
// records decoded from one another never share a change.
func (r *record) setExt(x recordExt) {
	if x == (recordExt{}) {
		r.x = nil
		return
	}
	r.x = &x
}

// append appends the extension, nothing when there is none.
func (x *recordExt) append(b []byte) []byte {
	if x == nil || *x == (recordExt{}) {
		return b
	}
	b = append(b, extTag)
	b = appendString(b, x.user)
	b = appendString(b, x.handle)
	b = binary.AppendVarint(b, x.lifetime)
	return binary.AppendVarint(b, x.indexUntil)
}

// decodeExt reads the extension, nil when the record has none.
func decodeExt(d *decoder) *recordExt {
	if d.err != nil || d.off == len(d.b) {
		return nil
	}
	if d.byte() != extTag {
		d.fail()
		return nil
	}
	return &recordExt{user: d.string(), handle: d.string(), lifetime: d.varint(), indexUntil: d.varint()}
}

// The recordExt fields a request set, for merging (changes.ext).
const (
	extUser     uint8 = 1 << iota // SetUser
	extHandle                     // the handle was made
	extLifetime                   // SetLifetime
)

// mergeExt applies to cur, another request's save of the session, what ch
// changed of the recordExt in mine. A handle made meanwhile by the other
// request stays: the first one saved is the session's.
func mergeExt(cur, mine *record, ch *changes) {
	x, m := cur.ext(), mine.ext()
	if ch.ext&extUser != 0 {
		x.user, x.indexUntil = m.user, m.indexUntil
	} else {
		x.indexUntil = max(x.indexUntil, m.indexUntil)
	}
	if ch.ext&(extUser|extHandle) != 0 && x.handle == "" {
		x.handle = m.handle
	}
	if ch.ext&extLifetime != 0 {
		x.lifetime = m.lifetime
	}
	cur.setExt(x)
}
