//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"time"
)

// A session file is a header followed by the data:
//
//	offset 0   4 bytes  magic "SES" and format version 1
//	offset 4   8 bytes  expiry, Unix milliseconds, big endian; 0: never
//	offset 12  4 bytes  CRC-32C (Castagnoli) of the data, big endian
//	offset 16           the data
const headerSize = 16

var magic = [4]byte{'S', 'E', 'S', 1}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt reports a session file that is not in the format above.
var errCorrupt = errors.New("session file is corrupt")

// header returns the header for data expiring at expiresAt.
func header(data []byte, expiresAt time.Time) [headerSize]byte {
	var h [headerSize]byte
	copy(h[:4], magic[:])
	binary.BigEndian.PutUint64(h[4:12], uint64(expiryMillis(expiresAt)))
	binary.BigEndian.PutUint32(h[12:16], crc32.Checksum(data, castagnoli))
	return h
}

// decode returns the expiry and the data of a whole session file. The data
// is a subslice of b.
func decode(b []byte) (time.Time, []byte, error) {
	exp, err := decodeExpiry(b)
	if err != nil {
		return time.Time{}, nil, err
	}
	data := b[headerSize:]
	if crc32.Checksum(data, castagnoli) != binary.BigEndian.Uint32(b[12:16]) {
		return time.Time{}, nil, errCorrupt
	}
	return exp, data, nil
}

// decodeExpiry returns the expiry a header holds; b may hold only the header.
func decodeExpiry(b []byte) (time.Time, error) {
	if len(b) < headerSize || [4]byte(b[:4]) != magic {
		return time.Time{}, errCorrupt
	}
	ms := int64(binary.BigEndian.Uint64(b[4:12]))
	if ms == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms), nil
}

// expiryMillis is expiresAt in Unix milliseconds, rounded up so that a
// session never expires early; 0 for the zero time, which never expires. A
// real time that would round to 0 (the Unix epoch) becomes -1, still past.
func expiryMillis(expiresAt time.Time) int64 {
	if expiresAt.IsZero() {
		return 0
	}
	ms := expiresAt.UnixMilli()
	if expiresAt.After(time.UnixMilli(ms)) {
		ms++
	}
	if ms == 0 {
		ms = -1
	}
	return ms
}
