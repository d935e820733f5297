package core_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"log/slog"
	"strings"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/php"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

func TestMarkAndUnmark(t *testing.T) {
	clock := frontends.NewClock()
	m := newManager(t, core.DriverNative, memstore.New(), clock)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) {
		s.SetUserdataMap(map[string]any{"a": 1, "b": 2, "c": 3, "d": 4})
		s.MarkAsFlash("a", "missing")
		s.MarkAsTemp(time.Minute, "b")
		s.MarkAsTemp(0, "c")
		require.Equal(t, []string{"a"}, s.FlashKeys())
		tk := s.TempKeys()
		slices.Sort(tk)
		require.Equal(t, []string{"b", "c"}, tk)
	})
	clock.Advance(2 * time.Minute)
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, 1, s.Flashdata("a"), "marked flash lives one more request")
		require.Nil(t, s.Tempdata("b"), "marked temp expired after a minute")
		require.Equal(t, 3, s.Tempdata("c"), "the default ttl is 5 minutes")
		s.UnmarkTemp("c")
		s.UnmarkFlash("a")
		require.Empty(t, s.TempKeys())
		require.Empty(t, s.FlashKeys())
	})
	clock.Advance(10 * time.Minute)
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, 1, s.Userdata("a"), "unmarked flash became plain userdata")
		require.Equal(t, 3, s.Userdata("c"), "unmarked temp became plain userdata")
		require.Equal(t, 4, s.Userdata("d"))
	})
}

func TestGetAndSetUnsetIncrement(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) {
		require.Nil(t, s.GetAndSet("k", "one"))
		require.Equal(t, "one", s.GetAndSet("k", "two"))
		require.Equal(t, 3, s.Increment("n", 3))
		require.Equal(t, 1, s.Increment("n", -2))
	})
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, "two", s.GetAndUnset("k"))
		require.Nil(t, s.GetAndUnset("k"))
		require.Equal(t, 2, s.Increment("n", 1))
		require.Equal(t, 1, s.Increment("k", 1), "an absent key counts as zero")
	})
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, 1, s.Userdata("k"))
		require.Equal(t, 2, s.Userdata("n"))
	})
}

// A reserved key does not change and is a warning in the log; Save returns
// nil, as everything else was saved.
func TestReservedKeysAreALoggedWarning(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *core.Session)
	}{
		{"set", func(s *core.Session) { s.SetUserdata(core.KeySessionID, "forged") }},
		{"set in a map", func(s *core.Session) { s.SetUserdataMap(map[string]any{core.KeyLastActivity: int64(0)}) }},
		{"unset", func(s *core.Session) { s.UnsetUserdata(core.KeyIPAddress) }},
		{"flashdata", func(s *core.Session) { s.SetFlashdata(core.KeyUserAgent, "x") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs strings.Builder
			m := newManager(t, core.DriverNative, memstore.New(), nil, func(c *core.Config) {
				c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			r := newBrowser().start(t, m)
			r.SetUserdata("kept", 1)
			id := r.ID()
			tt.change(r.Session)
			require.NoError(t, r.Save(context.Background()), "everything was saved")
			require.Equal(t, id, r.ID())
			require.Equal(t, "192.0.2.1", r.Userdata(core.KeyIPAddress))
			require.Contains(t, logs.String(), core.ErrReservedKey.Error())
			r.Release()
		})
	}
}

// TestIncrementEveryIntKind: a counter stored as any int or uint kind (a
// PHP application's arrives as int64) is read by GetOr as an int and goes
// on counting with Increment, in the next request too; anything else, or an
// integer an int cannot hold, restarts the count at delta.
func TestIncrementEveryIntKind(t *testing.T) {
	tests := []struct {
		name  string
		value any
		asInt int // GetOr(s, "n", 0)
		want  int // after Increment("n", 2)
	}{
		{"int", int(5), 5, 7},
		{"int8", int8(5), 5, 7},
		{"int16", int16(5), 5, 7},
		{"int32", int32(-5), -5, -3},
		{"int64", int64(5), 5, 7},
		{"uint", uint(5), 5, 7},
		{"uint8", uint8(5), 5, 7},
		{"uint16", uint16(5), 5, 7},
		{"uint32", uint32(5), 5, 7},
		{"uint64", uint64(5), 5, 7},
		{"uint64 past MaxInt", uint64(1 << 63), 0, 2},
		{"string", "5", 0, 2},
		{"float", 5.0, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, core.DriverNative, memstore.New(), nil)
			b := newBrowser()
			b.do(t, m, func(s *core.Session) { s.SetUserdata("n", tt.value) })
			b.do(t, m, func(s *core.Session) {
				require.IsType(t, tt.value, s.Userdata("n"), "the stored kind comes back")
				require.Equal(t, tt.asInt, core.GetOr(s, "n", 0), "GetOr reads it as an int")
				require.Equal(t, tt.want, s.Increment("n", 2))
			})
			b.do(t, m, func(s *core.Session) {
				require.Equal(t, tt.want+3, s.Increment("n", 3), "the count goes on in the next request")
				require.Equal(t, tt.want+3, s.Userdata("n"))
			})
		})
	}
}

// TestPushPHPArray: Push is CodeIgniter 4's push(). Onto a PHP
// application's array it keeps the array's order and its values' types,
// and adds the new key at the end, as array_merge does in PHP.
func TestPushPHPArray(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	m := phpManager(t, st, frontends.NewClock())
	b := withPHPSession(t, st, php.Entry{Key: "cart", Value: phpCart()}, php.Entry{Key: "name", Value: "Ada"})
	b.do(t, m, func(s *core.Session) {
		require.True(t, s.Push("cart", map[string]any{"coupon": "X", "price": 2.5}))
		require.False(t, s.Push("name", map[string]any{"k": 1}), "a string is not an array: nothing happens")
		require.False(t, s.Push("missing", map[string]any{"k": 1}), "nor for an absent key")
		require.Nil(t, s.Userdata("missing"))
	})
	data, _, err := st.Load(ctx, b.cookies["ci_session"])
	require.NoError(t, err)
	entries, err := php.DecodeSession(data)
	require.NoError(t, err)
	got, err := php.Encode(entries[0].Value)
	require.NoError(t, err)
	require.Equal(t, `a:6:{s:2:"id";i:42;s:3:"big";i:9007199254740993;s:5:"price";d:2.5;`+
		`s:4:"tags";a:2:{i:0;i:1;i:1;i:2;}s:3:"box";a:1:{s:1:"w";i:3;}s:6:"coupon";s:1:"X";}`, string(got))
}

// TestPush: Push on the engine's own format, onto every kind of array.
func TestPush(t *testing.T) {
	tests := []struct {
		name       string
		old, data  any
		want       any
		wantPushed bool
	}{
		{"map", map[string]any{"a": 1, "b": 2}, map[string]any{"b": 3, "c": 4}, map[string]any{"a": 1, "b": 3, "c": 4}, true},
		{"list", []any{"x"}, []string{"y", "z"}, []any{"x", "y", "z"}, true},
		{"strings", []string{"x"}, []any{"y"}, []any{"x", "y"}, true},
		{"int", 5, map[string]any{"k": 1}, 5, false},
		{"data not an array", []any{"x"}, "y", []any{"x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, core.DriverNative, memstore.New(), nil)
			b := newBrowser()
			b.do(t, m, func(s *core.Session) { s.SetUserdata("k", tt.old) })
			b.do(t, m, func(s *core.Session) { require.Equal(t, tt.wantPushed, s.Push("k", tt.data)) })
			b.do(t, m, func(s *core.Session) { require.Equal(t, tt.want, s.Userdata("k")) })
		})
	}
}

// TestPushKeepsFlash: a flash item pushed to stays flashdata, as
// CodeIgniter's set() leaves __ci_vars alone.
func TestPushKeepsFlash(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) {
		s.SetFlashdata("notes", []any{"a"})
		require.True(t, s.Push("notes", []any{"b"}))
		require.Equal(t, []string{"notes"}, s.FlashKeys())
	})
	b.do(t, m, func(s *core.Session) { require.Equal(t, []any{"a", "b"}, s.Flashdata("notes")) })
	b.do(t, m, func(s *core.Session) { require.Nil(t, s.Userdata("notes")) })
}
