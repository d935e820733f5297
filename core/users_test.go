package core_test

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// login binds b's session to user, as a login handler does.
func login(t *testing.T, m *core.Manager, b *browser, user string) (handle string) {
	t.Helper()
	b.do(t, m, func(s *core.Session) {
		s.Regenerate(core.DestroyOld)
		s.SetUser(user)
		s.SetUserdata("name", user)
		handle = s.Handle()
	})
	return handle
}

// whoami returns the user b's session is bound to, and its handle.
func whoami(t *testing.T, m *core.Manager, b *browser) (user, handle string) {
	t.Helper()
	b.do(t, m, func(s *core.Session) { user, handle = s.User(), s.Handle() })
	return user, handle
}

// handles returns the handles UserSessions lists for user.
func handles(t *testing.T, m *core.Manager, user string) []string {
	t.Helper()
	infos, err := m.UserSessions(context.Background(), user)
	require.NoError(t, err)
	out := []string{}
	for _, in := range infos {
		out = append(out, in.Handle)
	}
	return out
}

// indexed returns the ids user's index in st lists, by handle.
func indexed(t *testing.T, st core.Store, user string) map[string][]string {
	t.Helper()
	ids, err := core.IndexedIDs(context.Background(), st, user)
	require.NoError(t, err)
	return ids
}

func TestUserSessionsListsEachDevice(t *testing.T) {
	for _, su := range storeSetups() {
		t.Run(su.name, func(t *testing.T) {
			clock := frontends.NewClock()
			st := su.store()
			m := newManager(t, su.driver, st, clock, func(c *core.Config) { c.MatchUserAgent = false })
			laptop, phone, other := newBrowser(), newBrowser(), newBrowser()
			phone.ua, phone.ip = "phone/2.0", "198.51.100.7"
			hl := login(t, m, laptop, "ada")
			clock.Advance(time.Minute)
			hp := login(t, m, phone, "ada")
			login(t, m, other, "bob")
			require.NotEqual(t, hl, hp, "each session has its own handle")

			infos, err := m.UserSessions(context.Background(), "ada")
			require.NoError(t, err)
			require.Len(t, infos, 2)
			require.Equal(t, hp, infos[0].Handle, "the most recently active first")
			require.Equal(t, hl, infos[1].Handle)
			want := map[string]struct{ ua, ip string }{hl: {"core-test", "192.0.2.1"}, hp: {"phone/2.0", "198.51.100.7"}}
			for _, in := range infos {
				require.Equal(t, want[in.Handle].ua, in.UserAgent)
				require.Equal(t, want[in.Handle].ip, in.IPAddress)
				require.Equal(t, m.Config().Driver, in.Driver)
				require.Equal(t, in.LastActivity.Add(2*time.Hour), in.ExpiresAt, "ExpiresAt is Expiration after the last save")
				require.False(t, in.Created.After(in.LastActivity))
			}
			require.True(t, infos[0].Created.Equal(clock.Now()), "Created: got %v, want %v", infos[0].Created, clock.Now())

			printed := fmt.Sprintf("%#v", infos)
			for _, b := range []*browser{laptop, phone} {
				for _, v := range b.cookies {
					require.NotContains(t, printed, v, "no cookie value in SessionInfo")
				}
				b.do(t, m, func(s *core.Session) { require.NotContains(t, printed, s.ID(), "no session id in SessionInfo") })
			}
			hb := handles(t, m, "bob")
			require.Len(t, hb, 1, "bob's list is his own")
			require.NotContains(t, []string{hl, hp}, hb[0])
			require.Empty(t, handles(t, m, "nobody"))
		})
	}
}

// ids returns the id of b's session.
func idOf(t *testing.T, m *core.Manager, b *browser) (id string) {
	t.Helper()
	b.do(t, m, func(s *core.Session) { id = s.ID() })
	return id
}

func TestBindingFollowsTheID(t *testing.T) {
	for _, su := range storeSetups() {
		t.Run(su.name, func(t *testing.T) {
			clock := frontends.NewClock()
			st := su.store()
			m := newManager(t, su.driver, st, clock)
			b := newBrowser()
			h := login(t, m, b, "ada")
			id1 := idOf(t, m, b)
			require.Equal(t, map[string][]string{h: {id1}}, indexed(t, st, "ada"))

			clock.Advance(core.DefaultTimeToUpdate)
			id2 := idOf(t, m, b)
			require.NotEqual(t, id1, id2, "the id rotated")
			user, h2 := whoami(t, m, b)
			require.Equal(t, "ada", user, "the binding survives the rotation")
			require.Equal(t, h, h2, "the handle survives the rotation")
			require.Equal(t, []string{h}, handles(t, m, "ada"))
			require.Equal(t, map[string][]string{h: {id1, id2}}, indexed(t, st, "ada"), "the old id is listed for the rotation grace")
			clock.Advance(core.DefaultRotationGrace)
			require.Equal(t, []string{h}, handles(t, m, "ada"))
			require.Equal(t, map[string][]string{h: {id2}}, indexed(t, st, "ada"), "no stale id after the grace")

			var id3 string
			b.do(t, m, func(s *core.Session) { s.Regenerate(core.DestroyOld); id3 = s.ID() })
			require.Equal(t, map[string][]string{h: {id3}}, indexed(t, st, "ada"), "Regenerate(DestroyOld) leaves only the new id")
			require.Equal(t, []string{h}, handles(t, m, "ada"))

			old := newBrowser()
			old.cookies = maps.Clone(b.cookies)
			var id4 string
			b.do(t, m, func(s *core.Session) { s.Regenerate(core.KeepOld); id4 = s.ID() })
			require.Equal(t, map[string][]string{h: {id3, id4}}, indexed(t, st, "ada"), "the id Regenerate(KeepOld) kept stays listed")
			require.Equal(t, []string{h}, handles(t, m, "ada"), "one session, one entry")
			require.Equal(t, "ada", func() string { u, _ := whoami(t, m, old); return u }(), "the kept id still holds the session")

			require.NoError(t, m.RevokeSession(context.Background(), "ada", h))
			for name, c := range map[string]*browser{"new id": b, "kept id": old} {
				u, _ := whoami(t, m, c)
				require.Empty(t, u, "%s: revoked", name)
			}
			require.Empty(t, handles(t, m, "ada"))
		})
	}
}

func TestRevoke(t *testing.T) {
	for _, su := range storeSetups() {
		t.Run(su.name, func(t *testing.T) {
			ctx := context.Background()
			st := su.store()
			m := newManager(t, su.driver, st, nil)
			laptop, phone, tablet, bob := newBrowser(), newBrowser(), newBrowser(), newBrowser()
			hl, hp := login(t, m, laptop, "ada"), login(t, m, phone, "ada")
			ht, hb := login(t, m, tablet, "ada"), login(t, m, bob, "bob")
			name := func(b *browser) (v any) {
				b.do(t, m, func(s *core.Session) { v = s.Userdata("name") })
				return v
			}

			require.NoError(t, m.RevokeSession(ctx, "ada", hp))
			require.Nil(t, name(phone), "the revoked session is gone on its next request")
			require.Equal(t, "ada", name(laptop))
			require.ElementsMatch(t, []string{hl, ht}, handles(t, m, "ada"))

			require.NoError(t, m.RevokeSession(ctx, "ada", hb), "another user's handle ends nothing, and is no error")
			require.NoError(t, m.RevokeSession(ctx, "ada", "not a handle"))
			require.Equal(t, "bob", name(bob))

			n, err := m.RevokeUser(ctx, "ada", hl)
			require.NoError(t, err)
			require.Equal(t, 1, n, "sessions ended")
			require.Nil(t, name(tablet))
			require.Equal(t, "ada", name(laptop), "the kept session stays")
			require.Equal(t, []string{hl}, handles(t, m, "ada"))
			require.Equal(t, "bob", name(bob), "other users keep theirs")

			n, err = m.RevokeUser(ctx, "ada")
			require.NoError(t, err)
			require.Equal(t, 1, n)
			require.Nil(t, name(laptop))
			require.Empty(t, handles(t, m, "ada"))
			require.Empty(t, indexed(t, st, "ada"), "the index holds nothing")
			n, err = m.RevokeUser(ctx, "ada")
			require.NoError(t, err)
			require.Zero(t, n)
		})
	}
}

func TestDestroyExpiryAndRebindingLeaveTheIndex(t *testing.T) {
	for _, su := range storeSetups() {
		t.Run(su.name, func(t *testing.T) {
			clock := frontends.NewClock()
			st := su.store()
			m := newManager(t, su.driver, st, clock)
			a, b, c := newBrowser(), newBrowser(), newBrowser()
			login(t, m, a, "ada")
			hb := login(t, m, b, "ada")
			hc := login(t, m, c, "ada")

			a.do(t, m, func(s *core.Session) { s.Destroy() })
			require.ElementsMatch(t, []string{hb, hc}, handles(t, m, "ada"))
			require.Len(t, indexed(t, st, "ada"), 2, "Destroy removed its entry")

			c.do(t, m, func(s *core.Session) { s.SetUser("bob") })
			require.Equal(t, []string{hb}, handles(t, m, "ada"))
			require.Equal(t, []string{hc}, handles(t, m, "bob"), "the session moved to bob's list, same handle")
			require.Len(t, indexed(t, st, "ada"), 1)
			c.do(t, m, func(s *core.Session) { s.SetUser("") })
			require.Empty(t, handles(t, m, "bob"))
			require.Empty(t, indexed(t, st, "bob"), "SetUser(\"\") removed the entry")

			clock.Advance(core.DefaultExpiration)
			require.Empty(t, handles(t, m, "ada"), "an expired session is not listed")
			require.Empty(t, indexed(t, st, "ada"), "and leaves the index")
			u, _ := whoami(t, m, b)
			require.Empty(t, u)
		})
	}
}

func TestClearEndsTheBinding(t *testing.T) {
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	h := login(t, m, b, "ada")
	b.do(t, m, func(s *core.Session) { s.Clear() })
	u, h2 := whoami(t, m, b)
	require.Empty(t, u)
	require.Equal(t, h, h2, "the handle stays with the session")
	require.Empty(t, handles(t, m, "ada"))
}

func TestTwoManagersShareOneStore(t *testing.T) {
	for _, driver := range []string{core.DriverNative, "cookie+db"} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			st := memstore.New()
			m1, m2 := newManager(t, driver, st, nil), newManager(t, driver, st, nil)
			a, b := newBrowser(), newBrowser()
			ha, hb := login(t, m1, a, "ada"), login(t, m2, b, "ada")
			for _, m := range []*core.Manager{m1, m2} {
				require.ElementsMatch(t, []string{ha, hb}, handles(t, m, "ada"), "each instance lists the other's sessions")
			}
			n, err := m2.RevokeUser(ctx, "ada", hb)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			u, _ := whoami(t, m1, a)
			require.Empty(t, u, "a session of one instance revoked by the other")
			require.Equal(t, []string{hb}, handles(t, m1, "ada"))
		})
	}
}

func TestUsersUnsupported(t *testing.T) {
	tests := []struct {
		name     string
		m        func(t *testing.T) *core.Manager
		wantUser string // what User reads on the next request
	}{
		{"cookie driver without UseDatabase", func(t *testing.T) *core.Manager {
			return newManager(t, core.DriverCookie, nil, nil)
		}, "ada"},
		{"PHP's format", func(t *testing.T) *core.Manager { return phpManager(t, memstore.New(), nil) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			m := tt.m(t)
			b := newBrowser()
			login(t, m, b, "ada")
			u, h := whoami(t, m, b)
			require.Equal(t, tt.wantUser, u)
			_, err := m.UserSessions(ctx, "ada")
			require.ErrorIs(t, err, core.ErrUnsupported)
			require.ErrorIs(t, m.RevokeSession(ctx, "ada", h), core.ErrUnsupported)
			_, err = m.RevokeUser(ctx, "ada")
			require.ErrorIs(t, err, core.ErrUnsupported)
		})
	}
}

func TestHandlesAndIndexKeysAreNeverIDs(t *testing.T) {
	st := frontends.NewStore(memstore.New())
	m := newManager(t, core.DriverNative, st, nil)
	h := login(t, m, newBrowser(), "ada")
	for name, v := range map[string]string{"handle": h, "index key": core.IndexKey("ada")} {
		t.Run(name, func(t *testing.T) {
			st.Reset()
			b := newBrowser()
			b.cookies[m.CookieName(core.DriverNative)] = v
			u, _ := whoami(t, m, b)
			require.Empty(t, u)
			require.Zero(t, st.Loads.Load(), "refused before the store")
			require.NotEqual(t, v, b.cookies[m.CookieName(core.DriverNative)], "a new session, with an id of its own")
		})
	}
}

// The index expires with its last session, so that garbage collection
// removes it with the sessions.
func TestIndexGoesWithGarbageCollection(t *testing.T) {
	st := memstore.New()
	const life = 200 * time.Millisecond
	m := newManager(t, core.DriverNative, st, nil, func(c *core.Config) {
		c.Expiration, c.TimeToUpdate, c.GCInterval = life, 0, -1
	})
	for range 3 {
		login(t, m, newBrowser(), "ada")
	}
	require.Len(t, indexed(t, st, "ada"), 3)
	require.Equal(t, 4, st.Len(), "three sessions and the index")
	time.Sleep(life + life/2 + 50*time.Millisecond) // the real clock: the store expires by it
	n, err := m.Collect(context.Background())
	require.NoError(t, err)
	require.Equal(t, 4, n, "the sessions and the index collected")
	require.Zero(t, st.Len())
}
