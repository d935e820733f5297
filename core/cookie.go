package core

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// MaxCookieSize is the longest cookie, name=value, the engine sends: 4096
// bytes, what every browser keeps.
const MaxCookieSize = 4096

// Sealed cookie formats: the first byte of the decoded value.
const (
	sealSigned    byte = 0x01 // payload, then HMAC-SHA256 over name and payload
	sealEncrypted byte = 0x02 // AES-256-GCM nonce and ciphertext; the name is additional data
)

const (
	macSize   = sha256.Size
	nonceSize = 12
	tagSize   = 16
)

var b64 = base64.RawURLEncoding.Strict()

// cookieKey is one EncryptionKey, turned into the keys it stands for.
type cookieKey struct {
	macs sync.Pool // *macState: HMAC-SHA256 with the signing key
	aead cipher.AEAD
}

// macState is a pooled HMAC with a scratch buffer, so that computing a MAC
// allocates nothing.
type macState struct {
	h       hash.Hash
	scratch []byte
}

func newCookieKey(secret []byte) (*cookieKey, error) {
	macKey, err := hkdf.Key(sha256.New, secret, nil, "ignitego/session cookie HMAC-SHA256", 32)
	if err != nil {
		return nil, err
	}
	encKey, err := hkdf.Key(sha256.New, secret, nil, "ignitego/session cookie AES-256-GCM", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &cookieKey{aead: aead}
	k.macs.New = func() any { return &macState{h: hmac.New(sha256.New, macKey), scratch: make([]byte, 0, 64)} }
	return k, nil
}

// sum appends the MAC of name and payload to b.
func (k *cookieKey) sum(b []byte, name string, payload []byte) []byte {
	m := k.macs.Get().(*macState)
	m.h.Reset()
	m.scratch = append(append(m.scratch[:0], name...), 0)
	_, _ = m.h.Write(m.scratch)
	_, _ = m.h.Write(payload)
	b = m.h.Sum(b)
	k.macs.Put(m)
	return b
}

// sealer signs or encrypts cookie payloads. The first key seals; every key
// opens (key rotation).
type sealer struct {
	keys    []*cookieKey
	encrypt bool
}

func newSealer(current []byte, previous [][]byte, encrypt bool) (*sealer, error) {
	s := &sealer{encrypt: encrypt}
	for _, secret := range append([][]byte{current}, previous...) {
		k, err := newCookieKey(secret)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, k)
	}
	return s, nil
}

// seal returns the cookie value carrying payload for the cookie name.
func (s *sealer) seal(name string, payload []byte) string {
	enc := s.appendSealed(nil, name, payload)
	return unsafe.String(unsafe.SliceData(enc), len(enc))
}

// appendSealed appends the cookie value carrying payload for the cookie
// name to dst.
func (s *sealer) appendSealed(dst []byte, name string, payload []byte) []byte {
	k := s.keys[0]
	bp := getBuf()
	raw := (*bp)[:0]
	if s.encrypt {
		raw = append(raw, sealEncrypted)
		var nonce [nonceSize]byte
		_, _ = rand.Read(nonce[:])
		raw = append(raw, nonce[:]...)
		ad := getBuf()
		*ad = append((*ad)[:0], name...)
		raw = k.aead.Seal(raw, nonce[:], payload, *ad)
		putBuf(ad)
	} else {
		raw = append(raw, sealSigned)
		raw = append(raw, payload...)
		raw = k.sum(raw, name, payload)
	}
	n := len(dst)
	dst = slices.Grow(dst, b64.EncodedLen(len(raw)))[:n+b64.EncodedLen(len(raw))]
	b64.Encode(dst[n:], raw)
	*bp = raw
	putBuf(bp)
	return dst
}

// open returns the payload of a cookie value sealed for name, and whether a
// previous key sealed it (the cookie should be sealed again); ok is false
// when the value is not one: garbage, truncated, tampered, made with an
// unknown key, sealed for another cookie or in the other mode. It never
// panics.
func (s *sealer) open(name, value string) (payload []byte, stale, ok bool) {
	if value == "" || len(value) > MaxCookieSize || !isBase64URL(value) {
		return nil, false, false
	}
	raw := make([]byte, b64.DecodedLen(len(value)))
	n, err := b64.Decode(raw, unsafe.Slice(unsafe.StringData(value), len(value))) // read only
	if err != nil || n < 1 {
		return nil, false, false
	}
	raw = raw[:n]
	if s.encrypt {
		if raw[0] != sealEncrypted || len(raw) < 1+nonceSize+tagSize {
			return nil, false, false
		}
		nonce, box := raw[1:1+nonceSize], raw[1+nonceSize:]
		ad := getBuf()
		defer putBuf(ad)
		*ad = append((*ad)[:0], name...)
		for i, k := range s.keys {
			// Open into a fresh slice: a failed attempt must not clobber
			// box for the next key.
			if p, err := k.aead.Open(nil, nonce, box, *ad); err == nil {
				return p, i > 0, true
			}
		}
		return nil, false, false
	}
	if raw[0] != sealSigned || len(raw) < 1+macSize {
		return nil, false, false
	}
	payload, mac := raw[1:len(raw)-macSize], raw[len(raw)-macSize:]
	var sum [macSize]byte
	for i, k := range s.keys {
		if hmac.Equal(k.sum(sum[:0], name, payload), mac) {
			return payload, i > 0, true
		}
	}
	return nil, false, false
}

// isBase64URL reports whether v can be a canonical base64url value: the
// strict decoder refuses every other byte outside the alphabet, but skips
// CR and LF, which would give one payload several spellings.
func isBase64URL(v string) bool {
	return strings.IndexByte(v, '\n') < 0 && strings.IndexByte(v, '\r') < 0
}

// CookieValue returns the value of the first cookie called name in the
// Cookie request headers, without its double quotes, or "" when there is
// none. It allocates nothing; transports over net/http use it.
func CookieValue(h http.Header, name string) string {
	for _, line := range h["Cookie"] {
		if v, ok := cookieInLine(line, name); ok {
			return v
		}
	}
	return ""
}

// cookieInLine finds name=value in one Cookie header line.
func cookieInLine(line, name string) (string, bool) {
	for len(line) > 0 {
		var part string
		if i := strings.IndexByte(line, ';'); i >= 0 {
			part, line = line[:i], line[i+1:]
		} else {
			part, line = line, ""
		}
		part = trimSpace(part)
		if len(part) <= len(name) || part[len(name)] != '=' || part[:len(name)] != name {
			continue
		}
		v := part[len(name)+1:]
		if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		return v, true
	}
	return "", false
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// fillCookie makes ck a session cookie with the configured attributes. A
// negative maxAge deletes it; zero makes a browser-session cookie.
func (c *Config) fillCookie(ck *http.Cookie, name, value string, maxAge int, now time.Time) {
	*ck = http.Cookie{
		Name:     name,
		Value:    value,
		Path:     c.CookiePath,
		Domain:   c.CookieDomain,
		Secure:   c.CookieSecure,
		HttpOnly: !c.CookieScriptAccess,
		SameSite: c.CookieSameSite,
	}
	switch {
	case maxAge < 0:
		ck.MaxAge = -1
		ck.Expires = time.Unix(1, 0)
	case maxAge > 0:
		ck.MaxAge = maxAge
		ck.Expires = now.Add(time.Duration(maxAge) * time.Second)
	}
}

// buffer pool for encodings that do not outlive a call.
var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getBuf() *[]byte { return bufs.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 {
		*b = (*b)[:0]
		bufs.Put(b)
	}
}
