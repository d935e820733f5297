package core_test

import (
	"context"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// lastCookie returns the last Set-Cookie of the session cookie in a
// request, nil when none.
func lastCookie(r *req, name string) *http.Cookie {
	var c *http.Cookie
	for _, s := range r.x.set {
		if s.Name == name {
			c = s
		}
	}
	return c
}

// request runs one request and returns its session cookie, nil when none.
func request(t *testing.T, m *core.Manager, b *browser, fn func(s *core.Session)) *http.Cookie {
	t.Helper()
	r := b.start(t, m)
	fn(r.Session)
	r.finish(t)
	return lastCookie(r, m.CookieName(m.Config().Driver))
}

func TestSetLifetime(t *testing.T) {
	const month = 30 * 24 * time.Hour
	for _, driver := range []string{core.DriverNative, core.DriverCookie, "cookie+db"} {
		t.Run(driver, func(t *testing.T) {
			clock := frontends.NewClock()
			m := newManager(t, driver, memstore.New(), clock)
			remembered, plain := newBrowser(), newBrowser()
			c := request(t, m, remembered, func(s *core.Session) {
				s.SetUserdata("name", "ada")
				s.SetLifetime(month)
			})
			require.NotNil(t, c)
			require.Equal(t, int(month/time.Second), c.MaxAge, "the cookie follows the session's lifetime")
			c = request(t, m, plain, func(s *core.Session) { s.SetUserdata("name", "bob") })
			require.Equal(t, int(core.DefaultExpiration/time.Second), c.MaxAge)

			clock.Advance(core.DefaultExpiration + time.Minute)
			request(t, m, remembered, func(s *core.Session) {
				require.Equal(t, "ada", s.Userdata("name"), "alive past Config.Expiration")
			})
			request(t, m, plain, func(s *core.Session) { require.Nil(t, s.Userdata("name"), "expired") })

			clock.Advance(month - time.Minute)
			request(t, m, remembered, func(s *core.Session) {
				require.Equal(t, "ada", s.Userdata("name"), "its lifetime counts from the last request")
				s.SetLifetime(0)
			})
			clock.Advance(core.DefaultExpiration)
			request(t, m, remembered, func(s *core.Session) {
				require.Nil(t, s.Userdata("name"), "SetLifetime(0) gave it Config.Expiration again")
			})
		})
	}
}

func TestSetLifetimeUnderExpireOnClose(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil, func(c *core.Config) { c.ExpireOnClose = true })
	c := request(t, m, newBrowser(), func(s *core.Session) { s.SetUserdata("k", 1) })
	require.Zero(t, c.MaxAge, "a browser-session cookie")
	require.True(t, c.Expires.IsZero())
	c = request(t, m, newBrowser(), func(s *core.Session) { s.SetLifetime(core.NoExpiration) })
	require.Equal(t, 400*24*3600, c.MaxAge, "remember me: a lasting cookie, 400 days at most")

	b := newBrowser()
	request(t, m, b, func(s *core.Session) { s.SetUserdata("k", 1) })
	c = request(t, m, b, func(s *core.Session) { s.SetLifetime(time.Hour) })
	require.NotNil(t, c, "a new lifetime sends the cookie again")
	require.Equal(t, 3600, c.MaxAge)
}

func TestAbsoluteTimeout(t *testing.T) {
	for _, driver := range []string{core.DriverNative, core.DriverCookie, "cookie+db"} {
		t.Run(driver, func(t *testing.T) {
			clock := frontends.NewClock()
			st := memstore.New()
			m := newManager(t, driver, st, clock, func(c *core.Config) {
				c.AbsoluteTimeout = time.Hour
				c.TimeToUpdate = 5 * time.Minute
			})
			b := newBrowser()
			start := clock.Now()
			request(t, m, b, func(s *core.Session) {
				s.SetUserdata("name", "ada")
				s.SetLifetime(30 * 24 * time.Hour)
			})
			var last *http.Cookie
			for clock.Now().Sub(start) < time.Hour-10*time.Minute {
				clock.Advance(10 * time.Minute) // active: a request every 10 minutes, each rotating the id
				last = request(t, m, b, func(s *core.Session) { require.Equal(t, "ada", s.Userdata("name")) })
			}
			require.NotNil(t, last)
			left := start.Add(time.Hour).Sub(clock.Now())
			require.Equal(t, int(left/time.Second), last.MaxAge, "the cookie ends with the session")

			old := newBrowser()
			old.cookies = maps.Clone(b.cookies)
			clock.Advance(left - time.Second)
			request(t, m, b, func(s *core.Session) { require.Equal(t, "ada", s.Userdata("name")) })
			clock.Advance(time.Second)
			request(t, m, b, func(s *core.Session) { require.Nil(t, s.Userdata("name"), "ended an hour after it began") })
			request(t, m, old, func(s *core.Session) {
				require.Nil(t, s.Userdata("name"), "the id before the last rotation leads nowhere either")
			})
		})
	}
}

func TestAbsoluteTimeoutBoundsTheListing(t *testing.T) {
	clock := frontends.NewClock()
	m := newManager(t, core.DriverNative, memstore.New(), clock, func(c *core.Config) { c.AbsoluteTimeout = time.Hour })
	b := newBrowser()
	login(t, m, b, "ada")
	infos, err := m.UserSessions(context.Background(), "ada")
	require.NoError(t, err)
	require.Len(t, infos, 1)
	require.Equal(t, infos[0].Created.Add(time.Hour), infos[0].ExpiresAt, "ExpiresAt: got %v", infos[0].ExpiresAt)
	clock.Advance(time.Hour)
	require.Empty(t, handles(t, m, "ada"))
}
