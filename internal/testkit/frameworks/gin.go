package frameworks

import (
	"context"
	"testing"

	"github.com/gin-gonic/gin"

	ginsession "github.com/ignitego/session/adapters/gin"
	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

func init() { frontends.Register("gin", startGin) }

// The Gin front end.

type ginCtx struct{ c *gin.Context }

func (c ginCtx) Session() *core.Session   { return ginsession.From(c.c) }
func (c ginCtx) Context() context.Context { return c.c.Request.Context() }
func (c ginCtx) Query(k string) string    { return c.c.Query(k) }
func (c ginCtx) Header(k, v string)       { c.c.Header(k, v) }
func (c ginCtx) String(s int, b string)   { c.c.String(s, "%s", b) }
func (c ginCtx) Redirect(s int, l string) { c.c.Redirect(s, l) }

func startGin(t testing.TB, m *core.Manager, routes []frontends.Route, opt frontends.Options) *frontends.Server {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	cfg := ginsession.Config{}
	if opt.ErrorHandler != nil {
		cfg.ErrorHandler = func(c *gin.Context, status int, err error) {
			s, body := opt.ErrorHandler(status, err)
			c.String(s, "%s", body)
		}
	}
	r.Use(ginsession.NewWithConfig(m, cfg))
	for _, rt := range routes {
		rt := rt
		r.Handle(rt.Method, rt.Path, func(c *gin.Context) { rt.Handle(ginCtx{c}) })
	}
	return frontends.Serve(t, "gin", r)
}
