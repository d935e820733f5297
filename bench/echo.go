package bench

import (
	"context"
	"net/http"
	"testing"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"
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
	return append(ms,
		mount{library: "echo-contrib", store: "cookie", build: func(testing.TB) *Case {
			st := gsessions.NewCookieStore(encryptionKey)
			st.Options = gorillaOptions()
			return echoContrib("cookie", st, nil)
		}},
		mount{library: "echo-contrib", store: "redis", build: func(tb testing.TB) *Case {
			st, io := gorillaRedis(tb)
			return echoContrib("redis", st, io)
		}},
		mount{library: "scs", store: "memory", build: func(testing.TB) *Case {
			return echoSCS("memory", scsmem.NewWithCleanupInterval(0), nil)
		}},
		mount{library: "scs", store: "redis", build: func(tb testing.TB) *Case {
			rt := new(roundTrips)
			return echoSCS("redis", goredisstore.NewWithPrefix(goRedis(tb, rt), keyPrefix(tb)), rt.meter())
		}},
	)
}

// echoContrib mounts echo-contrib/session on the gorilla store st.
func echoContrib(store string, st gsessions.Store, io *meter) *Case {
	// session.Get finds the store session.Middleware put in the context.
	o := gorillaOps(st, func(c echo.Context) (http.ResponseWriter, *http.Request) { return c.Response(), c.Request() })
	o.open = func(c echo.Context) (*gsessions.Session, error) { return session.Get(core.DefaultCookieName, c) }
	mis := new(misses)
	e := echoEngine([]echo.MiddlewareFunc{session.Middleware(st)}, echoServe(o, mis))
	return &Case{Framework: "echo", Library: "echo-contrib", Store: store, target: httpTarget{e}, misses: mis, io: io}
}

// echoSCS mounts scs on st. Its LoadAndSave is net/http middleware, so it
// wraps the whole Echo engine.
func echoSCS(store string, st scs.Store, io *meter) *Case {
	sm := scsManager(st)
	o := scsOps(sm, func(c echo.Context) context.Context { return c.Request().Context() })
	mis := new(misses)
	return &Case{Framework: "echo", Library: "scs", Store: store, target: httpTarget{sm.LoadAndSave(echoEngine(nil, echoServe(o, mis)))}, misses: mis, io: io}
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
