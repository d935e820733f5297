package core_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// Requests of one session that rotate its id at once leave one entry that
// lists the id they agreed on.
func TestConcurrentRotationsLeaveOneID(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, clock)
	b := newBrowser()
	h := login(t, m, b, "ada")

	clock.Advance(core.DefaultTimeToUpdate)
	reqs := make([]*req, 8)
	for i := range reqs {
		reqs[i] = b.start(t, m)
		require.Equal(t, "ada", reqs[i].User()) // each loads the old id and rotates
	}
	var wg sync.WaitGroup
	for _, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.SetUserdata("seen", true)
			require.NoError(t, r.Save(context.Background()))
			r.Release()
		}()
	}
	wg.Wait()
	for _, r := range reqs {
		r.x.done()
	}
	id := idOf(t, m, b)
	clock.Advance(core.DefaultRotationGrace)
	require.Equal(t, []string{h}, handles(t, m, "ada"))
	require.Equal(t, map[string][]string{h: {id}}, indexed(t, st, "ada"), "one id: the one the rotations agreed on")
}

// A request that rotates a session while another revokes it ends with the
// session gone, and nothing left in the index.
func TestRevokeDuringARotation(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, clock)
	b := newBrowser()
	login(t, m, b, "ada")
	clock.Advance(core.DefaultTimeToUpdate)
	r := b.start(t, m)
	require.Equal(t, "ada", r.User()) // loaded, rotating
	n, err := m.RevokeUser(context.Background(), "ada")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	r.SetUserdata("late", true)
	r.finish(t)
	u, _ := whoami(t, m, b)
	require.Empty(t, u, "the rotation did not bring the revoked session back")
	require.Empty(t, handles(t, m, "ada"))
	require.Empty(t, indexed(t, st, "ada"))
}

// indexDown fails every write to a user index while down.
type indexDown struct {
	*memstore.Store
	down atomic.Bool
}

func (s *indexDown) fail(id string) bool { return s.down.Load() && strings.HasSuffix(id, "_user") }

func (s *indexDown) Save(ctx context.Context, id string, data []byte, exp time.Time) error {
	if s.fail(id) {
		return frontends.ErrDown
	}
	return s.Store.Save(ctx, id, data, exp)
}

func (s *indexDown) Insert(ctx context.Context, id string, data []byte, exp time.Time) (bool, error) {
	if s.fail(id) {
		return false, frontends.ErrDown
	}
	return s.Store.Insert(ctx, id, data, exp)
}

func (s *indexDown) CompareAndSwap(ctx context.Context, id string, old, data []byte, exp time.Time) (bool, error) {
	if s.fail(id) {
		return false, frontends.ErrDown
	}
	return s.Store.CompareAndSwap(ctx, id, old, data, exp)
}

// A session is never stored bound to a user unless its user's index lists
// it: when the index cannot be written, the save fails and stores nothing,
// and the next save lists it.
func TestIndexFailureSavesNothing(t *testing.T) {
	clock := frontends.NewClock()
	st := &indexDown{Store: memstore.New()}
	m := newManager(t, core.DriverNative, st, clock)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("anonymous", true) })
	before := idOf(t, m, b)
	h := login(t, m, newBrowser(), "ada")

	st.down.Store(true)
	r := b.start(t, m)
	r.SetUser("ada")
	err := r.Save(context.Background())
	require.ErrorIs(t, err, core.ErrStore)
	require.ErrorIs(t, err, frontends.ErrDown)
	r.Release()
	r.x.done()
	u, _ := whoami(t, m, b)
	require.Empty(t, u, "nothing saved")

	clock.Advance(core.DefaultTimeToUpdate)
	st.down.Store(false)
	r = b.start(t, m)
	r.SetUser("ada")
	require.NoError(t, r.Save(context.Background()), "the next save lists it")
	hb := r.Handle()
	r.Release()
	r.x.done()
	require.NotEqual(t, before, idOf(t, m, b))
	require.ElementsMatch(t, []string{h, hb}, handles(t, m, "ada"))
}

// A store that fails makes the calls fail with ErrStore, never answer an
// empty list or a revocation that did not happen.
func TestUsersOnAFailingStore(t *testing.T) {
	ctx := context.Background()
	st := frontends.NewStore(memstore.New())
	m := newManager(t, core.DriverNative, st, nil)
	h := login(t, m, newBrowser(), "ada")
	st.SetDown(true)
	_, err := m.UserSessions(ctx, "ada")
	require.ErrorIs(t, err, core.ErrStore)
	require.ErrorIs(t, m.RevokeSession(ctx, "ada", h), core.ErrStore)
	_, err = m.RevokeUser(ctx, "ada")
	require.ErrorIs(t, err, core.ErrStore)
	st.SetDown(false)
	require.Equal(t, []string{h}, handles(t, m, "ada"))
}
