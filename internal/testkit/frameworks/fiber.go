package frameworks

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	fibersession "github.com/ignitego/session/adapters/fiber"
	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

func init() { frontends.Register("fiber", startFiber) }

// The Fiber v2 front end.

type fiberCtx struct{ c *fiber.Ctx }

func (c fiberCtx) Session() *core.Session   { return fibersession.From(c.c) }
func (c fiberCtx) Context() context.Context { return c.c.UserContext() }
func (c fiberCtx) Query(k string) string    { return c.c.Query(k) }
func (c fiberCtx) Header(k, v string)       { c.c.Set(k, v) }
func (c fiberCtx) String(s int, b string)   { _ = c.c.Status(s).SendString(b) }
func (c fiberCtx) Redirect(s int, l string) { _ = c.c.Redirect(l, s) }

func startFiber(t testing.TB, m *core.Manager, routes []frontends.Route, opt frontends.Options) *frontends.Server {
	// A 16 KiB read buffer (fasthttp's default is 4 KiB) lets oversized
	// cookies reach the session middleware instead of failing with 431.
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadBufferSize: 16 << 10})
	cfg := fibersession.Config{}
	if opt.ErrorHandler != nil {
		cfg.ErrorHandler = func(c *fiber.Ctx, status int, err error) error {
			s, body := opt.ErrorHandler(status, err)
			return c.Status(s).SendString(body)
		}
	}
	app.Use(fibersession.NewWithConfig(m, cfg))
	for _, rt := range routes {
		rt := rt
		app.Add(rt.Method, rt.Path, func(c *fiber.Ctx) error { rt.Handle(fiberCtx{c}); return nil })
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("frameworks: listen: %v", err)
	}
	go func() { _ = app.Listener(ln) }()
	return frontends.NewServer(t, "fiber", "http://"+ln.Addr().String(), func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
}
