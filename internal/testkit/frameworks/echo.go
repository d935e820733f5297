package frameworks

import (
	"context"
	"testing"

	"github.com/labstack/echo/v4"

	echosession "github.com/ignitego/session/adapters/echo"
	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

func init() { frontends.Register("echo", startEcho) }

// The Echo v4 front end.

type echoCtx struct{ c echo.Context }

func (c echoCtx) Session() *core.Session   { return echosession.From(c.c) }
func (c echoCtx) Context() context.Context { return c.c.Request().Context() }
func (c echoCtx) Query(k string) string    { return c.c.QueryParam(k) }
func (c echoCtx) Header(k, v string)       { c.c.Response().Header().Set(k, v) }
func (c echoCtx) String(s int, b string)   { _ = c.c.String(s, b) }
func (c echoCtx) Redirect(s int, l string) { _ = c.c.Redirect(s, l) }

func startEcho(t testing.TB, m *core.Manager, routes []frontends.Route, opt frontends.Options) *frontends.Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	cfg := echosession.Config{}
	if opt.ErrorHandler != nil {
		cfg.ErrorHandler = func(c echo.Context, status int, err error) error {
			s, body := opt.ErrorHandler(status, err)
			return c.String(s, body)
		}
	}
	e.Use(echosession.NewWithConfig(m, cfg))
	for _, rt := range routes {
		rt := rt
		e.Add(rt.Method, rt.Path, func(c echo.Context) error { rt.Handle(echoCtx{c}); return nil })
	}
	return frontends.Serve(t, "echo", e)
}
