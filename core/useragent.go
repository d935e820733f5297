package core

import "encoding/binary"

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
	return string(uaDigest(nil, ua)) == stored
}
