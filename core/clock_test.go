package core_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	filestore "github.com/ignitego/session/stores/file"
	memstore "github.com/ignitego/session/stores/memory"
)

// fakeClock is a Config.Now set to any time, far from the wall clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Config.Now governs every expiry: with a clock years from the wall clock,
// sessions persist for their lifetime on that clock, and end when it
// passes; the store keeps them for the same remaining lifetime on its own
// (wall) clock.
func TestEngineClockGovernsExpiry(t *testing.T) {
	stores := []struct {
		name string
		open func(t *testing.T) core.Store
	}{
		{"memory", func(*testing.T) core.Store { return memstore.New() }},
		{"file", func(t *testing.T) core.Store {
			st, err := filestore.New(t.TempDir())
			require.NoError(t, err)
			return st
		}},
	}
	clocks := []struct {
		name  string
		start time.Time
	}{
		{"past", time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)},
		{"future", time.Now().AddDate(30, 0, 0)},
	}
	for _, s := range stores {
		for _, c := range clocks {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				clock := &fakeClock{now: c.start}
				st := s.open(t)
				m := newManager(t, "native", st, nil, func(cfg *core.Config) {
					cfg.Now, cfg.Expiration, cfg.TimeToUpdate = clock.Now, time.Hour, 0
				})
				b := newBrowser()
				b.do(t, m, func(s *core.Session) {
					s.SetUserdata("n", 1)
					s.SetTempdata("t", "temp", 10*time.Minute)
				})
				id := b.cookies["ci_session"]
				_, found, err := st.Load(t.Context(), id)
				require.NoError(t, err)
				require.True(t, found, "the store holds the session")

				clock.Advance(30 * time.Minute)
				b.do(t, m, func(s *core.Session) {
					require.Equal(t, 1, s.Userdata("n"), "within the lifetime on the engine's clock")
					require.Nil(t, s.Tempdata("t"), "tempdata past its 10 minutes on the engine's clock")
				})
				clock.Advance(61 * time.Minute)
				b.do(t, m, func(s *core.Session) {
					require.Nil(t, s.Userdata("n"), "past the lifetime on the engine's clock")
				})
			})
		}
	}
}
