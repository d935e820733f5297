package core_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

// login binds b's session to user, as a login handler does.
func login(t *testing.T, m *core.Manager, b *browser, user string) (handle string) {
	t.Helper()
	b.do(t, m, func(s *core.Session) {
		s.Regenerate(false)
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
