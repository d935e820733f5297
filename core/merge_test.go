package core_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

func TestConcurrentRequestsKeepEachOthersWrites(t *testing.T) {
	for _, su := range storeSetups() {
		t.Run(su.name, func(t *testing.T) {
			m := newManager(t, su.driver, su.store(), nil)
			b := newBrowser()
			b.do(t, m, func(s *core.Session) { s.SetUserdataMap(map[string]any{"base": 1, "gone": 2}) })

			r1, r2 := b.start(t, m), b.start(t, m)
			require.Equal(t, 1, r1.Userdata("base"))
			require.Equal(t, 1, r2.Userdata("base"))
			r1.SetUserdata("a", "from r1")
			r1.UnsetUserdata("gone")
			r2.SetUserdata("b", "from r2")
			r2.SetFlashdata("f", "flash from r2")
			r1.finish(t)
			r2.finish(t)

			b.do(t, m, func(s *core.Session) {
				all := s.AllUserdata()
				require.Equal(t, "from r1", all["a"])
				require.Equal(t, "from r2", all["b"])
				require.Equal(t, 1, all["base"])
				require.NotContains(t, all, "gone", "r1's unset survives r2's save")
				require.Equal(t, "flash from r2", s.Flashdata("f"))
			})
		})
	}
}

func TestFiftyConcurrentRequestsLoseNothing(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("start", true) })
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := b.exchange()
			s, _ := m.Start(context.Background(), x)
			s.SetUserdata(fmt.Sprintf("key%02d", i), i)
			errs <- s.Save(context.Background())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	b.do(t, m, func(s *core.Session) {
		for i := range n {
			require.Equal(t, i, s.Userdata(fmt.Sprintf("key%02d", i)), "key%02d", i)
		}
	})
}

func TestSameKeyLastWriterWins(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("k", "v0") })
	r1, r2 := b.start(t, m), b.start(t, m)
	r1.SetUserdata("k", "v1")
	r2.SetUserdata("k", "v2")
	r1.finish(t)
	r2.finish(t)
	b.do(t, m, func(s *core.Session) { require.Equal(t, "v2", s.Userdata("k")) })
}

func TestDestroyWinsOverConcurrentSave(t *testing.T) {
	for _, su := range storeSetups() {
		t.Run(su.name, func(t *testing.T) {
			st := su.store()
			m := newManager(t, su.driver, st, nil)
			b := newBrowser()
			b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
			slow := b.start(t, m)
			id := slow.ID()
			b.do(t, m, func(s *core.Session) { s.Destroy() })
			slow.SetUserdata("after", "destroy")
			slow.finish(t)
			_, found, err := st.Load(context.Background(), id)
			require.NoError(t, err)
			require.False(t, found, "a destroyed session never comes back")
			b.do(t, m, func(s *core.Session) {
				require.Nil(t, s.Userdata("user"))
				require.Nil(t, s.Userdata("after"))
			})
		})
	}
}

func TestRegenerateWinsOverConcurrentSave(t *testing.T) {
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
	slow := b.start(t, m)
	oldID := slow.ID()
	b.do(t, m, func(s *core.Session) { s.Regenerate(core.DestroyOld) })
	slow.SetUserdata("x", 1)
	slow.finish(t)
	_, found, _ := st.Load(context.Background(), oldID)
	require.False(t, found, "the old id stays gone")
}

func TestRotationForwardsRequestsInFlight(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, clock)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
	oldID := b.cookies["ci_session"]

	clock.Advance(4 * time.Minute)
	inflight := b.start(t, m) // loads before the rotation
	require.Equal(t, "ada", inflight.Userdata("user"))
	clock.Advance(2 * time.Minute)
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, "ada", s.Userdata("user"))
		require.NotEqual(t, oldID, s.ID(), "rotated")
	})
	newID := b.cookies["ci_session"]
	require.NotEqual(t, oldID, newID)

	inflight.SetUserdata("from", "in flight")
	require.NoError(t, inflight.Save(context.Background()))
	require.NotEmpty(t, inflight.x.set, "the in-flight response learns the new id")
	require.Equal(t, newID, inflight.x.set[len(inflight.x.set)-1].Value)
	b.do(t, m, func(s *core.Session) { require.Equal(t, "in flight", s.Userdata("from")) })

	// A write that reached the old id just before the rotation is merged
	// into the new one.
	clock.Advance(6 * time.Minute)
	racer := b.start(t, m)
	_ = racer.Userdata("user")
	clock.Advance(0)
	other := b.start(t, m) // same instant: rotates too
	other.SetUserdata("other", "yes")
	other.finish(t)
	racer.SetUserdata("racer", "yes")
	racer.finish(t)
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, "yes", s.Userdata("other"))
		require.Equal(t, "yes", s.Userdata("racer"))
	})
}

func TestFlashAgeingYieldsToConcurrentFlash(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetFlashdata("notice", "first") })
	ager := b.start(t, m)
	require.Equal(t, "first", ager.Flashdata("notice"))
	b.do(t, m, func(s *core.Session) { s.SetFlashdata("notice", "second") })
	ager.finish(t) // its ageing of "first" must not touch "second"
	b.do(t, m, func(s *core.Session) { require.Equal(t, "second", s.Flashdata("notice")) })
	b.do(t, m, func(s *core.Session) { require.Nil(t, s.Flashdata("notice")) })
}

func TestOneTimeTokensMerge(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	var first string
	b.do(t, m, func(s *core.Session) { first = s.GenerateOneTimeToken() })
	r1, r2 := b.start(t, m), b.start(t, m)
	t1 := r1.GenerateOneTimeToken()
	t2 := r2.GenerateOneTimeToken()
	require.True(t, r2.ValidateOneTimeToken(first))
	r1.finish(t)
	r2.finish(t)
	b.do(t, m, func(s *core.Session) {
		require.True(t, s.ValidateOneTimeToken(t1))
		require.True(t, s.ValidateOneTimeToken(t2))
		require.False(t, s.ValidateOneTimeToken(first), "used by r2")
	})
}

// conflictStore never lets a compare-and-swap through, as if other
// requests changed the session every time.
type conflictStore struct {
	*memstore.Store
	mu sync.Mutex
	n  int
}

func (c *conflictStore) CompareAndSwap(ctx context.Context, id string, old, data []byte, exp time.Time) (bool, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return false, nil
}

func TestEndlessConflictGivesUp(t *testing.T) {
	st := &conflictStore{Store: memstore.New()}
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("k", 1) })
	r := b.start(t, m)
	r.SetUserdata("k", 2)
	err := r.Save(context.Background())
	require.ErrorIs(t, err, core.ErrConflict)
	require.Equal(t, http.StatusServiceUnavailable, core.ErrorStatus(err))
	require.Equal(t, 100, st.n, "it gives up after 100 attempts")
}
