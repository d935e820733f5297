package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/php"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// phpCart is an array as a PHP application stores it.
func phpCart() *php.Array {
	return arrayOf("id", int64(42), "big", int64(9007199254740993), "price", 1.5,
		"tags", []any{int64(1), int64(2)}, "box", arrayOf("w", int64(3)))
}

// withPHPSession stores entries as a PHP application's session and returns
// a browser that carries it.
func withPHPSession(t *testing.T, st core.Store, entries ...php.Entry) *browser {
	t.Helper()
	id := "0123456789abcdef0123456789abcdef"
	payload, err := php.EncodeSession(entries)
	require.NoError(t, err)
	require.NoError(t, st.Save(context.Background(), id, payload, time.Now().Add(time.Hour)))
	b := newBrowser()
	b.cookies["ci_session"] = id
	return b
}

// TestGetMapFromPHPArray: Get[map[string]any] of a PHP array keeps PHP's
// types, where a trip through JSON would turn every int into a float64 and
// round 2^53+1.
func TestGetMapFromPHPArray(t *testing.T) {
	st := memstore.New()
	m := phpManager(t, st, frontends.NewClock())
	b := withPHPSession(t, st, php.Entry{Key: "cart", Value: phpCart()})
	b.do(t, m, func(s *core.Session) {
		got, ok := core.Get[map[string]any](s, "cart")
		require.True(t, ok)
		require.Equal(t, map[string]any{
			"id": int64(42), "big": int64(9007199254740993), "price": 1.5,
			"tags": []any{int64(1), int64(2)}, "box": map[string]any{"w": int64(3)},
		}, got)
		got["id"] = int64(7)
		again, _ := core.Get[map[string]any](s, "cart")
		require.Equal(t, int64(42), again["id"], "the map is a copy")

		a, ok := core.Get[*php.Array](s, "cart")
		require.True(t, ok, "the PHP array itself, in its order")
		require.Equal(t, 5, a.Len())

		type cart struct {
			ID  int64 `json:"id"`
			Big int64 `json:"big"`
		}
		c, ok := core.Get[cart](s, "cart")
		require.True(t, ok, "a struct still decodes through JSON")
		require.Equal(t, cart{ID: 42, Big: 9007199254740993}, c)
	})
}
