package core

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRecordExtension(t *testing.T) {
	plain := sampleRecord(t)
	var r record
	require.NoError(t, decodeRecord(plain, &r))
	require.Nil(t, r.x, "a record without the extension, as the engine always wrote them")

	x := recordExt{user: "ada", handle: newHandle(), lifetime: -1, indexUntil: 1_700_000_900_000}
	r.setExt(x)
	b, err := appendRecord(nil, &r, false)
	require.NoError(t, err)
	require.Greater(t, len(b), len(plain))
	var back record
	require.NoError(t, decodeRecord(b, &back))
	require.Equal(t, x, back.ext())
	require.Equal(t, "ada", back.user())

	for name, data := range map[string][]byte{
		"another tag":    append(append([]byte(nil), plain...), 0x7f),
		"truncated":      b[:len(b)-1],
		"trailing bytes": append(append([]byte(nil), b...), 0),
	} {
		require.ErrorIs(t, decodeRecord(data, &back), errCorrupt, name)
	}

	back.setExt(recordExt{})
	require.Nil(t, back.x, "an empty extension is none")
	b, err = appendRecord(nil, &back, false)
	require.NoError(t, err)
	require.Equal(t, plain, b, "and encodes as before")
}

func TestMergeExt(t *testing.T) {
	cur, mine := record{}, record{}
	cur.setExt(recordExt{user: "ada", handle: "h_theirs", indexUntil: 10})
	mine.setExt(recordExt{user: "bob", handle: "h_mine", lifetime: 5, indexUntil: 20})
	tests := []struct {
		name string
		ext  uint8
		want recordExt
	}{
		{"nothing set: theirs, the later index", 0, recordExt{user: "ada", handle: "h_theirs", indexUntil: 20}},
		{"SetUser: ours, the handle made first", extUser, recordExt{user: "bob", handle: "h_theirs", indexUntil: 20}},
		{"SetLifetime: ours", extLifetime, recordExt{user: "ada", handle: "h_theirs", lifetime: 5, indexUntil: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cur
			mergeExt(&c, &mine, &changes{ext: tt.ext})
			require.Equal(t, tt.want, c.ext())
			require.Equal(t, "ada", cur.user(), "the record merged from is not changed")
		})
	}
	none := record{}
	mergeExt(&none, &mine, &changes{ext: extHandle})
	require.Equal(t, "h_mine", none.handle(), "a handle where there was none")
}
