package core_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"context"
	"log/slog"
	"strings"

	"github.com/ignitego/session/core"
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
