package userindex

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func sample() Index {
	return Index{Entries: []Entry{
		{Handle: NewHandle(), Driver: "native", IDs: []ID{{ID: strings.Repeat("a", 40), Since: 1, Until: 100}, {ID: strings.Repeat("b", 40), Since: 2, Until: 50}}},
		{Handle: NewHandle(), Driver: "cookie", IDs: []ID{{ID: strings.Repeat("c", 40), Since: 3, Until: 200}}},
	}}
}

func TestRoundTrip(t *testing.T) {
	ix := sample()
	got, err := Decode(ix.Append(nil))
	require.NoError(t, err)
	require.Equal(t, ix, got)
	empty, err := Decode((&Index{}).Append(nil))
	require.NoError(t, err)
	require.Empty(t, empty.Entries)
}

func TestDecodeRefusesWhatIsNotAnIndex(t *testing.T) {
	full := func() []byte { ix := sample(); return ix.Append(nil) }
	tests := map[string][]byte{
		"empty":          nil,
		"a session":      {0x01, 0, 0},
		"truncated":      full()[:len(full())-1],
		"trailing bytes": append(full(), 0),
		"huge count":     {Format, 0xff, 0xff, 0xff, 0xff, 0x0f},
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(data)
			require.ErrorIs(t, err, ErrCorrupt)
		})
	}
}

func TestEdits(t *testing.T) {
	ix := sample()
	h0, h1 := ix.Entries[0].Handle, ix.Entries[1].Handle
	ix.Ensure(h0, "native").Add(strings.Repeat("a", 40), 9, 150)
	require.Equal(t, ID{ID: strings.Repeat("a", 40), Since: 1, Until: 150}, ix.Entries[0].IDs[0], "Add keeps since, raises until")
	ix.Ensure(h0, "native").Add(strings.Repeat("a", 40), 9, 120)
	require.EqualValues(t, 150, ix.Entries[0].IDs[0].Until, "and never lowers it")
	require.EqualValues(t, 200, ix.Last())

	ix.Prune(100)
	require.Equal(t, map[string][]string{h0: {strings.Repeat("a", 40)}, h1: {strings.Repeat("c", 40)}}, ix.IDs(), "ids past their until go")
	ix.RemoveID(h1, strings.Repeat("c", 40))
	ix.Prune(100)
	require.Len(t, ix.Entries, 1, "an entry without ids goes")
	require.Nil(t, ix.Entry(h1))
	ix.Prune(1000)
	require.Empty(t, ix.Entries)
	require.Zero(t, ix.Last())
}

func TestKeysAndHandlesAreNotSessionIDs(t *testing.T) {
	h := NewHandle()
	require.True(t, ValidHandle(h))
	require.NotEqual(t, h, NewHandle())
	require.Contains(t, h, "_")
	require.Contains(t, Key("ada"), "_", "no id form holds '_'")
	require.NotEqual(t, Key("ada"), Key("bob"))
	require.Equal(t, Key("ada"), Key("ada"))
	for _, bad := range []string{"", "h_", "h_" + strings.Repeat("g", 32), "x_" + strings.Repeat("a", 32), strings.Repeat("a", 34)} {
		require.False(t, ValidHandle(bad), "%q", bad)
	}
}

func FuzzDecode(f *testing.F) {
	ix := sample()
	f.Add(ix.Append(nil))
	f.Add([]byte{Format, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)
		if err != nil {
			return
		}
		again, err := Decode(got.Append(nil))
		if err != nil {
			t.Fatalf("re-encoded index does not decode: %v", err)
		}
		require.Equal(t, got, again)
	})
}
