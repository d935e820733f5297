package frameworks_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/flowtest"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// TestUsers runs the signed-in devices flow through every front end, with
// two application instances on one memory store.
func TestUsers(t *testing.T) {
	flowtest.Users(t, memstore.New())
}

// userRoutes: /login binds the session to ada, /me answers the user and
// the handle, /devices answers UserSessions' count or error, /remember
// gives the session a lifetime of 30 days.
func userRoutes(e *env) []frontends.Route {
	return []frontends.Route{
		get("/login", func(c frontends.Ctx) {
			s := c.Session()
			s.SetUser("ada")
			s.SetUserdata("name", "ada")
			c.String(http.StatusOK, s.Handle())
		}),
		get("/me", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().User(), c.Session().Handle())) }),
		get("/get", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().Userdata("name"))) }),
		get("/devices", func(c frontends.Ctx) {
			infos, err := e.m.UserSessions(c.Context(), c.Session().User())
			c.String(http.StatusOK, line(len(infos), errors.Is(err, core.ErrUnsupported)))
		}),
		get("/remember", func(c frontends.Ctx) { c.Session().SetLifetime(30 * 24 * time.Hour); ok(c) }),
	}
}

var _ = register(
	behaviour{
		name:   "the binding and the handle survive the rotation",
		routes: userRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			h := c.Get("/login").Body
			require.True(t, strings.HasPrefix(h, "h_"), "handle %q", h)
			cookie := c.Cookie(e.cookie)
			e.clock.Advance(core.DefaultTimeToUpdate)
			body(t, c.Get("/me"), line("ada", h))
			if e.driver != dCookie {
				require.NotEqual(t, cookie, c.Cookie(e.cookie), "the id rotated")
				body(t, c.Get("/devices"), line(1, false))
			} else {
				body(t, c.Get("/devices"), line(0, true), "the cookie driver alone cannot list")
			}
		},
	},
	behaviour{
		name:   "remember me: a lasting cookie under ExpireOnClose",
		config: func(c *core.Config) { c.ExpireOnClose = true },
		routes: userRoutes,
		run: func(t *testing.T, e *env) {
			plain, remembered := e.client(), e.client()
			r := plain.Get("/login")
			require.Zero(t, sessionCookie(e, r).MaxAge, "a browser-session cookie: %v", r.Header["Set-Cookie"])
			remembered.Get("/login")
			r = remembered.Get("/remember")
			require.Equal(t, 30*24*3600, sessionCookie(e, r).MaxAge, "Set-Cookie: %v", r.Header["Set-Cookie"])
			e.clock.Advance(core.DefaultExpiration + time.Minute)
			body(t, remembered.Get("/get"), "ada")
			body(t, plain.Get("/get"), "<nil>")
		},
	},
	behaviour{
		name: "absolute timeout ends an active session",
		config: func(c *core.Config) {
			c.AbsoluteTimeout = time.Hour
		},
		routes: userRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			c.Get("/login")
			c.Get("/remember")
			var last *http.Cookie
			for range 5 {
				e.clock.Advance(11 * time.Minute)
				r := c.Get("/get")
				body(t, r, "ada")
				if ck := sessionCookie(e, r); ck != nil {
					last = ck
				}
			}
			require.NotNil(t, last, "rotations sent the cookie again")
			require.LessOrEqual(t, last.MaxAge, int((time.Hour - 44*time.Minute).Seconds()), "the cookie ends with the session")
			e.clock.Advance(5 * time.Minute)
			body(t, c.Get("/get"), "<nil>", "an hour after it began")
		},
	},
	behaviour{
		name:    "a partitioned __Host- cookie",
		drivers: []string{dCookie, dNative},
		config: func(c *core.Config) {
			c.CookiePrefix, c.CookieSecure, c.CookiePartitioned = "__Host-", true, true
		},
		routes: userRoutes,
		run: func(t *testing.T, e *env) {
			r := e.client().Get("/login")
			ck := sessionCookie(e, r)
			require.NotNil(t, ck, "Set-Cookie: %v", r.Header["Set-Cookie"])
			require.Equal(t, "__Host-ci_session", ck.Name)
			require.True(t, ck.Secure)
			require.True(t, ck.Partitioned, "Set-Cookie: %v", r.Header["Set-Cookie"])
			require.Equal(t, "/", ck.Path)
			require.Empty(t, ck.Domain)
		},
	},
)
