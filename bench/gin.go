package bench

import (
	"context"
	"net/http"
	"testing"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"
	"github.com/gin-contrib/sessions"
	gincookie "github.com/gin-contrib/sessions/cookie"
	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"

	ginsession "github.com/ignitego/session/adapters/gin"
	"github.com/ignitego/session/core"
)

func ginMounts() []mount {
	ms := []mount{{library: "floor", store: "none", build: func(testing.TB) *Case {
		return &Case{Framework: "gin", Library: "floor", Store: "none", misses: new(misses),
			target: httpTarget{ginEngine(nil, func(string) gin.HandlerFunc { return ginOK })}}
	}}}
	ms = append(ms, oursMounts("gin", oursStores)...)
	ms = append(ms,
		mount{library: "gin-contrib", store: "cookie", build: func(tb testing.TB) *Case {
			return ginContrib(tb, "cookie", gincookie.NewStore(encryptionKey), nil)
		}},
		mount{library: "gin-contrib", store: "redis", build: func(tb testing.TB) *Case {
			rt := new(roundTrips)
			st, err := ginredis.NewStoreWithPool(redigoPool(tb, rt), encryptionKey)
			if err != nil {
				tb.Fatal(err)
			}
			if err := ginredis.SetKeyPrefix(st, keyPrefix(tb)); err != nil {
				tb.Fatal(err)
			}
			return ginContrib(tb, "redis", st, rt.meter())
		}},
		mount{library: "scs", store: "memory", build: func(tb testing.TB) *Case {
			// No cleanup goroutine: scs starts it in a way that races with
			// StopCleanup under -race, and a benchmark never expires a session.
			st := scsmem.NewWithCleanupInterval(0)
			return ginSCS("memory", st, nil)
		}},
		mount{library: "scs", store: "redis", build: func(tb testing.TB) *Case {
			rt := new(roundTrips)
			return ginSCS("redis", goredisstore.NewWithPrefix(goRedis(tb, rt), keyPrefix(tb)), rt.meter())
		}},
	)
	ms = append(ms, oursMounts("gin", ginStores)...)
	return append(ms, storePeers()...)
}

func ginOurs(m *core.Manager, ms *misses) target {
	return httpTarget{ginEngine([]gin.HandlerFunc{ginsession.New(m)}, ginServe(sessionOps(ginsession.From), ms))}
}

// ginEngine mounts handler(workload) at every path, behind mw.
func ginEngine(mw []gin.HandlerFunc, handler func(w string) gin.HandlerFunc) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(mw...)
	for _, p := range paths() {
		r.GET("/"+p, handler(p))
	}
	return r
}

func ginOK(c *gin.Context) { c.String(http.StatusOK, body) }

// ginServe returns the workloads' Gin handlers over o.
func ginServe[S any](o *ops[*gin.Context, S], ms *misses) func(w string) gin.HandlerFunc {
	return func(w string) gin.HandlerFunc {
		return func(c *gin.Context) {
			if err := serve(w, c, o); err != nil {
				ms.add(err)
			}
			c.String(http.StatusOK, body)
		}
	}
}

// ginContrib mounts gin-contrib/sessions on st.
func ginContrib(_ testing.TB, store string, st sessions.Store, io *meter) *Case {
	st.Options(sessions.Options{Path: "/", MaxAge: int(core.DefaultExpiration.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode})
	o := &ops[*gin.Context, sessions.Session]{
		open: func(c *gin.Context) (sessions.Session, error) { return sessions.Default(c), nil },
		get:  func(s sessions.Session, k string) any { return s.Get(k) },
		set:  func(s sessions.Session, k string, v any) { s.Set(k, v) },
		save: func(_ *gin.Context, s sessions.Session) error { return s.Save() },
	}
	ms := new(misses)
	r := ginEngine([]gin.HandlerFunc{sessions.Sessions(core.DefaultCookieName, st)}, ginServe(o, ms))
	return &Case{Framework: "gin", Library: "gin-contrib", Store: store, target: httpTarget{r}, misses: ms, io: io}
}

// ginSCS mounts alexedwards/scs on st. Its LoadAndSave is net/http
// middleware, so it wraps the whole Gin engine, as its documentation shows.
func ginSCS(store string, st scs.Store, io *meter) *Case {
	sm := scsManager(st)
	o := scsOps(sm, func(c *gin.Context) context.Context { return c.Request.Context() })
	ms := new(misses)
	r := ginEngine(nil, ginServe(o, ms))
	return &Case{Framework: "gin", Library: "scs", Store: store, target: httpTarget{sm.LoadAndSave(r)}, misses: ms, io: io}
}
