package phpsession

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core/php"
)

// keys returns the keys of a payload's entries, in order.
func keys(t *testing.T, data []byte) []string {
	t.Helper()
	entries, err := php.DecodeSession(data)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Key)
	}
	return out
}

func vars(kv ...any) *php.Array {
	a := &php.Array{}
	for i := 0; i < len(kv); i += 2 {
		a.Set(kv[i].(string), kv[i+1])
	}
	return a
}

func TestDecode(t *testing.T) {
	data, err := php.EncodeSession([]php.Entry{
		{Key: "user", Value: int64(42)},
		{Key: "__ci_last_regenerate", Value: int64(1_700_000_000)},
		{Key: "notice", Value: "saved"},
		{Key: "__ci_vars", Value: vars("notice", "old", "otp", int64(1_700_000_300), "gone", "new")},
		{Key: "otp", Value: "123456"},
		{Key: "__ignitego", Value: vars("csrf", "tok", "otts", []any{"a", "b"})},
	})
	require.NoError(t, err)
	s, err := Decode(data)
	require.NoError(t, err)
	require.EqualValues(t, 1_700_000_000_000, s.LastActivity)
	require.Equal(t, "tok", s.CSRF)
	require.Equal(t, []string{"a", "b"}, s.OTTs)
	want := []struct {
		key   string
		kind  Kind
		until int64
	}{
		{"user", User, 0},
		{"notice", FlashOld, 0},
		{"otp", Temp, 1_700_000_300_999},
	}
	require.Len(t, s.Items, len(want), "bookkeeping entries are not items; a marker of a missing variable is dropped")
	for i, w := range want {
		it := s.Items[i]
		require.Equal(t, w.key, it.Key)
		require.Equal(t, w.kind, it.Kind, "kind of %s", w.key)
		require.Equal(t, w.until, it.Until, "deadline of %s", w.key)
		require.NotEmpty(t, it.Raw)
	}

	_, err = Decode([]byte("not a session"))
	require.Error(t, err)
}

func TestEncodeKeepsTheLayout(t *testing.T) {
	s := &Session{
		LastActivity: 1_700_000_000_000,
		CSRF:         "tok",
		Items: []Item{
			{Key: "a", Value: "1"},
			{Key: "flash", Kind: FlashNew, Value: "2"},
			{Key: "b", Kind: Temp, Until: 1_700_000_300_999, Value: int64(3)},
		},
	}
	tests := []struct {
		name string
		base []byte
		want []string
	}{
		{"a new session: CodeIgniter's order", nil,
			[]string{"__ci_last_regenerate", "a", "flash", "b", "__ci_vars", "__ignitego"}},
		{"a session read before: its own order", mustEncode(t, []php.Entry{
			{Key: "a", Value: "1"},
			{Key: "__ci_vars", Value: vars("flash", "new")},
			{Key: "__ignitego", Value: vars("csrf", "tok")},
			{Key: "flash", Value: "2"},
			{Key: "__ci_last_regenerate", Value: int64(1)},
			{Key: "b", Value: int64(3)},
		}), []string{"a", "__ci_vars", "__ignitego", "flash", "__ci_last_regenerate", "b"}},
		{"a base that does not decode: CodeIgniter's order", []byte("garbage"),
			[]string{"__ci_last_regenerate", "a", "flash", "b", "__ci_vars", "__ignitego"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Encode(s, tt.base)
			require.NoError(t, err)
			require.Equal(t, tt.want, keys(t, data))
			back, err := Decode(data)
			require.NoError(t, err)
			require.Equal(t, s.LastActivity, back.LastActivity)
			require.Equal(t, FlashNew, back.Items[1].Kind)
			require.Equal(t, Temp, back.Items[2].Kind)
			require.EqualValues(t, 1_700_000_300_999, back.Items[2].Until, "whole seconds, as CodeIgniter writes them")
		})
	}
}

func mustEncode(t *testing.T, entries []php.Entry) []byte {
	t.Helper()
	b, err := php.EncodeSession(entries)
	require.NoError(t, err)
	return b
}

func TestEncodeErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		item Item
	}{
		{"a key PHP cannot store", Item{Key: "42", Value: "x"}},
		{"a value that does not encode", Item{Key: "ch", Value: make(chan int)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Encode(&Session{Items: []Item{{Key: "ok", Value: 1}, tt.item}}, nil)
			var ke *KeyError
			require.True(t, errors.As(err, &ke), "got %v, want a *KeyError", err)
			require.Equal(t, tt.item.Key, ke.Key)
		})
	}
}

func TestValue(t *testing.T) {
	type point struct{ X, Y int }
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"native", "s", "s"},
		{"nested", []any{map[string]any{"p": point{1, 2}}}, []any{map[string]any{"p": map[string]any{"X": int64(1), "Y": int64(2)}}}},
		{"struct through JSON", point{3, 4}, map[string]any{"X": int64(3), "Y": int64(4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Value(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestReserved(t *testing.T) {
	for _, k := range []string{"__ci_vars", "__ci_last_regenerate", "__ignitego"} {
		require.True(t, Reserved(k), k)
	}
	require.False(t, Reserved("user"))
}
