package fibersession_test

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	var s *core.Session
	app.Get("/health", func(c *fiber.Ctx) error { s = fibersession.From(c); return c.SendStatus(http.StatusNoContent) })
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
