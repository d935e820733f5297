package fibersession_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	fibersession "github.com/ignitego/session/adapters/fiber"
	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

func manager(t testing.TB, driver string) *core.Manager {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = driver, memstore.New()
	cfg.EncryptionKey = []byte("fiber-test-key-0123456789-abcdefghij")
	m, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func Example() {
	m := manager(nil, core.DriverNative)
	defer m.Close()

	app := fiber.New()
	app.Use(fibersession.New(m))
	app.Get("/", func(c *fiber.Ctx) error {
		s := fibersession.From(c)
		visits := core.GetOr(s, "visits", 0) + 1
		s.SetUserdata("visits", visits)
		return c.SendString(fmt.Sprintf("visit %d", visits))
	})

	var cookie string
	for range 2 {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, _ := app.Test(req)
		for _, c := range resp.Cookies() {
			cookie = c.Name + "=" + c.Value
		}
		b, _ := io.ReadAll(resp.Body)
		fmt.Println(string(b))
	}
	// Output:
	// visit 1
	// visit 2
}

func TestNext(t *testing.T) {
	m := manager(t, core.DriverNative)
	defer m.Close()
	app := fiber.New()
	app.Use(fibersession.NewWithConfig(m, fibersession.Config{Next: func(c *fiber.Ctx) bool { return c.Path() == "/health" }}))
	var s any
	app.Get("/health", func(c *fiber.Ctx) error { s = c.Locals(fibersession.Key); return c.SendStatus(http.StatusNoContent) })
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/health", nil))
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Nil(t, s, "a skipped request has no session")
}

// Fiber sends the response after the handler chain returns, so a change is
// late only when it comes after the middleware saved: in an outer
// middleware, say.
func TestChangeAfterCommitIsReported(t *testing.T) {
	for _, driver := range []string{core.DriverNative, core.DriverCookie} {
		t.Run(driver, func(t *testing.T) {
			m := manager(t, driver)
			defer m.Close()
			app := fiber.New()
			var lateErr error
			app.Use(func(c *fiber.Ctx) error {
				err := c.Next()
				if s := fibersession.From(c); s != nil {
					s.SetUserdata("late", true)
					lateErr = s.Save(context.Background())
				}
				return err
			})
			app.Use(fibersession.New(m))
			app.Get("/", func(c *fiber.Ctx) error {
				fibersession.From(c).SetUserdata("k", 1)
				return c.SendString("ok")
			})
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/", nil))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.True(t, errors.Is(lateErr, core.ErrModifiedAfterCommit), "got %v", lateErr)
		})
	}
}

// The address a new session records is c.IP(): the connection's, or the
// proxy header's when the app reads one, and MatchIP compares the same.
func TestClientIPIsFibers(t *testing.T) {
	tests := []struct {
		name   string
		config fiber.Config
		header string // X-Real-IP sent
		want   string
	}{
		{"connection", fiber.Config{}, "203.0.113.9", "127.0.0.1"},
		{"proxy header", fiber.Config{ProxyHeader: "X-Real-IP"}, "203.0.113.9", "203.0.113.9"},
		{"untrusted proxy", fiber.Config{ProxyHeader: "X-Real-IP", EnableTrustedProxyCheck: true}, "203.0.113.9", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := manager(t, core.DriverNative)
			defer m.Close()
			app := fiber.New(tt.config)
			app.Use(fibersession.New(m))
			app.Get("/", func(c *fiber.Ctx) error {
				s := fibersession.From(c)
				s.SetUserdata("ip", c.IP())
				return c.SendString(fmt.Sprint(s.Userdata(core.KeyIPAddress)))
			})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			go func() { _ = app.Listener(ln) }()
			defer func() { _ = app.Shutdown() }()

			req, err := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
			require.NoError(t, err)
			req.Header.Set("X-Real-IP", tt.header)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tt.want, string(b))
		})
	}
}

// The session's cookie replaces one of the same name the handler set, and
// joins the Vary and Cache-Control values already there.
func TestSetCookieHeaders(t *testing.T) {
	tests := []struct {
		name       string
		before     func(c *fiber.Ctx)
		vary, cc   string
		otherNames []string
	}{
		{"bare", func(*fiber.Ctx) {}, "Cookie", `no-cache="Set-Cookie"`, nil},
		{"headers there", func(c *fiber.Ctx) {
			c.Set(fiber.HeaderVary, "Accept")
			c.Set(fiber.HeaderCacheControl, "private")
		}, "Accept, Cookie", `private, no-cache="Set-Cookie"`, nil},
		{"already named", func(c *fiber.Ctx) {
			c.Set(fiber.HeaderVary, "cookie")
			c.Set(fiber.HeaderCacheControl, `no-cache="Set-Cookie"`)
		}, "cookie", `no-cache="Set-Cookie"`, nil},
		{"same cookie set by the handler", func(c *fiber.Ctx) {
			c.Cookie(&fiber.Cookie{Name: "ci_session", Value: "stale"})
			c.Cookie(&fiber.Cookie{Name: "other", Value: "kept"})
		}, "Cookie", `no-cache="Set-Cookie"`, []string{"other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := manager(t, core.DriverCookie)
			defer m.Close()
			app := fiber.New()
			app.Use(fibersession.New(m))
			app.Get("/", func(c *fiber.Ctx) error {
				tt.before(c)
				fibersession.From(c).SetUserdata("k", "v")
				return c.SendString("ok")
			})
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/", nil))
			require.NoError(t, err)
			defer resp.Body.Close()
			var names []string
			var session *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == "ci_session" {
					require.Nil(t, session, "one ci_session cookie")
					session = c
					continue
				}
				names = append(names, c.Name)
			}
			require.NotNil(t, session)
			require.NotEqual(t, "stale", session.Value)
			require.Equal(t, 7200, session.MaxAge)
			require.False(t, session.Expires.IsZero(), "Expires goes with Max-Age")
			require.True(t, session.HttpOnly)
			require.Equal(t, http.SameSiteLaxMode, session.SameSite)
			require.Equal(t, "/", session.Path)
			require.Equal(t, tt.otherNames, names)
			require.Equal(t, tt.vary, resp.Header.Get(fiber.HeaderVary))
			require.Equal(t, tt.cc, resp.Header.Get(fiber.HeaderCacheControl))
		})
	}
}

// From on a route the middleware did not serve panics with a message that
// says how to add it, whether the middleware is missing or skipped the
// request.
func TestFromWithoutTheMiddleware(t *testing.T) {
	m := manager(t, core.DriverNative)
	defer m.Close()
	for _, tc := range []struct {
		name string
		use  []any
	}{
		{"no middleware", nil},
		{"skipped", []any{fibersession.NewWithConfig(m, fibersession.Config{Next: func(*fiber.Ctx) bool { return true }})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := fiber.New()
			if tc.use != nil {
				app.Use(tc.use...)
			}
			var got any
			app.Get("/", func(c *fiber.Ctx) error {
				defer func() { got = recover() }()
				fibersession.From(c)
				return nil
			})
			_, err := app.Test(httptest.NewRequest(http.MethodGet, "/", nil))
			require.NoError(t, err)
			require.Equal(t, "fibersession: no session on this route: add app.Use(fibersession.New(m)) before it", got)
		})
	}
}
