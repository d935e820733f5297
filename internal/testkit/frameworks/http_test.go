package frameworks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

var _ = register(
	behaviour{
		name: "csrf and one-time tokens",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/token", func(c frontends.Ctx) { c.String(http.StatusOK, c.Session().Token()) }),
				get("/validate", func(c frontends.Ctx) {
					c.String(http.StatusOK, line(c.Session().ValidateToken(c.Query("t"))))
				}),
				get("/regen", func(c frontends.Ctx) { c.String(http.StatusOK, c.Session().RegenerateToken()) }),
				get("/ott", func(c frontends.Ctx) {
					var out []string
					for range 25 {
						out = append(out, c.Session().GenerateOneTimeToken())
					}
					c.String(http.StatusOK, strings.Join(out, ","))
				}),
				get("/use", func(c frontends.Ctx) {
					c.String(http.StatusOK, line(c.Session().ValidateOneTimeToken(c.Query("t"))))
				}),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			r := c.Get("/validate?t=")
			body(t, r, "false")
			require.Empty(t, r.Header["Set-Cookie"], "validating does not create a session")

			t1 := c.Get("/token").Body
			require.Len(t, t1, 64)
			body(t, c.Get("/token"), t1, "stable until regenerated")
			body(t, c.Get("/validate?t="+t1), "true")
			body(t, c.Get("/validate?t="+t1[:63]+"x"), "false")
			body(t, c.Get("/validate?t="), "false")
			t2 := c.Get("/regen").Body
			require.NotEqual(t, t1, t2)
			body(t, c.Get("/validate?t="+t1), "false")
			body(t, c.Get("/validate?t="+t2), "true")

			tokens := strings.Split(c.Get("/ott").Body, ",")
			require.Len(t, tokens, 25)
			body(t, c.Get("/use?t="+tokens[0]), "false", "only the last 20 stay valid")
			body(t, c.Get("/use?t="+tokens[4]), "false")
			body(t, c.Get("/use?t="+tokens[5]), "true")
			body(t, c.Get("/use?t="+tokens[5]), "false", "valid once")
			body(t, c.Get("/use?t="+tokens[24]), "true")
			body(t, c.Get("/use?t=nope"), "false")
			body(t, c.Get("/validate?t="+t2), "true", "one-time tokens leave the CSRF token alone")
		},
	},
	behaviour{
		name: "laziness",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/untouched", ok),
				get("/set", func(c frontends.Ctx) { c.Session().SetUserdata("name", "ada"); ok(c) }),
				get("/read", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().Userdata("name"))) }),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			r := c.Get("/untouched")
			body(t, r, "ok")
			require.Empty(t, r.Header["Set-Cookie"])
			require.NotContains(t, r.Header.Values("Vary"), "Cookie")
			require.Zero(t, e.store.Calls(), "a new visitor the handler ignores costs no store call")
			r = c.Get("/read")
			body(t, r, "<nil>")
			require.Empty(t, r.Header["Set-Cookie"], "reading an empty new session creates nothing")
			require.Zero(t, e.store.Writes())

			body(t, c.Get("/set"), "ok")
			e.store.Reset()
			r = c.Get("/untouched")
			require.Empty(t, r.Header["Set-Cookie"])
			require.Zero(t, e.store.Calls(), "an untouched session costs no store call")
			r = c.Get("/read")
			body(t, r, "ada")
			require.Empty(t, r.Header["Set-Cookie"], "a read-only request sends no cookie")
			require.Zero(t, e.store.Writes(), "a read-only request writes nothing")
			if e.driver != dCookie {
				require.EqualValues(t, 1, e.store.Loads.Load(), "one load")
			}
		},
	},
	behaviour{
		name:    "cookie attributes",
		drivers: []string{dCookie, dNative},
		config: func(c *core.Config) {
			c.CookiePrefix, c.CookieName = "app_", "sess"
			c.CookieDomain, c.CookiePath = "example.test", "/"
			c.CookieSecure, c.CookieSameSite = true, http.SameSiteStrictMode
		},
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{get("/set", func(c frontends.Ctx) {
				c.Header("Cache-Control", "private")
				c.Session().SetUserdata("x", 1)
				ok(c)
			})}
		},
		run: func(t *testing.T, e *env) {
			r := e.client().Get("/set")
			cs := r.SetCookies("app_sess")
			require.Len(t, cs, 1, "Set-Cookie: %v", r.Header["Set-Cookie"])
			ck := cs[0]
			require.Equal(t, "/", ck.Path)
			require.Equal(t, "example.test", ck.Domain)
			require.True(t, ck.Secure)
			require.True(t, ck.HttpOnly)
			require.Equal(t, http.SameSiteStrictMode, ck.SameSite)
			require.Equal(t, 7200, ck.MaxAge)
			if e.fe != "fiber" { // fasthttp writes Max-Age alone when it is set
				require.WithinDuration(t, e.clock.Now().Add(2*time.Hour), ck.Expires, 2*time.Second)
			}
			require.Contains(t, strings.Join(r.Header.Values("Vary"), ","), "Cookie")
			cc := strings.Join(r.Header.Values("Cache-Control"), ", ")
			require.Contains(t, cc, `no-cache="Set-Cookie"`)
			require.Contains(t, cc, "private", "the handler's Cache-Control stays")
		},
	},
	behaviour{
		name:    "cookie attributes from a Config literal",
		drivers: []string{dNative},
		config: func(c *core.Config) {
			*c = core.Config{Driver: core.DriverNative, Store: c.Store, Now: c.Now, Logger: c.Logger}
		},
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{get("/set", func(c frontends.Ctx) { c.Session().SetUserdata("x", 1); ok(c) })}
		},
		run: func(t *testing.T, e *env) {
			r := e.client().Get("/set")
			ck := sessionCookie(e, r)
			require.NotNil(t, ck)
			require.Equal(t, "ci_session", ck.Name)
			require.True(t, ck.HttpOnly, "a Config{} literal is as safe as DefaultConfig")
			require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
		},
	},
	behaviour{
		name: "hostile cookies give a fresh session",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/set", func(c frontends.Ctx) { c.Session().SetUserdata("name", "ada"); ok(c) }),
				get("/get", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().Userdata("name"))) }),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			valid := c.Cookie(e.cookie)
			require.NotEmpty(t, valid)
			flipped := []byte(valid)
			flipped[len(flipped)/2] ^= 0x01
			if flipped[len(flipped)/2] == '=' || flipped[len(flipped)/2] == ';' {
				flipped[len(flipped)/2] = 'A'
			}
			hostile := map[string]string{
				"tampered":    string(flipped),
				"truncated":   valid[:len(valid)/2],
				"extended":    valid + "AAAA",
				"garbage":     "%%%not-a-cookie%%%",
				"empty":       "",
				"oversized":   strings.Repeat("A", 5000),
				"traversal":   "../../etc/passwd",
				"slash":       "a/b",
				"invalid utf": "\xc3\x28\xff",
				"wrong key":   sealedBy(t, e, otherKey),
			}
			for name, v := range hostile {
				t.Run(name, func(t *testing.T) {
					h := e.client()
					r, err := h.Send(http.MethodGet, "/get", http.Header{"Cookie": {e.cookie + "=" + v}})
					if err != nil {
						t.Skipf("the HTTP client refuses to send %q: %v", v, err)
					}
					require.Equal(t, http.StatusOK, r.Status, "body %q", r.Body)
					require.Equal(t, "<nil>", r.Body)
				})
			}
			// The valid cookie among a thousand others.
			var many []string
			for i := range 1000 {
				many = append(many, fmt.Sprintf("c%d=%d", i, i))
			}
			many = append(many[:500], append([]string{e.cookie + "=" + valid}, many[500:]...)...)
			r, err := e.client().Send(http.MethodGet, "/get", http.Header{"Cookie": {strings.Join(many, "; ")}})
			require.NoError(t, err)
			body(t, r, "ada")
		},
	},
	behaviour{
		name:    "store failures answer 503 and lose nothing",
		drivers: storeDrivers,
		routes: with(lifecycleRoutes,
			get("/set2", func(c frontends.Ctx) { c.Session().SetUserdata("name", "grace"); ok(c) }),
			get("/err", func(c frontends.Ctx) {
				err := c.Session().Err()
				c.String(http.StatusOK, line(errors.Is(err, core.ErrStore), errors.Is(err, frontends.ErrDown)))
			}),
		),
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			e.store.SetDown(true)
			r := c.Get("/get")
			require.Equal(t, http.StatusServiceUnavailable, r.Status)
			require.Equal(t, "Service Unavailable", strings.TrimSpace(r.Body))
			r = c.Get("/err")
			require.Equal(t, http.StatusServiceUnavailable, r.Status, "the handler saw the error, the response is still 503")
			e.store.SetDown(false)
			body(t, c.Get("/get"), "ada")
			body(t, c.Get("/err"), "false false")

			e.store.SetWritesDown(true)
			r = c.Get("/set2")
			require.Equal(t, http.StatusServiceUnavailable, r.Status, "a failed save answers 503")
			require.NotContains(t, r.Body, "ok")
			e.store.SetWritesDown(false)
			body(t, c.Get("/get"), "ada", "the session stored before the failure is intact")
		},
	},
	behaviour{
		name:    "a custom error handler",
		drivers: []string{dNative},
		opts: frontends.Options{ErrorHandler: func(status int, err error) (int, string) {
			return http.StatusTeapot, fmt.Sprintf("custom %d %v", status, errors.Is(err, core.ErrStore))
		}},
		routes: lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			e.store.SetDown(true)
			r := c.Get("/get")
			require.Equal(t, http.StatusTeapot, r.Status)
			require.Equal(t, "custom 503 true", r.Body)
			requireLoggedFailure(t, e, http.StatusServiceUnavailable, frontends.ErrDown.Error())
		},
	},
)

// lateErrors collects the errors of the "modified after the headers" route.
var lateErrors sync.Map

var _ = register(behaviour{
	name: "a change after the headers went out is reported",
	routes: with(lifecycleRoutes,
		get("/late", func(c frontends.Ctx) {
			s := c.Session()
			c.String(http.StatusOK, "sent")
			s.SetUserdata("late", "1")
			lateErrors.Store(c.Query("key"), line(s.Save(c.Context())))
		}),
		get("/late-get", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().Userdata("late"))) }),
	),
	run: func(t *testing.T, e *env) {
		c := e.client()
		body(t, c.Get("/set"), "ok")
		key := t.Name()
		body(t, c.Get("/late?key="+url.QueryEscape(key)), "sent")
		got, _ := lateErrors.Load(key)
		if e.fe == "fiber" {
			// Fiber sends the response after the handler returns: nothing is late.
			require.Equal(t, "<nil>", got)
			body(t, c.Get("/late-get"), "1")
			return
		}
		require.Contains(t, got, core.ErrModifiedAfterCommit.Error())
		require.Contains(t, e.logs.String(), "modified after the response headers were sent")
		want := "1" // the id did not change: the store-side data is still saved
		if e.driver == dCookie {
			want = "<nil>" // the data lives in the cookie, which could not be sent
		}
		body(t, c.Get("/late-get"), want)
	},
})

// serverWith serves the lifecycle routes on e's front end, driver and store,
// with a changed config.
func serverWith(t *testing.T, e *env, change func(*core.Config)) *frontends.Server {
	cfg := e.m.Config()
	change(&cfg)
	m, err := core.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return frontends.Start(t, e.fe, m, lifecycleRoutes(e), frontends.Options{})
}

// sealedBy returns a valid session cookie value for e's cookie name, made by
// a manager with another key.
func sealedBy(t *testing.T, e *env, key []byte) string {
	return sealedWith(t, e, key, e.m.Config().EncryptCookie)
}

func sealedWith(t *testing.T, e *env, key []byte, encrypt bool) string {
	cfg := e.m.Config()
	cfg.EncryptionKey, cfg.PreviousEncryptionKeys, cfg.EncryptCookie = key, nil, encrypt
	cfg.Store = memstore.New()
	m, err := core.New(cfg)
	require.NoError(t, err)
	defer m.Close()
	rec := &recorder{ua: "behaviour-test/1.0"}
	s, err := m.Start(context.Background(), rec)
	require.NoError(t, err)
	s.SetUserdata("name", "mallory")
	require.NoError(t, s.Save(context.Background()))
	require.NotEmpty(t, rec.set)
	return rec.set[len(rec.set)-1].Value
}

// recorder is a Transport that records the cookies it is given.
type recorder struct {
	ua  string
	set []*http.Cookie
}

func (r *recorder) Cookie(string) string     { return "" }
func (r *recorder) SetCookie(c *http.Cookie) { r.set = append(r.set, c) }
func (r *recorder) ClientIP() string         { return "127.0.0.1" }
func (r *recorder) UserAgent() string        { return r.ua }

var _ = register(behaviour{
	name:    "a 1 MiB header is answered without a panic",
	drivers: []string{dNative},
	routes:  lifecycleRoutes,
	run: func(t *testing.T, e *env) {
		c := e.client()
		body(t, c.Get("/set"), "ok")
		huge := strings.Repeat("x", 1<<20)
		for _, h := range []http.Header{
			{"Cookie": {e.cookie + "=" + huge}},
			{"X-Padding": {huge}},
			{"User-Agent": {huge}},
		} {
			r, err := e.client().Send(http.MethodGet, "/get", h)
			if err != nil {
				continue // the server may close the connection on a header this large
			}
			require.Less(t, r.Status, 500, "body %q", r.Body)
		}
		body(t, c.Get("/get"), "ada", "the server is still up and the session intact")
	},
})
