package bench

import (
	"net/http"
	"testing"

	gsessions "github.com/gorilla/sessions"
	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"

	echosession "github.com/ignitego/session/adapters/echo"
	"github.com/ignitego/session/core"
)

func echoMounts() []mount {
	ms := []mount{{library: "floor", store: "none", build: func(testing.TB) *Case {
		return &Case{Framework: "echo", Library: "floor", Store: "none", misses: new(misses),
			target: httpTarget{echoEngine(nil, func(string) echo.HandlerFunc { return echoOK })}}
	}}}
	ms = append(ms, oursMounts("echo", oursStores)...)
	return append(ms, mount{library: "echo-contrib", store: "cookie", build: func(testing.TB) *Case {
		st := gsessions.NewCookieStore(encryptionKey)
		st.Options = &gsessions.Options{Path: "/", MaxAge: int(core.DefaultExpiration.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode}
		o := &ops[echo.Context, *gsessions.Session]{
			open: func(c echo.Context) (*gsessions.Session, error) { return session.Get(core.DefaultCookieName, c) },
			get:  func(s *gsessions.Session, k string) any { return s.Values[k] },
			set:  func(s *gsessions.Session, k string, v any) { s.Values[k] = v },
			save: func(c echo.Context, s *gsessions.Session) error { return s.Save(c.Request(), c.Response()) },
		}
		mis := new(misses)
		e := echoEngine([]echo.MiddlewareFunc{session.Middleware(st)}, echoServe(o, mis))
		return &Case{Framework: "echo", Library: "echo-contrib", Store: "cookie", target: httpTarget{e}, misses: mis}
	}})
}

func echoOurs(m *core.Manager, ms *misses) target {
	return httpTarget{echoEngine([]echo.MiddlewareFunc{echosession.New(m)}, echoServe(sessionOps(echosession.From), ms))}
}

// echoEngine mounts handler(workload) at every path, behind mw.
func echoEngine(mw []echo.MiddlewareFunc, handler func(w string) echo.HandlerFunc) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(mw...)
	for _, p := range paths() {
		e.GET("/"+p, handler(p))
	}
	return e
}

func echoOK(c echo.Context) error { return c.String(http.StatusOK, body) }

// echoServe returns the workloads' Echo handlers over o.
func echoServe[S any](o *ops[echo.Context, S], ms *misses) func(w string) echo.HandlerFunc {
	return func(w string) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := serve(w, c, o); err != nil {
				ms.add(err)
			}
			return c.String(http.StatusOK, body)
		}
	}
}
