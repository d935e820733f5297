package frameworks_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

// lifecycleRoutes are shared by the lifecycle behaviours.
func lifecycleRoutes(e *env) []frontends.Route {
	return []frontends.Route{
		get("/set", func(c frontends.Ctx) { c.Session().SetUserdata("name", "ada"); ok(c) }),
		get("/get", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().Userdata("name"))) }),
		get("/id", func(c frontends.Ctx) { c.String(http.StatusOK, c.Session().ID()) }),
		get("/last", func(c frontends.Ctx) {
			c.String(http.StatusOK, line(c.Session().Userdata(core.KeyLastActivity)))
		}),
	}
}

func with(base func(e *env) []frontends.Route, more ...frontends.Route) func(e *env) []frontends.Route {
	return func(e *env) []frontends.Route { return append(base(e), more...) }
}

// expired reports whether a Set-Cookie deletes its cookie.
func expired(c *http.Cookie) bool {
	return c != nil && (c.MaxAge < 0 || !c.Expires.IsZero() && c.Expires.Before(time.Now()))
}

var storeDrivers = []string{dNative, dCookieDB}

var _ = register(
	behaviour{
		name: "destroy",
		routes: with(lifecycleRoutes,
			get("/destroy", func(c frontends.Ctx) {
				s := c.Session()
				s.Destroy()
				c.String(http.StatusOK, line(s.Userdata("name"), s.ID() == "", len(s.AllUserdata())))
			}),
			get("/destroy-then-set", func(c frontends.Ctx) {
				s := c.Session()
				s.Destroy()
				s.SetFlashdata("notice", "logged out")
				c.String(http.StatusOK, s.ID())
			}),
			get("/notice", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().Flashdata("notice"))) }),
		),
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			id1 := c.Get("/id").Body
			r := c.Get("/destroy")
			body(t, r, "<nil> true 4")
			require.True(t, expired(sessionCookie(e, r)), "the destroy response expires the cookie: %v", r.Header["Set-Cookie"])
			require.Empty(t, c.Cookie(e.cookie))
			if e.driver != dCookie {
				require.False(t, e.storeHas(id1), "the destroyed session is gone from the store")
			}
			body(t, c.Get("/get"), "<nil>")

			body(t, c.Get("/set"), "ok")
			id2 := c.Get("/id").Body
			r = c.Get("/destroy-then-set")
			require.NotEqual(t, id2, r.Body, "data set after Destroy starts a new session")
			require.False(t, expired(sessionCookie(e, r)), "the new session's cookie replaces the expiry")
			body(t, c.Get("/notice"), "logged out")
			body(t, c.Get("/get"), "<nil>")
			if e.driver != dCookie {
				require.False(t, e.storeHas(id2))
			}

			// After Destroy, the next request's ID is a new session's.
			body(t, c.Get("/set"), "ok")
			id3 := c.Get("/id").Body
			body(t, c.Get("/destroy"), "<nil> true 4")
			id4 := c.Get("/id").Body
			require.NotEmpty(t, id4, "the request after Destroy has an id")
			require.NotEqual(t, id3, id4)
			body(t, c.Get("/id"), id4, "and keeps it")
		},
	},
	behaviour{
		name:   "the id holds from its first call",
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			r := c.Get("/id")
			require.Equal(t, http.StatusOK, r.Status)
			id := r.Body
			require.NotEmpty(t, id, "a new session gets its id when asked for it")
			require.NotNil(t, sessionCookie(e, r), "and the client its cookie")
			body(t, c.Get("/id"), id, "the id holds on the next request")
			if e.driver != dCookie {
				require.True(t, e.storeHas(id), "the new session is saved")
			}
			body(t, c.Get("/set"), "ok")
			body(t, c.Get("/id"), id, "setting data keeps the id")
			body(t, c.Get("/get"), "ada")
		},
	},
	behaviour{
		name: "clear keeps the id",
		routes: with(lifecycleRoutes,
			get("/token", func(c frontends.Ctx) { c.String(http.StatusOK, c.Session().Token()) }),
			get("/clear", func(c frontends.Ctx) {
				s := c.Session()
				s.Clear()
				c.String(http.StatusOK, line(s.Userdata("name"), len(s.AllUserdata())))
			}),
		),
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			tok := c.Get("/token").Body
			id := c.Get("/id").Body
			body(t, c.Get("/clear"), "<nil> 4")
			body(t, c.Get("/get"), "<nil>")
			body(t, c.Get("/id"), id)
			require.NotEqual(t, tok, c.Get("/token").Body, "Clear removes the CSRF token too")
		},
	},
	behaviour{
		name: "regenerate",
		routes: with(lifecycleRoutes,
			get("/regen", func(c frontends.Ctx) {
				s := c.Session()
				old := core.DestroyOld
				if c.Query("keep") == "1" {
					old = core.KeepOld
				}
				s.Regenerate(old)
				c.String(http.StatusOK, s.ID())
			}),
		),
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			id1 := c.Get("/id").Body
			id2 := c.Get("/regen?keep=0").Body
			require.NotEqual(t, id1, id2)
			body(t, c.Get("/id"), id2)
			body(t, c.Get("/get"), "ada")
			id3 := c.Get("/regen?keep=1").Body
			require.NotEqual(t, id2, id3)
			body(t, c.Get("/id"), id3)
			body(t, c.Get("/get"), "ada")
			if e.driver != dCookie {
				require.False(t, e.storeHas(id1), "Regenerate(DestroyOld) ends the old id at once")
				require.True(t, e.storeHas(id2), "Regenerate(KeepOld) keeps the old id's data")
				require.True(t, e.storeHas(id3))
			}
		},
	},
	behaviour{
		name:    "an unknown or destroyed id is never adopted",
		drivers: []string{dNative},
		routes:  lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			planted := "0123456789abcdef0123456789abcdef01234567"
			c := e.client()
			c.SetCookie(e.cookie, planted)
			body(t, c.Get("/get"), "<nil>")
			body(t, c.Get("/set"), "ok")
			id := c.Get("/id").Body
			require.NotEqual(t, planted, id)
			require.False(t, e.storeHas(planted))
		},
	},
	behaviour{
		name: "automatic rotation keeps the data",
		routes: with(lifecycleRoutes,
			get("/write", func(c frontends.Ctx) { c.Session().SetUserdata("late", "yes"); ok(c) }),
			get("/late", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().Userdata("late"))) }),
		),
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			id1 := c.Get("/id").Body
			start := e.clock.Now().Unix()
			body(t, c.Get("/last"), line(start))
			oldCookie := c.Cookie(e.cookie)

			e.clock.Advance(4 * time.Minute)
			body(t, c.Get("/id"), id1) // before TimeToUpdate: same id
			e.clock.Advance(2 * time.Minute)
			r := c.Get("/get")
			body(t, r, "ada")
			require.NotNil(t, sessionCookie(e, r), "the rotating response sends the new id")
			id2 := c.Get("/id").Body
			require.NotEqual(t, id1, id2)
			body(t, c.Get("/last"), line(e.clock.Now().Unix()), "last_activity moves with the rotation")

			if e.driver == dCookie {
				return // the cookie holds the data: nothing on the server to retire
			}
			// A request in flight with the old id, within the grace: it finds
			// the session and its writes land on the new id.
			stale := e.client()
			stale.SetCookie(e.cookie, oldCookie)
			body(t, stale.Get("/get"), "ada")
			body(t, stale.Get("/write"), "ok")
			body(t, c.Get("/late"), "yes")
			body(t, c.Get("/id"), id2)
			// After the grace the old id leads nowhere.
			e.clock.Advance(core.DefaultRotationGrace + time.Second)
			late := e.client()
			late.SetCookie(e.cookie, oldCookie)
			body(t, late.Get("/get"), "<nil>")
			body(t, c.Get("/get"), "ada")
		},
	},
	behaviour{
		name:   "expiration after inactivity",
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			r := c.Get("/set")
			body(t, r, "ok")
			require.Equal(t, int((2 * time.Hour).Seconds()), sessionCookie(e, r).MaxAge)
			e.clock.Advance(time.Hour + 59*time.Minute)
			body(t, c.Get("/get"), "ada") // activity slides the expiry
			e.clock.Advance(time.Hour + 59*time.Minute)
			body(t, c.Get("/get"), "ada")
			e.clock.Advance(2*time.Hour + time.Second)
			body(t, c.Get("/get"), "<nil>")
		},
	},
	behaviour{
		name:   "expiration slides without rotation",
		config: func(c *core.Config) { c.TimeToUpdate = 0 },
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			id := c.Get("/id").Body
			e.clock.Advance(90 * time.Minute)
			body(t, c.Get("/get"), "ada")
			e.clock.Advance(90 * time.Minute)
			body(t, c.Get("/get"), "ada")
			body(t, c.Get("/id"), id, "TimeToUpdate 0 never rotates")
			e.clock.Advance(2 * time.Hour)
			body(t, c.Get("/get"), "<nil>")
		},
	},
	behaviour{
		name:   "no expiration",
		config: func(c *core.Config) { c.Expiration = core.NoExpiration },
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			r := c.Get("/set")
			require.Equal(t, 400*24*3600, sessionCookie(e, r).MaxAge)
			e.clock.Advance(300 * 24 * time.Hour)
			body(t, c.Get("/get"), "ada")
		},
	},
	behaviour{
		name:   "expire on close",
		config: func(c *core.Config) { c.ExpireOnClose = true },
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			r := c.Get("/set")
			ck := sessionCookie(e, r)
			require.NotNil(t, ck)
			require.Zero(t, ck.MaxAge, "no Max-Age: %v", r.Header["Set-Cookie"])
			require.True(t, ck.Expires.IsZero(), "no Expires: %v", r.Header["Set-Cookie"])
			body(t, c.Get("/get"), "ada")
			e.clock.Advance(2*time.Hour + time.Second)
			body(t, c.Get("/get"), "<nil>", "Expiration still applies on the server")
		},
	},
	behaviour{
		name:   "match user agent",
		config: func(c *core.Config) { c.MatchUserAgent = true },
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			c.Header.Set("User-Agent", "another browser")
			body(t, c.Get("/get"), "<nil>")
			c.Header.Set("User-Agent", "behaviour-test/1.0")
			body(t, c.Get("/get"), "ada")
		},
	},
	behaviour{
		name:   "user agent not matched by default",
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			c.Header.Set("User-Agent", "another browser")
			body(t, c.Get("/get"), "ada")
		},
	},
	behaviour{
		name:   "match ip",
		config: func(c *core.Config) { c.MatchIP = true },
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			other := e.srv.NewClient(t, "127.0.0.2")
			other.Header.Set("User-Agent", "behaviour-test/1.0")
			other.SetCookie(e.cookie, c.Cookie(e.cookie))
			body(t, other.Get("/get"), "<nil>")
			body(t, c.Get("/get"), "ada")
		},
	},
	behaviour{
		name:   "ip not matched by default",
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			other := e.srv.NewClient(t, "127.0.0.2")
			other.Header.Set("User-Agent", "behaviour-test/1.0")
			other.SetCookie(e.cookie, c.Cookie(e.cookie))
			body(t, other.Get("/get"), "ada")
		},
	},
)
