package frameworks

import (
	"context"
	"testing"

	"github.com/labstack/echo/v5"

	echosession "github.com/ignitego/session/adapters/echov5"
	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

func init() { frontends.Register("echov5", startEchoV5) }

// The Echo v5 front end.

type echoV5Ctx struct{ c *echo.Context }

func (c echoV5Ctx) Session() *core.Session   { return echosession.From(c.c) }
func (c echoV5Ctx) Context() context.Context { return c.c.Request().Context() }
func (c echoV5Ctx) Query(k string) string    { return c.c.QueryParam(k) }
func (c echoV5Ctx) Header(k, v string)       { c.c.Response().Header().Set(k, v) }
func (c echoV5Ctx) String(s int, b string)   { _ = c.c.String(s, b) }
func (c echoV5Ctx) Redirect(s int, l string) { _ = c.c.Redirect(s, l) }

func startEchoV5(t testing.TB, m *core.Manager, routes []frontends.Route, opt frontends.Options) *frontends.Server {
	e := echo.New()
	cfg := echosession.Config{}
	if opt.ErrorHandler != nil {
		cfg.ErrorHandler = func(c *echo.Context, status int, err error) error {
			s, body := opt.ErrorHandler(status, err)
			return c.String(s, body)
		}
	}
	e.Use(echosession.NewWithConfig(m, cfg))
	for _, rt := range routes {
		e.Add(rt.Method, rt.Path, func(c *echo.Context) error { rt.Handle(echoV5Ctx{c}); return nil })
	}
	return frontends.Serve(t, "echov5", e)
}
