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

// append appends the extension, nothing when it is empty.
func (x *recordExt) append(b []byte) []byte {
	if *x == (recordExt{}) {
		return b
	}
	b = append(b, extTag)
	b = appendString(b, x.user)
	b = appendString(b, x.handle)
	b = binary.AppendVarint(b, x.lifetime)
	return binary.AppendVarint(b, x.indexUntil)
}

// decode reads the extension, if the record has one.
func (x *recordExt) decode(d *decoder) {
	*x = recordExt{}
	if d.err != nil || d.off == len(d.b) {
		return
	}
	if d.byte() != extTag {
		d.fail()
		return
	}
	x.user = d.string()
	x.handle = d.string()
	x.lifetime = d.varint()
	x.indexUntil = d.varint()
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
	if ch.ext&extUser != 0 {
		cur.user, cur.indexUntil = mine.user, mine.indexUntil
	} else {
		cur.indexUntil = max(cur.indexUntil, mine.indexUntil)
	}
	if ch.ext&(extUser|extHandle) != 0 && cur.handle == "" {
		cur.handle = mine.handle
	}
	if ch.ext&extLifetime != 0 {
		cur.lifetime = mine.lifetime
	}
}
