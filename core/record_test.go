package core

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func sampleRecord(t testing.TB) []byte {
	r := record{
		created: 1_700_000_000_000, lastActivity: 1_700_000_100_000, lastWrite: 1_700_000_200_000,
		id: newID(), ip: "203.0.113.7", ua: "Mozilla/5.0", csrf: newToken(),
		otts: []string{newToken(), newToken()},
		items: []item{
			{key: "user", kind: kindUser, val: "ada", decoded: true},
			{key: "msg", kind: kindFlashNew, val: []any{1, "x"}, decoded: true},
			{key: "old", kind: kindFlashOld, val: true, decoded: true},
			{key: "code", kind: kindTemp, until: 1_700_000_500_000, val: 42, decoded: true},
		},
	}
	b, err := appendRecord(nil, &r, false)
	require.NoError(t, err)
	return b
}

func TestRecordRoundTrip(t *testing.T) {
	b := sampleRecord(t)
	var r record
	require.NoError(t, decodeRecord(b, &r))
	require.EqualValues(t, 1_700_000_000_000, r.created)
	require.EqualValues(t, 1_700_000_100_000, r.lastActivity)
	require.EqualValues(t, 1_700_000_200_000, r.lastWrite)
	require.Equal(t, "203.0.113.7", r.ip)
	require.Equal(t, "Mozilla/5.0", r.ua)
	require.Len(t, r.csrf, 64)
	require.Len(t, r.otts, 2)
	require.Len(t, r.items, 4)
	want := []struct {
		key   string
		kind  uint8
		until int64
		val   any
	}{
		{"user", kindUser, 0, "ada"},
		{"msg", kindFlashNew, 0, []any{1, "x"}},
		{"old", kindFlashOld, 0, true},
		{"code", kindTemp, 1_700_000_500_000, 42},
	}
	for i, w := range want {
		it := &r.items[i]
		require.Equal(t, w.key, it.key)
		require.Equal(t, w.kind, it.kind)
		require.Equal(t, w.until, it.until)
		require.False(t, it.decoded, "values decode lazily")
		require.Equal(t, w.val, it.value())
	}
	// Re-encoding copies the raw values: the bytes are identical.
	again, err := appendRecord(nil, &r, false)
	require.NoError(t, err)
	require.Equal(t, b, again)
}

func TestRecordDecodeRejectsEveryTruncation(t *testing.T) {
	b := sampleRecord(t)
	for n := 0; n < len(b); n++ {
		var r record
		require.Error(t, decodeRecord(b[:n], &r), "truncated to %d of %d bytes", n, len(b))
	}
	var r record
	require.Error(t, decodeRecord(append(append([]byte{}, b...), 0), &r), "trailing byte")
	bad := append([]byte{}, b...)
	bad[0] = 0x7f
	require.Error(t, decodeRecord(bad, &r), "unknown format")
}

func TestUndecodableValueIsKept(t *testing.T) {
	it := item{key: "k", raw: []byte{0xee, 0x01}}
	require.Nil(t, it.value())
	r := record{items: []item{it}}
	b, err := appendRecord(nil, &r, false)
	require.NoError(t, err)
	var back record
	require.NoError(t, decodeRecord(b, &back))
	require.Equal(t, []byte{0xee, 0x01}, back.items[0].raw, "saving never drops a value it could not read")
}

func TestForwardMarker(t *testing.T) {
	to := newID()
	b := appendForward(nil, forward{to: to, until: 123})
	f, ok := decodeForward(b)
	require.True(t, ok)
	require.Equal(t, forward{to: to, until: 123}, f)
	_, ok = decodeForward(sampleRecord(t))
	require.False(t, ok, "a record is not a forward")
	_, ok = decodeForward(appendForward(nil, forward{to: "../etc", until: 1}))
	require.False(t, ok, "a forward to a malformed id is refused")
	_, ok = decodeForward(b[:len(b)-1])
	require.False(t, ok)
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(sampleRecord(f))
	f.Add(appendForward(nil, forward{to: newID(), until: 1}))
	f.Add([]byte{formatRecord})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = decodeForward(data)
		var r record
		if err := decodeRecord(data, &r); err != nil {
			return
		}
		for i := range r.items {
			_ = r.items[i].value()
		}
		again, err := appendRecord(nil, &r, false)
		if err != nil {
			t.Fatalf("a decoded record does not re-encode: %v", err)
		}
		var r2 record
		if err := decodeRecord(again, &r2); err != nil {
			t.Fatalf("a re-encoded record does not decode: %v", err)
		}
		third, err := appendRecord(nil, &r2, false)
		if err != nil || string(third) != string(again) {
			t.Fatalf("record encoding is not stable")
		}
	})
}

func TestUserAgentDigest(t *testing.T) {
	ua := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	r := record{id: newID(), ua: ua}
	full, err := appendRecord(nil, &r, false)
	require.NoError(t, err)
	digest, err := appendRecord(nil, &r, true)
	require.NoError(t, err)
	require.Less(t, len(digest), len(full)-len(ua)+uaDigestLen+1, "the digest replaces the User-Agent")
	var back record
	require.NoError(t, decodeRecord(digest, &back))
	require.True(t, isUADigest(back.ua))
	require.True(t, sameUA(back.ua, ua))
	require.False(t, sameUA(back.ua, ua+" "))
	require.False(t, sameUA(back.ua, ""))
	require.True(t, sameUA(ua, ua), "a stored User-Agent compares as itself")
	again, err := appendRecord(nil, &back, true)
	require.NoError(t, err)
	require.Equal(t, digest, again, "a digest is kept as it is")
}
