package frameworks_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

// Behaviours of the drivers: several at once, a custom one, the cookie
// driver's limits, signing, encryption and key rotation, UseDatabase.
var _ = register(
	behaviour{
		name: "several drivers at once",
		config: func(c *core.Config) {
			c.Driver, c.UseDatabase, c.ValidDrivers = core.DriverCookie, false, []string{core.DriverNative}
		},
		drivers: []string{dCookie},
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/set", func(c frontends.Ctx) {
					s := c.Session()
					s.SetUserdata("a", "from-cookie")
					n, err := s.Driver(core.DriverNative)
					if err != nil {
						c.String(http.StatusInternalServerError, err.Error())
						return
					}
					n.SetUserdata("a", "from-native")
					ok(c)
				}),
				get("/get", func(c frontends.Ctx) {
					s := c.Session()
					n, _ := s.Driver(core.DriverNative)
					first := line(s.Userdata("a"), n.Userdata("a"), s.DriverName())
					_, errUnknown := s.Driver("nope")
					errSelect := s.SelectDriver("nope")
					errLoad := s.LoadDriver("nope")
					loadOK := s.LoadDriver(core.DriverNative) == nil
					selectErr := s.SelectDriver(core.DriverNative)
					c.String(http.StatusOK, line(first, "|", s.Userdata("a"), s.DriverName(), selectErr, loadOK,
						errors.Is(errUnknown, core.ErrUnknownDriver), errors.Is(errSelect, core.ErrUnknownDriver), errors.Is(errLoad, core.ErrUnknownDriver)))
				}),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			r := c.Get("/set")
			body(t, r, "ok")
			require.Len(t, r.SetCookies("ci_session"), 1)
			require.Len(t, r.SetCookies("ci_session_native"), 1)
			require.NotEqual(t, r.SetCookies("ci_session")[0].Value, r.SetCookies("ci_session_native")[0].Value)
			body(t, c.Get("/get"), "from-cookie from-native cookie | from-native native <nil> true true true true")
		},
	},
	behaviour{
		name:    "custom driver",
		drivers: []string{dNative},
		config: func(c *core.Config) {
			c.Driver = "memo"
			c.Drivers = map[string]core.Driver{"memo": newMemoDriver()}
		},
		routes: with(lifecycleRoutes,
			get("/destroy", func(c frontends.Ctx) { c.Session().Destroy(); ok(c) }),
			get("/regen", func(c frontends.Ctx) { c.Session().Regenerate(core.DestroyOld); ok(c) }),
		),
		run: func(t *testing.T, e *env) {
			d := e.m.Config().Drivers["memo"].(*memoDriver)
			c := e.client()
			body(t, c.Get("/set"), "ok")
			body(t, c.Get("/get"), "ada")
			id := c.Get("/id").Body
			require.Equal(t, id, c.Cookie("ci_session"))
			require.True(t, d.has(id))
			body(t, c.Get("/regen"), "ok")
			require.False(t, d.has(id), "the driver saw the old id go")
			body(t, c.Get("/get"), "ada")
			id2 := c.Get("/id").Body
			body(t, c.Get("/destroy"), "ok")
			require.False(t, d.has(id2))
			require.Equal(t, []string{id2}, d.destroyedIDs())
			body(t, c.Get("/get"), "<nil>")
			require.Zero(t, e.store.Calls(), "the custom driver keeps its own data")
		},
	},
	behaviour{
		name:    "cookie too large leaves the previous cookie valid",
		drivers: []string{dCookie},
		routes: with(lifecycleRoutes,
			get("/big", func(c frontends.Ctx) { c.Session().SetUserdata("blob", strings.Repeat("x", 5000)); ok(c) }),
			get("/big-save", func(c frontends.Ctx) {
				s := c.Session()
				s.SetUserdata("blob", strings.Repeat("x", 5000))
				err := s.Save(c.Context())
				s.UnsetUserdata("blob")
				c.String(http.StatusOK, line(errors.Is(err, core.ErrCookieTooLarge)))
			}),
		),
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			before := c.Cookie(e.cookie)
			r := c.Get("/big")
			require.Equal(t, http.StatusInternalServerError, r.Status)
			require.Empty(t, r.Header["Set-Cookie"])
			require.Equal(t, before, c.Cookie(e.cookie))
			body(t, c.Get("/get"), "ada")
			body(t, c.Get("/big-save"), "true")
			body(t, c.Get("/get"), "ada")
		},
	},
	behaviour{
		name:    "encrypted cookie",
		drivers: []string{dCookie},
		config:  func(c *core.Config) { c.EncryptCookie = true },
		routes: with(lifecycleRoutes,
			get("/secret", func(c frontends.Ctx) { c.Session().SetUserdata("secret", "plaintext-marker"); ok(c) }),
			get("/show", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().Userdata("secret"))) }),
		),
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/secret"), "ok")
			raw, err := base64.RawURLEncoding.DecodeString(c.Cookie(e.cookie))
			require.NoError(t, err)
			require.False(t, bytes.Contains(raw, []byte("plaintext-marker")), "the payload is encrypted")
			body(t, c.Get("/show"), "plaintext-marker")
			signed := e.client()
			r, err := signed.Send(http.MethodGet, "/show", http.Header{"Cookie": {e.cookie + "=" + sealedWith(t, e, testKey, false)}})
			require.NoError(t, err)
			body(t, r, "<nil>", "a signed-only cookie is refused when cookies are encrypted")
		},
	},
	behaviour{
		name:    "signed cookie",
		drivers: []string{dCookie},
		routes: with(lifecycleRoutes,
			get("/secret", func(c frontends.Ctx) { c.Session().SetUserdata("secret", "plaintext-marker"); ok(c) }),
		),
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/secret"), "ok")
			raw, err := base64.RawURLEncoding.DecodeString(c.Cookie(e.cookie))
			require.NoError(t, err)
			require.True(t, bytes.Contains(raw, []byte("plaintext-marker")), "signed, not encrypted")
		},
	},
	behaviour{
		name:    "key rotation",
		drivers: []string{dCookie, dCookieDB},
		routes:  lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			old := c.Cookie(e.cookie)

			rotated := serverWith(t, e, func(cfg *core.Config) {
				cfg.EncryptionKey, cfg.PreviousEncryptionKeys = otherKey, [][]byte{testKey}
			})
			b := rotated.NewClient(t, "")
			b.Header.Set("User-Agent", "behaviour-test/1.0")
			b.SetCookie(e.cookie, old)
			body(t, b.Get("/get"), "ada", "a cookie made with a previous key is accepted")
			body(t, b.Get("/set"), "ok")
			renewed := b.Cookie(e.cookie)
			require.NotEqual(t, old, renewed, "saving re-issues it with the new key")

			newOnly := serverWith(t, e, func(cfg *core.Config) { cfg.EncryptionKey = otherKey })
			n := newOnly.NewClient(t, "")
			n.Header.Set("User-Agent", "behaviour-test/1.0")
			n.SetCookie(e.cookie, renewed)
			body(t, n.Get("/get"), "ada")
			n.SetCookie(e.cookie, old)
			body(t, n.Get("/get"), "<nil>", "a retired key no longer opens cookies")
		},
	},
	behaviour{
		name:    "use database: the cookie carries only the id, the store can revoke",
		drivers: []string{dCookieDB},
		routes:  lifecycleRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			id := c.Get("/id").Body
			raw, err := base64.RawURLEncoding.DecodeString(c.Cookie(e.cookie))
			require.NoError(t, err)
			// The key, not the value: "ada" is hex, and so may be a piece of
			// the id the cookie carries.
			require.False(t, bytes.Contains(raw, []byte("name")), "the cookie carries no userdata")
			require.Less(t, len(raw), 100)
			require.True(t, e.storeHas(id))
			require.NoError(t, e.store.Inner.Delete(context.Background(), id))
			body(t, c.Get("/get"), "<nil>", "deleting the stored session revokes it")
		},
	},
)

// memoDriver is a custom driver: it keeps sessions in a map, and the bare id
// in its cookie.
type memoDriver struct {
	mu        sync.Mutex
	data      map[string][]byte
	destroyed []string
}

func newMemoDriver() *memoDriver { return &memoDriver{data: make(map[string][]byte)} }

func (d *memoDriver) has(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.data[id]
	return ok
}

func (d *memoDriver) destroyedIDs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.destroyed...)
}

func (d *memoDriver) Load(_ context.Context, r *core.DriverRequest) (core.Loaded, error) {
	id := r.Cookie()
	if !r.ValidID(id) {
		return core.Loaded{}, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	data, ok := d.data[id]
	if !ok {
		return core.Loaded{}, nil
	}
	return core.Loaded{ID: strings.Clone(id), Data: bytes.Clone(data)}, nil
}

func (d *memoDriver) Save(_ context.Context, r *core.DriverRequest, c *core.Commit) error {
	d.mu.Lock()
	d.data[c.ID] = bytes.Clone(c.Data)
	if c.PrevID != "" && !c.KeepPrev {
		delete(d.data, c.PrevID)
	}
	d.mu.Unlock()
	if c.Refresh || c.PrevID != "" {
		return r.SetCookie(c.ID)
	}
	return nil
}

func (d *memoDriver) Destroy(_ context.Context, r *core.DriverRequest, id string) error {
	d.mu.Lock()
	delete(d.data, id)
	d.destroyed = append(d.destroyed, id)
	d.mu.Unlock()
	return r.ExpireCookie()
}
